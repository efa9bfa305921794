"""M/M/c/K: peer values, loss-system and infinite-buffer limits, symbolic form, percentiles."""

import math

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, SymbolicUnsupportedError
from virtmodel.queueing import erlang_b, mmc, mmck


@pytest.mark.parametrize(
    "lam, mu, c, K, U, R, L, X, pK",
    [
        # peer values: GNU Octave queueing 1.2.7, qsmmmk(lambda, mu, c, K)
        (3.0, 1.0, 2, 5, 0.938366718027735, 1.95320197044335, 3.66563944530046, 1.87673343605547, 0.37442218798151),
        (0.8, 1.0, 1, 4, 0.702522608281771, 2.22493224932249, 1.56306520704426, 0.702522608281771, 0.121846739647787),
        (2.0, 1.0, 1, 3, 0.933333333333333, 2.42857142857143, 2.26666666666667, 0.933333333333333, 0.533333333333333),
        (9.0, 1.0, 10, 10, 0.748833096337572, 1.0, 7.48833096337572, 7.48833096337572, 0.167963226291586),
    ],
)
def test_peer_values(lam, mu, c, K, U, R, L, X, pK):
    r = mmck(lam, mu, c, K)
    assert r.utilization == pytest.approx(U, rel=1e-12)
    assert r.response_time == pytest.approx(R, rel=1e-12)
    assert r.number_in_system == pytest.approx(L, rel=1e-12)
    assert r.throughput == pytest.approx(X, rel=1e-12)
    assert r.blocking_probability == pytest.approx(pK, rel=1e-12)


def test_loss_system_is_erlang_b():
    loads = np.array([0.5, 5.0, 9.0, 30.0])
    r = mmck(loads, 1.0, 10, 10)
    assert np.allclose(r.blocking_probability, erlang_b(10, loads), rtol=1e-10)
    assert np.allclose(r.waiting_time, 0.0)
    assert np.allclose(r.response_time_percentile(0.9), -np.log(0.1))  # exponential service, no wait: exact


def test_huge_capacity_approaches_mmc():
    a, b = mmck(3.0, 1.0, 4, 2000), mmc(3.0, 1.0, 4)
    assert a.response_time == pytest.approx(b.response_time, rel=1e-10)
    assert a.blocking_probability < 1e-100
    # the exact Erlang mixture tends to the exact M/M/c law (an independent closed-form CDF)
    for p in (0.5, 0.9, 0.999):
        assert a.response_time_percentile(p) == pytest.approx(b.response_time_percentile(p), rel=1e-9)
    assert "exact" in a.percentile_method


def test_mm1k_percentile_is_the_truncated_erlang_mixture():
    # M/M/1/K: an accepted arrival finding n waits Erlang(n + 1, mu) in all (Gross et al. 2.5):
    # P(R > t) = sum_n q_n Q(n + 1, mu t), checked at the quantile the model returns
    from scipy.special import gammaincc

    lam, mu, K = 0.8, 1.0, 4
    p = np.array([0.8**n for n in range(K + 1)])
    p /= p.sum()
    q = p[:K] / p[:K].sum()
    for level in (0.5, 0.95, 0.99):
        t = mmck(lam, mu, 1, K).response_time_percentile(level)
        assert sum(q[n] * gammaincc(n + 1, mu * t) for n in range(K)) == pytest.approx(1 - level, rel=1e-9)


def test_always_stable_and_little():
    lam = np.array([0.0, 1.0, 10.0, 1e4])
    r = mmck(lam, 1.0, 2, 8)
    assert np.isfinite(r.response_time).all() and (r.utilization < 1).all()
    assert np.allclose(r.number_in_system, r.throughput * r.response_time)
    assert r.response_time[0] == pytest.approx(1.0)
    # at overwhelming load the system is always full: L -> K
    assert r.number_in_system[-1] == pytest.approx(8.0, rel=1e-3)


def test_number_in_system_from_state_probabilities():
    # L = sum n p_n, independently of the waiting-time mixture (Gross et al. 2.5)
    lam, mu, c, K = 2.5, 1.0, 2, 6
    a = lam / mu
    w = np.array([a**n / math.factorial(n) if n <= c else a**c / 2 * (a / c) ** (n - c) for n in range(K + 1)])
    p = w / w.sum()
    assert mmck(lam, mu, c, K).number_in_system == pytest.approx((np.arange(K + 1) * p).sum(), rel=1e-12)


def test_symbolic_mm1k():
    lam, mu = sp.symbols("lambda mu", positive=True)
    rho = lam / mu
    K = 3
    r = mmck(lam, mu, 1, K)
    # M/M/1/K blocking probability (1 - rho) rho^K / (1 - rho^(K+1)) (Kleinrock vol. 1, sec. 3.6)
    assert sp.simplify(r.blocking_probability - (1 - rho) * rho**K / (1 - rho ** (K + 1))) == 0
    # M/M/1/2: R = (mu + 2 lambda) / (mu (mu + lambda))
    assert sp.simplify(mmck(lam, mu, 1, 2).response_time - (mu + 2 * lam) / (mu * (mu + lam))) == 0
    with pytest.raises(SymbolicUnsupportedError):
        mmck(lam, mu, sp.Symbol("c", integer=True, positive=True), 4)


@pytest.mark.parametrize(
    "args, name",
    [((1.0, 1.0, 3, 2), "capacity"), ((1.0, 1.0, 1.5, 2), "servers"), ((1.0, 1.0, 1, 2.5), "capacity"),
     ((-1.0, 1.0, 1, 2), "arrival_rate"), ((1.0, -1.0, 1, 2), "service_rate")],
)
def test_bad_input(args, name):
    with pytest.raises(ParameterError, match=name):
        mmck(*args)
