"""Closed-network helpers: visits from routing, Buzen's normalizing constant, asymptotic and
balanced-job bounds. Checked against GNU Octave queueing 1.2.7 (values below), exact MVA, the
brute-force product-form oracle and their limiting cases."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

from product_form_oracle import throughput_by_convolution
from virtmodel import ParameterError
from virtmodel.queueing import closed_bounds, mva, normalizing_constant, visits_from_routing

INF = np.inf
P4 = [[0, 0.3, 0.7, 0], [1, 0, 0, 0], [0.4, 0, 0, 0.6], [1, 0, 0, 0]]


def test_visits_peer_octave_qncsvisits():
    # peer value: GNU Octave queueing 1.2.7 qncsvisits(P, 1) and qncsvisits(P, 3), P = P4
    assert visits_from_routing(P4) == pytest.approx([1, 0.3, 0.7, 0.42], rel=1e-14)
    assert visits_from_routing(P4, 2) == pytest.approx([1.42857142857143, 0.428571428571429, 1, 0.6],
                                                       rel=1e-13)


def test_visits_exact_and_per_class():
    R = sp.Rational
    V = visits_from_routing([[0, R(3, 10), R(7, 10), 0], [1, 0, 0, 0], [R(2, 5), 0, 0, R(3, 5)],
                             [1, 0, 0, 0]])
    assert list(V) == [1, R(3, 10), R(7, 10), R(21, 50)]
    cycle = np.eye(4)[[1, 2, 3, 0]]  # class 1 visits every station once in turn
    V2 = visits_from_routing([P4, cycle], [0, 1])
    assert V2.shape == (4, 2)
    assert V2[:, 0] == pytest.approx([1, 0.3, 0.7, 0.42]) and V2[:, 1] == pytest.approx([1, 1, 1, 1])
    # a station the reference never reaches is visited 0 times (and that is accepted by mva)
    V3 = visits_from_routing([[0.5, 0.5, 0], [1, 0, 0], [0.5, 0, 0.5]])
    assert V3 == pytest.approx([1, 0.5, 0])
    r = mva(V3 * [0.2, 0.4, 0.3], 5, 1.0, visits=V3)
    assert r.throughput[2] == 0 and r.response_time[2] == 0


@pytest.mark.parametrize("routing, reference", [
    ([[0.5, 0.4], [1, 0]], 0),  # a row sums to 0.9
    ([[1.5, -0.5], [1, 0]], 0),  # not probabilities
    ([[1, 0], [0, 1]], 0),  # two closed chains
    ([[0, 1], [0, 1]], 0),  # the reference station is never returned to
    ([[0, 1, 0], [1, 0, 0]], 0),  # not square
    ([["0", 1], [1, 0]], 0),  # strings are never parsed
])
def test_visits_bad_routing(routing, reference):
    with pytest.raises(ParameterError, match="routing"):
        visits_from_routing(routing, reference)


@pytest.mark.parametrize("routing, reference",
                         [(P4, 4), (P4, -1), (P4, 1.5), ([P4, P4], [0, 1, 2]), (P4, [[0]])])
def test_visits_bad_reference(routing, reference):
    with pytest.raises(ParameterError, match="reference"):
        visits_from_routing(routing, reference)


def test_normalizing_constant_peer_octave_qncsconv_and_qncsconvld():
    # peer values: GNU Octave queueing 1.2.7
    # [U R Q X G] = qncsconv(5, [0.5 0.3 0.8 0.2 2.5], ones(1,5), [1 2 1 1 -1])
    nc = normalizing_constant([0.5, 0.3, 0.8, 0.2, 2.5], 5, 0, [1, 2, 1, 1, INF])
    assert nc.G == pytest.approx([1, 4.3, 9.71, 15.467916666666667, 19.704641666666667, 21.567985208333337],
                                 rel=1e-14)
    # qncsconvld(6, [0.4./[1 1.8 2.4 2.4 2.4 2.4]; 0.3*ones(1,6); 0.5./[1 2 2 2 2 2]], ones(1,3))
    nc = normalizing_constant([0.4, 0.3, 0.5], 6, rates=[[1, 1.8, 2.4], [1, 1, 1], [1, 2, 2]])
    assert nc.G == pytest.approx([1, 1.2, 0.77388888888888885, 0.37267592592592591, 0.15310293209876544,
                                  0.057284724794238684, 0.020195346493484229], rel=1e-13)


def test_normalizing_constant_gives_the_mva_throughput():
    D = np.random.default_rng(5).uniform(0.05, 1, 12)
    nc = normalizing_constant(D, 300, 2.0, [1, 1, 3, INF] + [1] * 8)
    X = mva(D, 300, 2.0, [1, 1, 3, INF] + [1] * 8, history=True).throughput_by_population
    assert nc.throughput == pytest.approx(X, rel=1e-12)


def test_normalizing_constant_exact_and_without_overflow():
    D, Z = [F(1, 2), F(3, 4), F(2, 3)], F(1, 3)
    nc = normalizing_constant([sp.Rational(1, 2), sp.Rational(3, 4), sp.Rational(2, 3)], 6, sp.Rational(1, 3),
                              [1, 2, 1])
    exact = throughput_by_convolution(D, [1, 2, 1], Z, 6)
    assert list(nc.throughput) == [sp.Rational(x.numerator, x.denominator) for x in exact]
    big = normalizing_constant(np.full(200, 1.0), 20_000)  # G(N) = C(N + 199, 199) ~ 1e486: overflows
    assert np.isfinite(big.log_G).all() and big.G[-1] == INF
    assert big.log_G[-1] == pytest.approx(gammaln(20_200) - gammaln(200) - gammaln(20_001), rel=1e-12)
    huge = normalizing_constant(np.full(3, 1e-3), 2_000)  # G = 1e-3**N * ... underflows; log_G does not
    assert huge.G[-1] == 0 and np.isfinite(huge.log_G[-1])


def test_bounds_peer_octave_qncsaba_qncsbsb():
    # peer values: GNU Octave queueing 1.2.7
    # qncsaba / qncsbsb(N, [0.5 0.3 0.8 0.2], ones(1,4), ones(1,4), 2.5)
    N = np.array([1, 5, 20])
    a = closed_bounds([0.5, 0.3, 0.8, 0.2], N, 2.5, method="asymptotic")
    assert a.throughput_lower == pytest.approx([0.232558139534884, 0.434782608695652, 0.519480519480519])
    assert a.throughput_upper == pytest.approx([0.232558139534884, 1.16279069767442, 1.25])
    assert a.response_time_lower == pytest.approx([1.8, 1.8, 13.5])
    assert a.response_time_upper == pytest.approx([1.8, 9, 36])
    b = closed_bounds([0.5, 0.3, 0.8, 0.2], N, 2.5)
    assert b.throughput_lower == pytest.approx([0.232558139534884, 0.73482428115016, 1.08032269379165])
    assert b.throughput_upper == pytest.approx([0.232558139534884, 0.989415554532904, 1.25])
    assert b.response_time_lower == pytest.approx([1.8, 2.55348837209302, 13.5])
    assert b.response_time_upper == pytest.approx([1.8, 4.30434782608696, 16.012987012987])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.01, 5.0), min_size=1, max_size=6), st.integers(1, 80), st.floats(0.0, 10.0),
       st.lists(st.sampled_from([1, 1, 1, INF]), min_size=6, max_size=6))
def test_bounds_bracket_exact_mva(D, N, Z, servers):
    c = servers[: len(D)]
    if all(x == INF for x in c):
        c[0] = 1
    X = mva(D, N, Z, c).system_throughput
    for method in ("asymptotic", "balanced"):
        b = closed_bounds(D, N, Z, c, method=method)
        assert b.throughput_lower * (1 - 1e-9) <= X <= b.throughput_upper * (1 + 1e-9)
        assert b.response_time_lower * (1 - 1e-9) - 1e-12 <= N / X - Z <= b.response_time_upper * (1 + 1e-9)
    assert closed_bounds(D, N, Z, c).throughput_lower >= closed_bounds(D, N, Z, c, method="asymptotic") \
        .throughput_lower * (1 - 1e-12)  # balanced bounds are the tighter ones


def test_bounds_symbolic_and_bad_input():
    a, b, z, N = sp.symbols("a b z N", positive=True)
    bounds = closed_bounds([a, b], N, z, method="asymptotic")
    assert bounds.throughput_upper.subs({a: 1, b: 2, z: 3, N: 10}) == sp.Rational(1, 2)
    with pytest.raises(ParameterError, match="population"):
        closed_bounds([0.5], 2.5)
    with pytest.raises(ParameterError, match="servers"):
        closed_bounds([0.5, 0.2], 3, servers=[2, 1])
    with pytest.raises(ParameterError, match="demands"):
        closed_bounds([0.5, 0.2], 3, servers=[INF, INF])
    with pytest.raises(ParameterError, match="method"):
        closed_bounds([0.5], 3, method="tight")
