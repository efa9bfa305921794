"""The station's response-time variance (queueing/mgc.py): the conditional wait of a fast M/G/1.

Var(R) = P_w T^2 (2 rho + (1 - rho) kappa - P_w) + v, kappa = 4 m E[S^3] / (3 E[S^2]^2) with a gamma
third moment. Exact at one server (Takacs) and for M/M/c; checked against the discrete-event
simulation elsewhere (octave-queueing has no M/G/1 variance, so the closed forms and the
simulation are the references).
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.queueing import erlang_c, ggc, mg1, mg1_multiclass, mgc_multiclass
from virtmodel.queueing.erlang_function import ErlangCOverLoad
from virtmodel.queueing.mgc import allen_cunneen, mgc_terms
from virtmodel.simulate.distributions import distribution
from virtmodel.simulate.multiserver import fcfs_start_times


@pytest.mark.parametrize("scv", [0.0, 0.25, 1.0, 4.0, 9.0])
@pytest.mark.parametrize("rho", [0.1, 0.5, 0.8, 0.97])
def test_one_server_is_takacs(rho, scv):
    # by hand: E[W^2] = 2W^2 + lambda E[S^3]/(3(1 - rho)), E[S^3] = m^3 (1 + s)(1 + 2s) (gamma)
    m = 0.7
    lam = rho / m
    w = lam * m**2 * (1 + scv) / (2 * (1 - rho))
    var_r = w**2 + lam * m**3 * (1 + scv) * (1 + 2 * scv) / (3 * (1 - rho)) + scv * m**2
    assert ggc(lam, m, 1, 1.0, scv).response_variance == pytest.approx(var_r, rel=1e-12)
    assert ggc(lam, m, 1, 1.0, scv).response_variance == pytest.approx(mg1(lam, m, scv).response_variance,
                                                                       rel=1e-12)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("third,scv", [(1.0, 0.0), (6.0, 1.0), (1.75, 0.25), (2.5, 0.5)])
def test_a_given_third_moment_is_takacs_at_one_server(rho, third, scv):
    """``service_third_moment`` (E[S^3], not a gamma's): at one server Takacs' variance with that moment.
    E[S^3]/m^3 = 1 with SCV 0 is deterministic service (M/D/1); 6 with SCV 1 the exponential (= the
    gamma default); 1.75 with SCV 0.25 and 2.5 with SCV 0.5 are two-point laws (values m(1 -+ sqrt(s)),
    E[S^3]/m^3 = 1 + 3s), not gammas."""
    m = 0.4
    lam, e3 = rho / m, third * m**3
    if scv not in (0.0, 1.0):
        assert third == pytest.approx(1 + 3 * scv)                       # the two-point law's moment
    w = lam * m**2 * (1 + scv) / (2 * (1 - rho))
    var_r = w**2 + lam * e3 / (3 * (1 - rho)) + scv * m**2
    got = allen_cunneen(lam, m, scv * m**2, 1, rho, service_third_moment=e3)["response_variance"]
    assert got == pytest.approx(var_r, rel=1e-12)
    if scv == 0.0:
        from virtmodel.queueing import md1
        assert got == pytest.approx(md1(lam, 1 / m).response_variance, rel=1e-12)
    if scv == 1.0:
        default = allen_cunneen(lam, m, m**2, 1, rho)["response_variance"]
        assert got == pytest.approx(default, rel=1e-12)


def test_one_server_is_takacs_symbolically():
    lam, m, v = sp.symbols("lambda m v", positive=True)
    w = lam * (m**2 + v) / (2 * (1 - lam * m))
    takacs = w**2 + lam * (m**2 + v) * (m**2 + 2 * v) / m / (3 * (1 - lam * m)) + v
    assert sp.simplify(mgc_terms(lam, m, v, 1).response_variance - takacs) == 0


@pytest.mark.parametrize("c", [1, 2, 3, 8, 40])
@pytest.mark.parametrize("rho", [0.05, 0.5, 0.9, 0.99])
def test_mmc_keeps_the_exponential_conditional_wait(c, rho):
    # M/M/c: W | wait is exponential of rate c mu - lambda, so Var(W) = C (2 - C) / (c mu - lambda)^2
    mu = 2.5
    lam = rho * c * mu
    pw = erlang_c(c, lam / mu)
    exact = pw * (2 - pw) / (c * mu - lam) ** 2 + 1 / mu**2
    assert ggc(lam, 1 / mu, c, 1.0, 1.0).response_variance == pytest.approx(exact, rel=1e-12)


def test_mmc_symbolically_in_c():
    lam, m = sp.symbols("lambda m", positive=True)
    c = sp.Symbol("c", integer=True, positive=True)
    pw = lam * m * ErlangCOverLoad(c, lam * m)
    tail = m / (c - lam * m)
    got = mgc_terms(lam, m, m**2, c).response_variance
    assert not got.has(sp.Piecewise)
    assert sp.simplify(got - ((2 * pw - pw**2) * tail**2 + m**2)) == 0


def test_symbolic_variance_matches_the_numbers():
    lam, m, v = sp.symbols("lambda m v", positive=True)
    c = sp.Symbol("c", integer=True, positive=True)
    expr = mgc_terms(lam, m, v, c).response_variance
    values = {lam: 2.2, m: 0.9, v: 0.4, c: 3}
    got = float(expr.subs(values).doit().evalf())
    assert got == pytest.approx(ggc(2.2, 0.9, 3, 1.0, 0.4 / 0.81).response_variance, rel=1e-10)


def test_multiclass_one_server_is_mg1_multiclass():
    lam, m, scv = [0.2, 0.15, 0.1], [1.0, 2.0, 0.5], [0.0, 3.0, 1.0]
    a, b = mgc_multiclass(lam, m, scv, 1), mg1_multiclass(lam, m, scv)
    for ka, kb in zip(a, b):
        assert ka.response_variance == pytest.approx(kb.response_variance, rel=1e-12)


def test_multiclass_one_class_is_ggc():
    r = mgc_multiclass([2.4], [1.0], [0.3], 4)[0]
    assert r.response_variance == pytest.approx(ggc(2.4, 1.0, 4, 1.0, 0.3).response_variance, rel=1e-12)


def test_variance_differs_from_the_exponential_form_where_it_should():
    # deterministic service at one server: Var(W) = W^2 + lambda m^3/(3(1 - rho)) < the exponential form's
    lam, m = 0.5, 1.0
    pw, tail = 0.5, 1.0
    exponential = (2 * pw - pw**2) * tail**2
    got = ggc(lam, m, 1, 1.0, 0.0).response_variance
    assert got == pytest.approx(0.25 + 0.5 / 1.5)
    assert got < exponential


# -- laws ------------------------------------------------------------------------------------------

SETTINGS = settings(max_examples=60, deadline=None)
servers = st.integers(min_value=1, max_value=12)
scvs = st.floats(min_value=0.0, max_value=20.0)
arrival_scvs = st.floats(min_value=0.0, max_value=10.0)


@SETTINGS
@given(c=servers, ca2=arrival_scvs, cs2=scvs, rho=st.floats(min_value=0.0, max_value=0.98))
def test_variance_is_at_least_the_service_variance(c, ca2, cs2, rho):
    m = 0.3
    r = ggc(rho * c / m, m, c, ca2, cs2)
    assert r.response_variance >= cs2 * m**2 * (1 - 1e-12)


@SETTINGS
@given(c=servers, ca2=arrival_scvs, cs2=scvs, rho=st.floats(min_value=0.01, max_value=0.95),
       step=st.floats(min_value=1e-3, max_value=0.04))
def test_variance_increases_with_load(c, ca2, cs2, rho, step):
    m = 2.0
    lo, hi = (ggc(r * c / m, m, c, ca2, cs2).response_variance for r in (rho, rho + step))
    assert hi >= lo * (1 - 1e-12)


@SETTINGS
@given(ca2=arrival_scvs, cs2=scvs, rho=st.floats(min_value=0.0, max_value=0.98),
       pw=st.floats(min_value=0.0, max_value=1.0))
def test_any_probability_of_waiting_keeps_a_nonnegative_waiting_variance(ca2, cs2, rho, pw):
    # the conditional wait's second moment 2 rho + (1 - rho) kappa is >= 1 >= P_w (kappa >= 1)
    m, c = 1.0, 3
    terms = allen_cunneen(rho * c / m, m, cs2 * m**2, c, pw, ca2)
    assert terms["response_variance"] >= cs2 * m**2 * (1 - 1e-12)


def test_non_poisson_arrivals_keep_the_mgc_shape_with_the_ggc_mean():
    # the conditional wait's SCV 2 rho + (1 - rho) kappa - 1 does not depend on c_a^2; its mean T does
    lam, m, c, cs2 = 1.5, 1.0, 2, 0.5
    kappa = 4 * (1 + 2 * cs2) / (3 * (1 + cs2))
    rho = lam * m / c
    pw = erlang_c(c, lam * m)
    for ca2 in (0.0, 0.5, 1.0, 3.0):
        tail = (ca2 + cs2) * m / (2 * (c - lam * m))
        expected = pw * tail**2 * (2 * rho + (1 - rho) * kappa) - (pw * tail) ** 2 + cs2 * m**2
        assert ggc(lam, m, c, ca2, cs2).response_variance == pytest.approx(expected, rel=1e-12)


# -- against the discrete-event simulation ---------------------------------------------------------

def _conditional_waits(c, cs2, rho, customers, seed):
    """Simulated waits of those who wait (M/G/c FCFS, gamma service of mean 1, Kiefer-Wolfowitz)."""
    rng = np.random.default_rng(seed)
    gaps = distribution(1 / (rho * c), 1.0, "gamma").sample(rng, customers)
    services = distribution(1.0, cs2, "gamma").sample(rng, customers)
    arrivals = np.cumsum(gaps)
    waits = (fcfs_start_times(arrivals, services, c) - arrivals)[customers // 20:]
    return waits[waits > 0]


# Measured with these seeds (10^6 customers): the conditional wait's SCV, simulated vs this form
# (the exponential form says 1 everywhere): off by 0.01-0.08 (mean 0.04), the exponential by 0.09-0.28.
CASES = [(c, cs2, rho) for c in (2, 4) for cs2 in (0.25, 4.0) for rho in (0.5, 0.8)]


def test_the_conditional_waits_shape_is_closer_than_the_exponential():
    errors_new, errors_exponential = [], []
    for k, (c, cs2, rho) in enumerate(CASES):
        w = _conditional_waits(c, cs2, rho, 10**6, seed=500 + k)
        simulated = w.var() / w.mean() ** 2
        kappa = 4 * (1 + 2 * cs2) / (3 * (1 + cs2))
        shape = 2 * rho + (1 - rho) * kappa - 1
        errors_new.append(abs(simulated - shape))
        errors_exponential.append(abs(simulated - 1))
        assert errors_new[-1] < 0.08, (c, cs2, rho, simulated, shape)
        if rho == 0.5:           # far from heavy traffic the two forms differ by 0.2 or more
            assert errors_new[-1] < errors_exponential[-1], (c, cs2, rho, simulated, shape)
    assert np.mean(errors_new) < 0.5 * np.mean(errors_exponential)


@pytest.mark.parametrize("scale", [1e-120, 1e-100, 1e-80, 1e80, 1e100, 1e120])
def test_the_variance_scales_with_the_square_of_the_mean(scale):
    # kappa is scale-free: computed from S/m it does not pass through m^4 (which under- or overflows
    # beyond about 1e-77 / 1e77 and gave NaN, and a p99 equal to the mean, where T^2 is a number)
    one = ggc(1.5, 1.0, 2, 0.7, 3.0)
    scaled = ggc(1.5 / scale, scale, 2, 0.7, 3.0)
    assert scaled.response_variance / scale**2 == pytest.approx(one.response_variance, rel=1e-12)
    assert scaled.response_time_percentile(0.99) / scale == pytest.approx(one.response_time_percentile(0.99),
                                                                           rel=1e-9)


@pytest.mark.parametrize("m", [1e-200, 1e-300])
def test_a_tiny_mean_keeps_a_number_not_nan(m):
    # below 1e-154 m^2 underflows (and the service variance with it): Var(R) is 0, as before mg1var
    r = ggc(0.5 / m, m, 2, 1.0, 0.5)
    assert r.response_variance == 0.0
    assert r.response_time_percentile(0.99) == r.response_time


def test_an_scv_beyond_a_floats_moments_keeps_a_number():
    # SCV 4.7e153: (1 + scv)(1 + 2 scv) overflows, so kappa as a ratio of moments was inf/inf, and with no
    # load P_w T^2 was 0 * inf (the station fuzz); kappa from its closed ratio, (P_w T) T
    r = ggc(0.0, 1.0, 1, 0.0, 4.740375954054589e153)
    assert r.response_variance == 4.740375954054589e153  # no wait: the service variance alone
    assert np.isfinite(ggc(1e-3, 1.0, 1, 0.0, 4.740375954054589e153).response_variance)


@pytest.mark.parametrize("scale", [1e-150, 1e-120, 1e120, 1e150])
def test_the_multiclass_variance_scales_with_the_square_of_the_means(scale):
    # the pooled third moment is taken over the pooled mean's cube: no m^3 under- or overflowing
    one = mgc_multiclass([0.5, 0.7], [1.0, 2.0], [0.5, 2.0], 3)
    scaled = mgc_multiclass([0.5 / scale, 0.7 / scale], [scale, 2 * scale], [0.5, 2.0], 3)
    for s, o in zip(scaled, one):
        assert s.response_variance / scale**2 == pytest.approx(o.response_variance, rel=1e-12)
