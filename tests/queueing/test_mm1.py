"""M/M/1 against textbook values, its symbolic form and its exact percentile."""

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, UnstableError
from virtmodel.queueing import mm1


def test_textbook_values():
    # Kleinrock, Queueing Systems Vol. 1, sec. 3.2: lambda=0.5, mu=1 -> rho=0.5,
    # N = rho/(1-rho) = 1, T = 1/(mu-lambda) = 2.
    r = mm1(0.5, 1.0)
    assert r.utilization == pytest.approx(0.5)
    assert r.number_in_system == pytest.approx(1.0)
    assert r.response_time == pytest.approx(2.0)
    assert r.waiting_time == pytest.approx(1.0)
    assert r.number_in_queue == pytest.approx(0.5)


def test_symbolic_matches_textbook_expressions():
    lam, mu = sp.symbols("lambda mu", positive=True)
    r = mm1(lam, mu)
    rho = lam / mu
    assert sp.simplify(r.response_time - 1 / (mu - lam)) == 0
    assert sp.simplify(r.number_in_system - rho / (1 - rho)) == 0
    assert sp.simplify(r.number_in_queue - rho**2 / (1 - rho)) == 0
    assert sp.simplify(r.response_time_percentile(sp.Rational(1, 2)) - sp.log(2) / (mu - lam)) == 0
    assert "aligned" in r._repr_latex_()


def test_percentile_is_exponential_quantile():
    r = mm1(0.8, 1.0)
    t99 = r.response_time_percentile(0.99)
    # P(R > t) = exp(-(mu - lambda) t) for M/M/1 (Kleinrock eq. 3.27 family)
    assert np.exp(-(1.0 - 0.8) * t99) == pytest.approx(0.01)


def test_array_sweep_masks_unstable_points():
    r = mm1(np.array([0.2, 0.9, 1.0, 1.5]), 1.0)
    assert np.isfinite(r.response_time[:2]).all()
    assert np.isinf(r.response_time[2:]).all()
    assert r.throughput[3] == pytest.approx(1.0)  # capacity where unstable
    assert list(r.stable) == [True, True, False, False]
    assert np.isinf(r.response_time_percentile(0.9)[3])


@pytest.mark.parametrize(
    "args, name",
    [((-1.0, 1.0), "arrival_rate"), ((0.5, 0.0), "service_rate"), ((float("nan"), 1.0), "arrival_rate"),
     (("0.5", 1.0), "arrival_rate"), ((0.5, [1.0, -2.0]), "service_rate")],
)
def test_bad_input_names_the_parameter(args, name):
    with pytest.raises(ParameterError, match=name):
        mm1(*args)


def test_unstable_scalar_states_utilization():
    with pytest.raises(UnstableError, match="1.25"):
        mm1(1.25, 1.0)
