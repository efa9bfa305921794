"""Exact single-class MVA against a brute-force product-form oracle, GNU Octave
peer values, hand-derived rationals, limiting cases and the laws."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from product_form_oracle import solve, throughput_by_convolution
from virtmodel import ParameterError
from virtmodel.queueing import mva

INF = np.inf


@pytest.mark.parametrize("servers", [[1, 1, 1], [1, 3, INF], [2, 1, 4]])
def test_matches_brute_force_product_form_exactly(servers):
    D, Z, N = [F(1, 2), F(3, 4), F(2, 3)], F(1, 3), 5
    X, Q, R = solve([[d] for d in D], [N], [Z], [None if c == INF else c for c in servers])
    r = mva([sp.Rational(d.numerator, d.denominator) for d in D], N, sp.Rational(1, 3), servers)
    assert r.system_throughput == sp.Rational(X[0].numerator, X[0].denominator)
    for k in range(3):
        assert r.number_in_system[k] == sp.Rational(Q[k][0].numerator, Q[k][0].denominator)
        assert r.residence_time[k] == sp.Rational(R[k][0].numerator, R[k][0].denominator)
    rf = mva([float(d) for d in D], N, float(Z), servers)  # the float path, same recursion
    assert rf.number_in_system == pytest.approx([float(q[0]) for q in Q], rel=1e-12)
    assert rf.system_throughput == pytest.approx(float(X[0]), rel=1e-12)


def test_hand_derived_rationals():
    # D = (1/2, 1/3), Z = 0. n=1: R = (1/2, 1/3), X = 6/5, Q = (3/5, 2/5).
    # n=2: R = (1/2 * 8/5, 1/3 * 7/5) = (4/5, 7/15), X = 2/(19/15) = 30/19, Q = (24/19, 14/19).
    r = mva([sp.Rational(1, 2), sp.Rational(1, 3)], 2, history=True)
    assert r.system_throughput == sp.Rational(30, 19)
    assert list(r.residence_time) == [sp.Rational(4, 5), sp.Rational(7, 15)]
    assert list(r.number_in_system) == [sp.Rational(24, 19), sp.Rational(14, 19)]
    assert list(r.throughput_by_population) == [sp.Rational(6, 5), sp.Rational(30, 19)]


def test_symbolic_demands_give_rational_functions():
    a, b, z = sp.symbols("a b z", positive=True)
    r = mva([a, b], 2, z)
    R2 = a * (1 + a / (a + b + z)) + b * (1 + b / (a + b + z))
    assert sp.simplify(r.system_throughput - 2 / (z + R2)) == 0
    assert sp.simplify(r.system_response_time - (2 / r.system_throughput - z)) == 0
    assert "aligned" in r._repr_latex_()
    assert mva([1.0], 1)._repr_latex_() is None


def test_peer_octave_queueing_qncsmva_multiserver_and_delay():
    # peer value: GNU Octave queueing 1.2.7 qncsmva(3, [1 2 3], ones(1,3), [1 2 -1], 1)
    r = mva([1, 2, 3], 3, 1, [1, 2, INF])
    assert r.response_time == pytest.approx([1.32, 2.08, 3.0], rel=1e-12)
    assert r.number_in_system == pytest.approx([0.535135135135135, 0.843243243243243, 1.216216216216216])
    assert r.system_throughput == pytest.approx(0.405405405405405)


def test_peer_octave_queueing_qncsmva_with_visits():
    # peer value: GNU Octave queueing 1.2.7
    # qncsmva(20, [0.5 0.3 0.8 0.2], [1 2 4 1], [1 3 1 -1], 2.5): per-visit S, visits V
    V = np.array([1, 2, 4, 1])
    r = mva(V * [0.5, 0.3, 0.8, 0.2], 20, 2.5, [1, 3, 1, INF], visits=V)
    assert r.response_time == pytest.approx([5.925925925924582e-01, 3.001036269430047e-01,
                                             1.502680003838065e+01, 2.0e-01], rel=1e-10)
    assert r.number_in_system == pytest.approx([1.851851851851401e-01, 1.875647668393748e-01,
                                                1.878350004797550e+01, 6.249999999999895e-02], rel=1e-10)
    assert r.throughput == pytest.approx([0.3125, 0.625, 1.25, 0.3125], rel=1e-10)
    assert r.utilization[:3] == pytest.approx([0.15625, 0.0625, 1.0], rel=1e-10)
    assert r.residence_time == pytest.approx(V * r.response_time)


def test_limiting_cases():
    r = mva([0.2, 0.5, 0.3], 1, think_time=1.0)
    assert r.system_response_time == pytest.approx(1.0)  # one customer: R = sum of demands
    assert r.system_throughput == pytest.approx(1 / 2.0)
    assert mva([0.25], 40).system_throughput == pytest.approx(4.0)  # one queue: X(N) = 1/D
    r = mva([0.2, 0.3], 7, think_time=2.0, servers=INF)  # delay stations only: X = N/(D+Z)
    assert r.system_throughput == pytest.approx(7 / 2.5)


def test_multiserver_is_stable_at_large_population():
    # Octave's qncsmva (p(0) from the identity) returns X = -0.887 for N = 150 here.
    D, c, Z = [F(3), F(1, 2), F(7, 4), F(2)], [4, 1, 3, 8], F(5)
    exact = throughput_by_convolution(D, c, Z, 150)
    r = mva([float(d) for d in D], 150, 5.0, c, history=True)
    assert r.throughput_by_population == pytest.approx([float(x) for x in exact], rel=1e-12)
    big = mva([3.0, 0.5, 1.75, 2.0, 16.0], 50_000, 5.0, [4, 1, 3, 8, 16], history=True)
    X = big.throughput_by_population
    assert np.all(np.isfinite(X)) and np.all(np.diff(X) >= -1e-12)
    assert X[-1] == pytest.approx(1.0, rel=1e-9)  # bottleneck: 16 servers, demand 16
    assert np.all((big.utilization >= 0) & (big.utilization <= 1 + 1e-12))



def test_tiny_think_time_does_not_turn_into_nan():
    """Z = 8.9e-308 with an idle sub-network: 1/Z overflows; X stays finite and the results exact."""
    r = mva([1.0], 18, think_time=8.9e-308, servers=[2], history=True)
    assert np.all(np.isfinite(r.throughput_by_population))
    assert r.system_throughput == pytest.approx(2.0)  # two servers, demand 1: X = 2
    assert r.system_response_time == pytest.approx(9.0)  # N / X - Z


demands = st.lists(st.floats(0.01, 5.0), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(demands, st.integers(1, 60), st.floats(0.0, 10.0), st.lists(st.sampled_from([1, 1, 2, 3, INF]),
                                                                     min_size=6, max_size=6))
def test_laws_and_bounds(D, N, Z, servers):
    c = np.array(servers[: len(D)], dtype=float)
    r = mva(D, N, Z, c, history=True)
    D = np.array(D)
    X = r.system_throughput
    cap = np.min(np.where(np.isinf(c), np.inf, c / D))  # bottleneck bound, c_k / D_k
    assert X <= min(cap, N / (D.sum() + Z)) * (1 + 1e-9)
    if np.all(c == 1):  # lower bound (single-server and delay networks)
        assert X >= N / (N * D.sum() + Z) * (1 - 1e-9)
    assert np.all(np.diff(r.throughput_by_population) >= -1e-9)
    assert N == pytest.approx(X * (r.system_response_time + Z), rel=1e-9)  # Little, whole system
    assert r.number_in_system == pytest.approx(X * r.residence_time, rel=1e-9)  # Little, per station
    assert np.all(r.utilization[np.isfinite(c)] <= 1 + 1e-9)
    assert r.utilization[np.isinf(c)] == pytest.approx(X * D[np.isinf(c)])  # delay: mean busy servers


@pytest.mark.parametrize("args, kwargs, name", [
    (([0.5, -1.0], 3), {}, "demands"),
    (([0.5, float("nan")], 3), {}, "demands"),
    (([0.0, 0.0], 3), {}, "demands"),
    ((["0.5"], 3), {}, "demands"),
    (([[0.5]], 3), {}, "demands"),
    (([0.5], 2.5), {}, "population"),
    (([0.5], -1), {}, "population"),
    (([0.5], 0), {}, "population"),
    (([0.5], 3, -1.0), {}, "think_time"),
    (([0.5, 1.0], 3, 0, [1, 1.5]), {}, "servers"),
    (([0.5, 1.0], 3, 0, [1, 0]), {}, "servers"),
    (([0.5, 1.0], 3, 0, [1, 2, 3]), {}, "servers"),
    (([0.5, 1.0], 3), {"visits": [1.0, 0.0]}, "visits"),
    (([0.5, 1.0], 3), {"visits": [1.0, -1.0]}, "visits"),
    (([0.5, 1.0], 3), {"visits": [1.0, 2.0, 3.0]}, "visits"),
    (([0.5, 1.0], 3), {"max_work": 0}, "population"),
    (([0.5, 1.0], 3), {"rates": [[1, 2]]}, "rates"),
    (([0.5, 1.0], 3), {"rates": [[1, 0], [1, 1]]}, "rates"),
    (([0.5, 1.0], 3), {"rates": [["1", 2], [1, 1]]}, "rates"),
    (([0.5, 1.0], 3, 0, [2, 1]), {"rates": [[1, 2], [1, 1]]}, "servers"),
    (([0.2, 0.1], 10**7), {}, "population"),
])
def test_bad_input_names_the_parameter(args, kwargs, name):
    with pytest.raises(ParameterError, match=name) as info:
        mva(*args, **kwargs)
    assert info.value.parameter == name and info.value.valid
