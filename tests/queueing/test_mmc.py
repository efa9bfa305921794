"""M/M/c: peer values, the M/M/1 limit, symbolic form, exact percentiles."""

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import quad

from virtmodel import ParameterError, SymbolicUnsupportedError, UnstableError
from virtmodel.queueing import erlang_c, mm1, mmc
from virtmodel.queueing.mmc import mmc_waiting_quantile


def test_peer_values():
    # peer value: GNU Octave queueing 1.2.7, qsmmm(3, 1, 4)
    r = mmc(3.0, 1.0, 4)
    assert r.utilization == pytest.approx(0.75)
    assert r.response_time == pytest.approx(1.50943396226415, rel=1e-12)
    assert r.number_in_system == pytest.approx(4.52830188679245, rel=1e-12)
    # peer value: GNU Octave queueing 1.2.7, qsmmm(9.5, 1, 10)
    r = mmc(9.5, 1.0, 10)
    assert r.response_time == pytest.approx(2.6511711562514, rel=1e-12)
    assert r.number_in_system == pytest.approx(25.1861259843883, rel=1e-12)


def test_textbook_mm2():
    # Kleinrock vol. 1, sec. 3.5 / Gross et al. sec. 2.3: M/M/2 with a = 1: C = 1/3, W = C/(2 mu - lambda)
    r = mmc(1.0, 1.0, 2)
    assert r.waiting_time == pytest.approx(1 / 3)
    assert r.response_time == pytest.approx(4 / 3)
    assert r.number_in_queue == pytest.approx(1 / 3)


def test_one_server_is_mm1():
    lam = np.linspace(0.0, 0.95, 20)
    a, b = mmc(lam, 2.0, 1), mm1(lam, 2.0)
    for name in ("utilization", "throughput", "response_time", "waiting_time", "number_in_system", "number_in_queue"):
        assert np.allclose(getattr(a, name), getattr(b, name), rtol=1e-12)
    assert np.allclose(a.response_time_percentile(0.95), b.response_time_percentile(0.95), rtol=1e-9)


def test_symbolic_textbook_expressions():
    lam, mu = sp.symbols("lambda mu", positive=True)
    # M/M/1 through the Erlang C path
    assert sp.simplify(mmc(lam, mu, 1).response_time - 1 / (mu - lam)) == 0
    # M/M/2: R = 1 / (mu (1 - rho^2)), rho = lambda / (2 mu) (Kleinrock vol. 1, exercise 3.x; Gross et al. 2.3)
    rho = lam / (2 * mu)
    r = mmc(lam, mu, 2)
    assert sp.simplify(r.response_time - 1 / (mu * (1 - rho**2))) == 0
    assert sp.simplify(r.number_in_system - 2 * rho / (1 - rho**2)) == 0
    assert "aligned" in r._repr_latex_()
    with pytest.raises(SymbolicUnsupportedError):
        r.response_time_percentile(sp.Rational(9, 10))


def _exact_cdf(t, lam, mu, c):
    """P(R <= t) by numerical convolution of W (atom + exponential) with S ~ exp(mu)."""
    pw = erlang_c(c, lam / mu)
    theta = c * mu - lam
    tail = quad(lambda s: theta * np.exp(-theta * s) * (1 - np.exp(-mu * (t - s))), 0, t)[0]
    return (1 - pw) * (1 - np.exp(-mu * t)) + pw * tail


@pytest.mark.parametrize("lam, mu, c", [(3.0, 1.0, 4), (1.0, 1.0, 2), (7.9, 2.0, 4), (0.5, 1.0, 8)])
def test_percentile_inverts_the_exact_cdf(lam, mu, c):
    # (1.0, 1.0, 2) has c mu - lambda = mu: the degenerate (Erlang-2) branch
    r = mmc(lam, mu, c)
    for p in (0.5, 0.9, 0.99):
        t = r.response_time_percentile(p)
        assert _exact_cdf(t, lam, mu, c) == pytest.approx(p, abs=1e-9)


def test_percentile_vectorized_and_masked():
    r = mmc(np.array([1.0, 3.0, 4.0, 5.0]), 1.0, 4)
    t = r.response_time_percentile(0.9)
    assert t.shape == (4,) and np.isfinite(t[:2]).all() and np.isinf(t[2:]).all()
    assert t[0] == pytest.approx(mmc(1.0, 1.0, 4).response_time_percentile(0.9))


def test_waiting_time_quantile_closed_form():
    # P(W > t) = C exp(-(c mu - lambda) t)
    t = mmc_waiting_quantile(3.0, 1.0, 4, 0.95)
    assert erlang_c(4, 3.0) * np.exp(-(4 - 3.0) * t) == pytest.approx(0.05)
    assert mmc_waiting_quantile(0.5, 1.0, 4, 0.5) == 0.0  # most arrivals do not wait


def test_unstable():
    with pytest.raises(UnstableError, match="1.25"):
        mmc(5.0, 1.0, 4)
    r = mmc(np.array([1.0, 5.0]), 1.0, 4)
    assert np.isinf(r.response_time[1]) and r.throughput[1] == 4.0


@pytest.mark.parametrize(
    "args, name",
    [((1.0, 1.0, 2.5), "servers"), ((1.0, 1.0, 0), "servers"), ((-1.0, 1.0, 2), "arrival_rate"),
     ((1.0, 0.0, 2), "service_rate"), ((1.0, float("nan"), 2), "service_rate"), ((1.0, 1.0, "2"), "servers")],
)
def test_bad_input(args, name):
    with pytest.raises(ParameterError, match=name):
        mmc(*args)
