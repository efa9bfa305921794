"""M/G/1 processor sharing: textbook mean, insensitivity, symbolic form."""

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, SymbolicUnsupportedError, UnstableError
from virtmodel.queueing import mg1_ps, mm1
from virtmodel.queueing._ps_sojourn import EXACT_MAX_POINTS, EXACT_MAX_RHO, survival_coefficients


def test_textbook_value_and_mm1_means():
    # Kleinrock vol. 2, sec. 4.4: R = m / (1 - rho); equal to M/M/1 FCFS means
    r = mg1_ps(0.5, 1.0)
    assert r.response_time == pytest.approx(2.0)
    assert r.number_in_system == pytest.approx(1.0)
    lam = np.linspace(0, 0.9, 7)
    assert np.allclose(mg1_ps(lam, 0.5).number_in_system, mm1(lam, 2.0).number_in_system)


@pytest.mark.parametrize("rho", [0.3, 0.8, 0.95])
def test_exact_law_has_the_known_mean_and_scv(rho):
    # Coffman, Muntz, Trotter (1970): M/M/1-PS sojourn mean 1/(mu(1-rho)), SCV (2+rho)/(2-rho)
    a = survival_coefficients(rho, 1e-14)
    k = np.arange(len(a))
    mean = a.sum() / (1 + rho)  # integral of the Poisson mixture: sum a_k / Lambda
    second = 2 * ((k + 1) * a).sum() / (1 + rho) ** 2
    assert mean == pytest.approx(1 / (1 - rho), rel=1e-9)
    assert second / mean**2 - 1 == pytest.approx((2 + rho) / (2 - rho), rel=1e-8)


def test_issue_defect_p99_is_not_exponential():
    # issue 11: gave 3.47/14.98/23.03 (an exponential); the simulation gives about 2.35/18.5/36
    r = mg1_ps(0.8, 1.0)
    assert [r.response_time_percentile(p) for p in (0.5, 0.95, 0.99)] == pytest.approx(
        [2.3517, 18.748, 36.941], rel=1e-4)
    assert "exact" in r.percentile_method and "exponential distribution with" not in r.percentile_method


def test_limits_and_scaling():
    # no load: the sojourn is the job's own exponential service
    assert mg1_ps(1e-9, 2.0).response_time_percentile(0.9) == pytest.approx(-2.0 * np.log(0.1), rel=1e-6)
    # time scales with the mean service time; unstable points of a sweep are inf
    lam = np.array([0.1, 0.4, 0.6])
    q = mg1_ps(lam, 1.0).response_time_percentile(0.95)
    assert np.allclose(mg1_ps(lam / 3, 3.0).response_time_percentile(0.95), 3 * q, rtol=1e-9)
    assert np.isinf(mg1_ps(np.array([0.5, 1.5]), 1.0).response_time_percentile(0.99)[1])
    assert (np.diff(q) > 0).all()


def test_gamma_fit_beyond_the_exact_range_is_continuous():
    # above EXACT_MAX_RHO a gamma fit to the exact mean and SCV; at the edge it agrees within 1%
    exact = mg1_ps(EXACT_MAX_RHO, 1.0).response_time_percentile(0.99)
    fit = mg1_ps(EXACT_MAX_RHO + 1e-9, 1.0).response_time_percentile(0.99)
    assert fit == pytest.approx(exact, rel=0.01)
    many = mg1_ps(np.linspace(0.1, 0.9, EXACT_MAX_POINTS + 1), 1.0).response_time_percentile(0.99)
    assert np.isfinite(many).all() and (np.diff(many) > 0).all()


def test_symbolic():
    lam, m = sp.symbols("lambda m", positive=True)
    r = mg1_ps(lam, m)
    assert sp.simplify(r.response_time - m / (1 - lam * m)) == 0
    with pytest.raises(SymbolicUnsupportedError):
        r.response_time_percentile(sp.Rational(1, 2))


def test_bad_input_and_unstable():
    with pytest.raises(ParameterError, match="mean_service_time"):
        mg1_ps(0.5, -1.0)
    with pytest.raises(UnstableError):
        mg1_ps(2.0, 0.5)
