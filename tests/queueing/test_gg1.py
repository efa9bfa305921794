"""G/G/1 (Kingman) and G/G/c (Allen-Cunneen, Sakasegawa): exact limits, textbook values, symbolic forms."""

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, UnstableError
from virtmodel.queueing import gg1, ggc, mg1, mm1, mmc


def test_poisson_arrivals_give_pollaczek_khinchine():
    # Kingman with c_a^2 = 1 is the P-K formula exactly
    lam = np.linspace(0.0, 0.95, 12)
    for cs2 in (0.0, 0.5, 1.0, 3.0):
        assert np.allclose(gg1(lam, 1.0, 1.0, cs2).response_time, mg1(lam, 1.0, cs2).response_time, rtol=1e-12)


def test_exponential_is_mm1_including_percentile():
    a, b = gg1(0.8, 1.0, 1.0, 1.0), mm1(0.8, 1.0)
    assert a.response_time == pytest.approx(b.response_time)
    # atom (1 - rho) + exponential tail is the exact M/M/1 waiting time: the fit is exact
    assert a.response_time_percentile(0.99) == pytest.approx(b.response_time_percentile(0.99), rel=1e-9)


def test_kingman_textbook_value():
    # Hopp & Spearman, Factory Physics, "VUT" equation: ca2 = 0.5, cs2 = 0.25, u = 0.8, te = 1
    # CTq = ((0.5 + 0.25) / 2) (0.8 / 0.2) 1 = 1.5
    assert gg1(0.8, 1.0, 0.5, 0.25).waiting_time == pytest.approx(1.5)
    assert gg1(0.8, 1.0, 0.5, 0.25, method="allen-cunneen").waiting_time == pytest.approx(1.5)


def test_allen_cunneen_exact_for_mmc_and_kingman_for_one_server():
    lam = np.array([0.5, 2.0, 3.5])
    assert np.allclose(ggc(lam, 1.0, 4, 1.0, 1.0).response_time, mmc(lam, 1.0, 4).response_time, rtol=1e-12)
    assert np.allclose(ggc(lam / 4, 1.0, 1, 0.3, 2.0).waiting_time, gg1(lam / 4, 1.0, 0.3, 2.0).waiting_time)


def test_allen_cunneen_scales_mmc_wait():
    # Allen (1990) sec. 6.3: W_GG = W_MMc (ca2 + cs2) / 2
    assert ggc(3.0, 1.0, 4, 0.5, 1.5).waiting_time == pytest.approx(mmc(3.0, 1.0, 4).waiting_time)
    assert ggc(3.0, 1.0, 4, 2.0, 2.0).waiting_time == pytest.approx(2 * mmc(3.0, 1.0, 4).waiting_time)


def test_sakasegawa_textbook_value():
    # Hopp & Spearman eq. 8.10: CTq = ((ca2 + cs2)/2) u^(sqrt(2(m+1)) - 1) / (m (1 - u)) te
    u, m, te = 0.9, 3, 1.0
    expected = 1.0 * u ** (np.sqrt(8) - 1) / (m * (1 - u)) * te
    assert ggc(u * m / te, te, m, 1.0, 1.0, method="sakasegawa").waiting_time == pytest.approx(expected)
    # and it is close to the exact M/M/c value (within ~10 % here)
    assert expected == pytest.approx(mmc(2.7, 1.0, 3).waiting_time, rel=0.1)


def test_symbolic_forms():
    lam, m, ca2, cs2 = sp.symbols("lambda m c_a2 c_s2", positive=True)
    rho = lam * m
    w = gg1(lam, m, ca2, cs2).waiting_time
    # Kingman (1961): W = rho/(1-rho) (ca2 + cs2)/2 m
    assert sp.simplify(w - rho / (1 - rho) * (ca2 + cs2) / 2 * m) == 0
    # Allen-Cunneen with two servers: C(2, a) = a^2 / (2 + a), W = C m / (2 (1 - rho)) (ca2+cs2)/2
    a = lam * m
    w2 = ggc(lam, m, 2, ca2, cs2).waiting_time
    assert sp.simplify(w2 - a**2 / (2 + a) * m / (2 * (1 - a / 2)) * (ca2 + cs2) / 2) == 0


def test_percentile_and_sweep():
    r = ggc(np.array([1.0, 3.9, 4.5]), 1.0, 4, 2.0, 0.5)
    t = r.response_time_percentile(0.9)
    assert np.isfinite(t[:2]).all() and np.isinf(t[2]) and t[1] > t[0]
    assert "atom" in r.percentile_method
    with pytest.raises(UnstableError):
        gg1(1.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    "call, name",
    [(lambda: gg1(0.5, 1.0, -1.0, 1.0), "arrival_scv"), (lambda: gg1(0.5, 1.0, 1.0, -1.0), "service_scv"),
     (lambda: gg1(0.5, 1.0, 1.0, 1.0, method="whitt"), "method"), (lambda: gg1(0.5, 0.0, 1.0, 1.0), "mean_service_time"),
     (lambda: ggc(0.5, 1.0, 1.5, 1.0, 1.0), "servers"), (lambda: ggc(0.5, 1.0, 2, 1.0, 1.0, method="kingman"), "method"),
     (lambda: ggc(float("nan"), 1.0, 2, 1.0, 1.0), "arrival_rate")],
)
def test_bad_input(call, name):
    with pytest.raises(ParameterError, match=name):
        call()


def test_kraemer_langenbach_belz():
    # Bolch et al., Queueing Networks and Markov Chains, sec. 6.3.4 (KLB formula), by hand:
    # rho = 0.8, ca2 = 0.5, cs2 = 0.25: g = exp(-2 * 0.2 * 0.25 / (3 * 0.8 * 0.75)) = exp(-1/18), W = 1.5 g
    w = gg1(0.8, 1.0, 0.5, 0.25, method="kraemer-langenbach-belz").waiting_time
    assert w == pytest.approx(1.5 * np.exp(-1 / 18), rel=1e-12)
    lam = np.array([0.0, 0.5, 0.9])
    # D/D/1 never waits below saturation: KLB is exact there (Kingman is not)
    assert np.all(gg1(lam, 1.0, 0.0, 0.0, method="kraemer-langenbach-belz").waiting_time == 0)
    # Poisson arrivals: g = 1, the P-K formula
    assert np.allclose(gg1(lam, 1.0, 1.0, 0.3, method="kraemer-langenbach-belz").waiting_time,
                       mg1(lam, 1.0, 0.3).waiting_time)
    # bursty arrivals: g = exp(-(1 - rho)(ca2 - 1)/(ca2 + 4 cs2)) < 1
    assert gg1(0.5, 1.0, 2.0, 0.3, method="kraemer-langenbach-belz").waiting_time == pytest.approx(
        gg1(0.5, 1.0, 2.0, 0.3).waiting_time * np.exp(-0.5 / 3.2))
    ca2 = sp.Symbol("c_a2", positive=True)
    assert gg1(sp.Rational(1, 2), 1, ca2, 1, method="kraemer-langenbach-belz").waiting_time.has(sp.Piecewise)
