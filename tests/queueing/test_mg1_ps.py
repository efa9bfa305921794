"""M/G/1 processor sharing: textbook mean, insensitivity, symbolic form."""

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, UnstableError
from virtmodel.queueing import mg1_ps, mm1


def test_textbook_value_and_mm1_means():
    # Kleinrock vol. 2, sec. 4.4: R = m / (1 - rho); equal to M/M/1 FCFS means
    r = mg1_ps(0.5, 1.0)
    assert r.response_time == pytest.approx(2.0)
    assert r.number_in_system == pytest.approx(1.0)
    lam = np.linspace(0, 0.9, 7)
    assert np.allclose(mg1_ps(lam, 0.5).number_in_system, mm1(lam, 2.0).number_in_system)


def test_percentile_is_exponential_with_exact_mean():
    r = mg1_ps(0.8, 1.0)
    assert r.response_time_percentile(0.99) == pytest.approx(-5.0 * np.log(0.01))


def test_symbolic():
    lam, m = sp.symbols("lambda m", positive=True)
    r = mg1_ps(lam, m)
    assert sp.simplify(r.response_time - m / (1 - lam * m)) == 0
    assert sp.simplify(r.response_time_percentile(sp.Rational(1, 2)) - sp.log(2) * m / (1 - lam * m)) == 0


def test_bad_input_and_unstable():
    with pytest.raises(ParameterError, match="mean_service_time"):
        mg1_ps(0.5, -1.0)
    with pytest.raises(UnstableError):
        mg1_ps(2.0, 0.5)
