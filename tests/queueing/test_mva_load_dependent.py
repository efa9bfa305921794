"""Load-dependent stations in exact single-class MVA (``rates``), and the solver's limits:
against the brute-force product-form oracle, GNU Octave's qncsmvald, and limiting cases."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from product_form_oracle import solve, throughput_by_convolution
from virtmodel import ParameterError
from virtmodel.queueing import mva, normalizing_constant

INF = np.inf


def rat(x):
    x = F(x)
    return sp.Rational(x.numerator, x.denominator)


def test_rates_min_n_c_is_the_multi_server_station():
    D, Z, N = [0.4, 0.3, 0.5, 0.2], 1.5, 30
    by_servers = mva(D, N, Z, [3, 1, 2, INF], history=True)
    by_rates = mva(D, N, Z, [1, 1, 1, INF], rates=[[1, 2, 3], [1, 1, 1], [1, 2, 2], [1, 1, 1]], history=True)
    assert by_rates.throughput_by_population == pytest.approx(by_servers.throughput_by_population, rel=1e-12)
    assert by_rates.number_in_system == pytest.approx(by_servers.number_in_system, rel=1e-12)


def test_general_rates_match_the_brute_force_product_form_exactly():
    D, Z, N = [F(2, 5), F(3, 10), F(1, 2)], F(3, 2), 5
    alpha = [(1, F(9, 5), F(12, 5)), (1,), (F(1, 2), 2, 1)]  # a non-monotone rate vector too
    X, Q, R = solve([[d] for d in D], [N], [Z], alpha)
    r = mva([sp.Rational(d.numerator, d.denominator) for d in D], N, sp.Rational(3, 2),
            rates=[[rat(a) for a in row + (row[-1],) * (3 - len(row))] for row in alpha])
    assert r.system_throughput == sp.Rational(X[0].numerator, X[0].denominator)
    assert [sp.Rational(q[0].numerator, q[0].denominator) for q in Q] == list(r.number_in_system)
    rf = mva([float(d) for d in D], N, 1.5, rates=[[1, 1.8, 2.4], [1, 1, 1], [0.5, 2, 1]])
    assert rf.residence_time == pytest.approx([float(x[0]) for x in R], rel=1e-12)


def test_peer_octave_queueing_qncsmvald():
    # peer value: GNU Octave queueing 1.2.7, S(k, n) = D_k / alpha_k(n):
    # qncsmvald(6, [0.4./[1 1.8 2.4 2.4 2.4 2.4]; 0.3*ones(1,6); 0.5./[1 2 2 2 2 2]], ones(1,3), 1.5)
    r = mva([0.4, 0.3, 0.5], 6, 1.5, rates=[[1, 1.8, 2.4], [1, 1, 1], [1, 2, 2]])
    assert r.utilization == pytest.approx([0.582868835978545, 0.588666686629529, 0.678269252837080],
                                          rel=1e-12)
    assert r.response_time == pytest.approx([0.438510831842017, 0.541765530620654, 0.577481178236774],
                                            rel=1e-12)
    assert r.number_in_system == pytest.approx([0.860455728105329, 1.063064399468497, 1.133146439278528],
                                               rel=1e-12)
    assert r.system_throughput == pytest.approx(1.962222288765098, rel=1e-12)


def test_load_dependent_is_stable_at_large_population():
    """p(0) from throughput ratios, not 1 - sum p(j): exact against rational convolution at N = 120."""
    D, Z, N = [F(3), F(1, 2), F(2)], F(5), 120
    alpha = (1, F(3, 2), F(7, 4), 2)
    exact = throughput_by_convolution(D, [alpha, 1, 4], Z, N)
    r = mva([3.0, 0.5, 2.0], N, 5.0, rates=[[1, 1.5, 1.75, 2], [1, 1, 1, 1], [1, 2, 3, 4]], history=True)
    assert r.throughput_by_population == pytest.approx([float(x) for x in exact], rel=1e-11)


def test_more_servers_than_customers_is_a_delay_station():
    # servers = 10**20 used to raise IndexError: c >= N servers never queue, exactly a delay station
    r = mva([0.2, 0.1], 5, servers=10**20)
    assert r.system_throughput == pytest.approx(5 / 0.3, rel=1e-14)
    assert r.waiting_time == pytest.approx([0.0, 0.0], abs=1e-15)
    assert r.utilization == pytest.approx([5 / 0.3 * 0.2 / 1e20, 5 / 0.3 * 0.1 / 1e20])
    r = mva([0.2, 0.1], 5, servers=[5, INF])  # c = N exactly
    assert r.system_throughput == pytest.approx(5 / 0.3, rel=1e-14)


def test_waiting_time_is_response_time_minus_service_time():
    V = np.array([1.0, 2.0, 4.0])
    r = mva(V * [0.5, 0.3, 0.2], 8, 2.5, [1, 2, INF], visits=V)
    assert r.waiting_time == pytest.approx(r.response_time - [0.5, 0.3, 0.2], rel=1e-12)
    assert r.waiting_time[2] == 0 and np.all(r.waiting_time[:2] > 0)


def test_a_station_never_visited():
    r = mva([0.5, 0.0, 0.3], 4, 1.0, visits=[1.0, 0.0, 1.0])
    ref = mva([0.5, 0.3], 4, 1.0)
    assert r.system_throughput == pytest.approx(ref.system_throughput, rel=1e-14)
    assert r.throughput[1] == 0 and r.response_time[1] == 0 and r.number_in_system[1] == 0


def test_work_limit_refuses_runs_of_minutes_before_starting():
    with pytest.raises(ParameterError, match="mva_approx") as info:
        mva([0.2, 0.1], 10**7)
    assert info.value.parameter == "population"
    assert mva([0.2, 0.1], 10**4, max_work=None).system_throughput == pytest.approx(5.0)
    with pytest.raises(ParameterError, match="max_work"):
        mva([0.2, 0.1, 0.3], 3000, servers=[40, 30, 20], max_work=1e6)


def test_a_constant_rate_is_a_faster_single_server():
    # alpha(n) = 2 for every n: the station of demand D behaves as one of demand D/2, in every reported metric
    a = mva([0.4, 0.3], 5, 1.0, rates=[[2, 2], [1, 1]])
    b = mva([0.2, 0.3], 5, 1.0)
    for name in ("system_throughput", "utilization", "number_in_system", "waiting_time", "residence_time"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-13), name
    c = mva([sp.Rational(2, 5), sp.Rational(3, 10)], 3, 1, rates=[[2, 2], [1, 1]])  # the symbolic path
    assert c.system_throughput == mva([sp.Rational(1, 5), sp.Rational(3, 10)], 3, 1).system_throughput


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.05, 3.0), min_size=1, max_size=4), st.integers(1, 40), st.floats(0.0, 5.0),
       st.lists(st.lists(st.floats(0.3, 4.0), min_size=1, max_size=5), min_size=4, max_size=4))
def test_load_dependent_laws_and_the_convolution(D, N, Z, rows):
    """MVA's X(1..N) = G(n-1)/G(n) of Buzen's convolution (an independent algorithm), and the laws."""
    L = max(len(r) for r in rows)
    rates = [r + [r[-1]] * (L - len(r)) for r in rows[: len(D)]]
    r = mva(D, N, Z, rates=rates, history=True)
    nc = normalizing_constant(D, N, Z, rates=rates)
    assert r.throughput_by_population == pytest.approx(nc.throughput, rel=1e-9)
    assert N == pytest.approx(r.system_throughput * (r.system_response_time + Z), rel=1e-9)  # Little
    assert np.all((r.utilization >= -1e-12) & (r.utilization <= 1 + 1e-9))  # a probability of being busy
    assert np.all(r.number_in_system >= -1e-12)
