"""Exact multi-class MVA against the brute-force product-form oracle and GNU Octave."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from product_form_oracle import solve
from virtmodel import ParameterError
from virtmodel.queueing import mva, mva_multiclass

INF = np.inf


def rat(f):
    return sp.Rational(f.numerator, f.denominator)


@pytest.mark.parametrize("servers", [[1, 1, 1], [1, INF, 1]])
def test_matches_brute_force_product_form_exactly(servers):
    D = [[F(1, 2), F(1)], [F(1, 3), F(2, 3)], [F(3, 4), F(1, 5)]]
    N, Z = [3, 2], [F(1), F(1, 2)]
    X, Q, R = solve(D, N, Z, [None if c == INF else c for c in servers])
    r = mva_multiclass([[rat(d) for d in row] for row in D], N, [rat(z) for z in Z], servers)
    assert list(r.system_throughput) == [rat(x) for x in X]
    assert r.number_in_system.tolist() == [[rat(q) for q in row] for row in Q]
    assert r.residence_time.tolist() == [[rat(x) for x in row] for row in R]
    rf = mva_multiclass(np.array(D, dtype=float), N, [1.0, 0.5], servers)
    assert rf.number_in_system == pytest.approx(np.array(Q, dtype=float), rel=1e-12)


def test_peer_octave_queueing_qncmmva():
    # peer value: GNU Octave queueing 1.2.7
    # qncmmva([3 2], [1 3 2; 2 1 2], ones(2,3), [1 1 -1], [1 0.5])  (classes x stations there)
    r = mva_multiclass([[1, 2], [3, 1], [2, 2]], [3, 2], [1, 0.5], [1, 1, INF])
    assert r.system_throughput == pytest.approx([0.228895478380325, 0.217587240957598], rel=1e-12)
    assert r.response_time.T == pytest.approx(np.array(
        [[2.200322037619849, 7.906096757666692, 2.0], [3.547890360332615, 3.143825069294734, 2.0]]), rel=1e-12)
    assert r.number_in_system.T == pytest.approx(np.array(
        [[0.503643765391768, 1.809669799467257, 0.457790956760651],
         [0.771975674724833, 0.684056222881171, 0.435174481915197]]), rel=1e-12)


def test_one_class_equals_single_class_mva_and_empty_class_is_idle():
    one = mva_multiclass([[0.3], [0.7], [0.2]], [9], [1.5], [1, 1, INF])
    ref = mva([0.3, 0.7, 0.2], 9, 1.5, [1, 1, INF])
    assert one.system_throughput[0] == pytest.approx(ref.system_throughput, rel=1e-13)
    assert one.number_in_system[:, 0] == pytest.approx(ref.number_in_system, rel=1e-13)
    two = mva_multiclass([[0.3, 1.0], [0.7, 1.0], [0.2, 1.0]], [9, 0], [1.5, 0], [1, 1, INF])
    assert two.system_throughput == pytest.approx([ref.system_throughput, 0.0])
    assert two.number_in_system[:, 0] == pytest.approx(ref.number_in_system, rel=1e-13)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.integers(1, 3), st.data())
def test_laws(K, C, data):
    D = np.array(data.draw(st.lists(st.floats(0.05, 3.0), min_size=K * C, max_size=K * C))).reshape(K, C)
    N = np.array(data.draw(st.lists(st.integers(1, 6), min_size=C, max_size=C)))
    Z = np.array(data.draw(st.lists(st.floats(0.0, 5.0), min_size=C, max_size=C)))
    r = mva_multiclass(D, N, Z)
    X = r.system_throughput
    assert N == pytest.approx(X * (r.system_response_time + Z), rel=1e-9)  # Little per class
    assert r.number_in_system == pytest.approx(X * r.residence_time, rel=1e-9)
    assert np.all(r.utilization.sum(axis=1) <= 1 + 1e-9)  # a single server is shared by the classes
    assert np.all(X <= N / (D.sum(axis=0) + Z) * (1 + 1e-9))


@pytest.mark.parametrize("args, name", [
    (([0.5, 1.0], [2]), "demands"),
    (([[0.5, 1.0]], [2]), "populations"),
    (([[0.5, 1.0]], [2, -1]), "populations"),
    (([[0.5, 1.0]], [0, 0]), "populations"),
    (([[0.5, 0.0]], [2, 1]), "demands"),
    (([[0.5, 1.0]], [2, 1], [0, -1]), "think_times"),
    (([[0.5, 1.0], [1, 1]], [2, 1], 0, [1, 1.5]), "servers"),
])
def test_bad_input_names_the_parameter(args, name):
    with pytest.raises(ParameterError, match=name):
        mva_multiclass(*args)
