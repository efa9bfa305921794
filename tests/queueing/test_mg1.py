"""M/G/1 (Pollaczek-Khinchine) and M/D/1: peer values, limits, symbolic forms, percentiles."""

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, SymbolicUnsupportedError, UnstableError
from virtmodel.queueing import md1, mg1, mm1


def test_peer_values():
    # peer value: GNU Octave queueing 1.2.7, qsmg1(0.5, 1.2, 5.04) (E[S^2] = 1.2^2 (1 + 2.5))
    r = mg1(0.5, 1.2, 2.5)
    assert r.utilization == pytest.approx(0.6)
    assert r.response_time == pytest.approx(4.35, rel=1e-12)
    assert r.number_in_system == pytest.approx(2.175, rel=1e-12)
    # peer value: GNU Octave queueing 1.2.7, qsmg1(0.6, 1, 1) (deterministic service)
    r = md1(0.6, 1.0)
    assert r.response_time == pytest.approx(1.75, rel=1e-12)
    assert r.number_in_system == pytest.approx(1.05, rel=1e-12)


def test_textbook_md1():
    # Gross et al., sec. 6.1: M/D/1 Lq = rho^2 / (2 (1 - rho)); rho = 0.5 -> 0.25
    assert md1(0.5, 1.0).number_in_queue == pytest.approx(0.25)


def test_limits_mm1_and_md1():
    lam = np.linspace(0.0, 0.9, 10)
    a, b = mg1(lam, 0.5, 1.0), mm1(lam, 2.0)
    assert np.allclose(a.response_time, b.response_time, rtol=1e-12)
    assert np.allclose(a.number_in_queue, b.number_in_queue, rtol=1e-12)
    # Takacs + gamma third moment is exact for exponential service: the gamma fit has shape 1
    assert np.allclose(a.response_time_percentile(0.99), b.response_time_percentile(0.99), rtol=1e-9)
    c, d = mg1(lam, 0.5, 0.0), md1(lam, 2.0)
    assert np.allclose(c.response_time, d.response_time, rtol=1e-12)
    assert np.allclose(c.response_time_percentile(0.9), d.response_time_percentile(0.9), rtol=1e-12)


def test_percentile_uses_takacs_variance():
    # M/D/1, lam = 0.5, m = 1: W = 0.5, E[W^2] = 2 W^2 + lam E[S^3] / (3 (1 - rho)) = 0.5 + 1/3
    # Var(R) = Var(W) = 1/3 + 0.25; gamma with mean 1.5 and that variance
    from scipy.stats import gamma

    var = 0.5 + 1 / 3 - 0.25
    k, theta = 1.5**2 / var, var / 1.5
    assert md1(0.5, 1.0).response_time_percentile(0.95) == pytest.approx(gamma.ppf(0.95, k, scale=theta), rel=1e-9)
    assert "gamma" in md1(0.5, 1.0).percentile_method


def test_symbolic_pollaczek_khinchine():
    lam, m, cs2, mu = sp.symbols("lambda m c_s2 mu", positive=True)
    rho = lam * m
    r = mg1(lam, m, cs2)
    # Kleinrock vol. 1, eq. 5.85: W = lambda E[S^2] / (2 (1 - rho)), E[S^2] = m^2 (1 + c_s^2)
    assert sp.simplify(r.waiting_time - lam * m**2 * (1 + cs2) / (2 * (1 - rho))) == 0
    assert sp.simplify(r.number_in_system - (rho + rho**2 * (1 + cs2) / (2 * (1 - rho)))) == 0
    d = md1(lam, mu)
    assert sp.simplify(d.waiting_time - (lam / mu) / (2 * mu * (1 - lam / mu))) == 0
    with pytest.raises(SymbolicUnsupportedError):
        d.response_time_percentile(sp.Rational(1, 2))


def test_unstable_and_sweep():
    with pytest.raises(UnstableError):
        mg1(2.0, 0.5, 1.0)
    with pytest.raises(UnstableError):
        md1(1.0, 1.0)
    r = mg1(np.array([0.5, 2.5]), 0.5, [0.0, 4.0])
    assert np.isfinite(r.response_time[0]) and np.isinf(r.response_time[1])


@pytest.mark.parametrize(
    "args, name",
    [((1.0, 0.5, -0.1), "service_scv"), ((1.0, 0.0, 1.0), "mean_service_time"), ((-1.0, 0.5, 1.0), "arrival_rate"),
     ((1.0, 0.5, float("nan")), "service_scv"), ((1.0, "0.5", 1.0), "mean_service_time")],
)
def test_bad_input(args, name):
    with pytest.raises(ParameterError, match=name):
        mg1(*args)


def test_md1_bad_input():
    with pytest.raises(ParameterError, match="service_rate"):
        md1(0.5, -1.0)


@pytest.mark.parametrize("m", [1e110, 1e150])
def test_a_huge_mean_keeps_takacs_variance(m):
    # lambda E[S^3] as rho m^2 E[(S/m)^3]: m^3 overflowed (inf, and 0 * inf = NaN with no load), so the
    # variance was NaN and the p90 silently the mean
    for rho in (0.0, 0.5):
        one, big = mg1(rho, 1.0, 1.0), mg1(rho / m, m, 1.0)
        assert big.response_variance / m**2 == pytest.approx(one.response_variance, rel=1e-12)
        assert big.response_time_percentile(0.9) / m == pytest.approx(one.response_time_percentile(0.9), rel=1e-9)
