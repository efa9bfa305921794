"""simulate_vacations: inputs it cannot simulate in reasonable time are refused by name."""

import pytest

from virtmodel.errors import ParameterError
from virtmodel.simulate import simulate_vacations


def test_vacations_too_short_to_step_through_are_refused_by_name():
    # found by the public-API fuzz: mean_vacation=1e-320 stepped through ~1e320 vacations (and grew to 15 GB)
    with pytest.raises(ParameterError, match="mean_vacation"):
        simulate_vacations(0.5, 1.0, 1.0, 1e-320, 1.0)
    # lambda * E[V] underflows to 0 for the smallest subnormal: refused by name, not a ZeroDivisionError
    with pytest.raises(ParameterError, match="mean_vacation"):
        simulate_vacations(0.5, 1.0, 1.0, 5e-324, 1.0)


def test_vacations_of_a_huge_spread_are_refused_by_name_not_grown_without_bound():
    # found by an exhaustive pass of the public-API fuzz values: vacation_scv=1e308 draws vacations of
    # about 0 s, and the list of draws was doubled until memory ran out
    with pytest.raises(ParameterError, match="vacation_scv"):
        simulate_vacations(0.5, 1.0, 1.0, 0.2, 1e308, customers=2000)
