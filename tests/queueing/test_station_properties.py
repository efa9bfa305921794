"""Laws every single-station result obeys (Hypothesis): Little's law, R = W + S,
utilization = lambda S / c, monotonicity in the arrival rate, the no-load limit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.queueing import gg1, ggc, md1, mg1, mg1_ps, mm1, mmc, mmck

# name -> (servers, callable(arrival_rate, mean_service_time))
STATIONS = {
    "M/M/1": (1, lambda lam, m: mm1(lam, 1 / m)),
    "M/M/3": (3, lambda lam, m: mmc(lam, 1 / m, 3)),
    "M/M/2/6": (2, lambda lam, m: mmck(lam, 1 / m, 2, 6)),
    "M/G/1": (1, lambda lam, m: mg1(lam, m, 2.5)),
    "M/D/1": (1, lambda lam, m: md1(lam, 1 / m)),
    "G/G/1": (1, lambda lam, m: gg1(lam, m, 0.5, 2.0)),
    "G/G/1 KLB smooth": (1, lambda lam, m: gg1(lam, m, 0.5, 2.0, method="kraemer-langenbach-belz")),
    "G/G/1 KLB bursty": (1, lambda lam, m: gg1(lam, m, 3.0, 0.5, method="kraemer-langenbach-belz")),
    "G/G/3 AC": (3, lambda lam, m: ggc(lam, m, 3, 1.7, 0.3)),
    "G/G/3 Sakasegawa": (3, lambda lam, m: ggc(lam, m, 3, 1.7, 0.3, method="sakasegawa")),
    "M/G/1-PS": (1, lambda lam, m: mg1_ps(lam, m)),
}

rhos = st.floats(min_value=0.0, max_value=0.95)
means = st.floats(min_value=1e-3, max_value=1e3)
SETTINGS = settings(max_examples=40, deadline=None)


@pytest.mark.parametrize("name", STATIONS)
@SETTINGS
@given(rho=rhos, m=means)
def test_little_and_utilization(name, rho, m):
    c, station = STATIONS[name]
    lam = rho * c / m
    r = station(lam, m)
    assert r.number_in_system == pytest.approx(r.throughput * r.response_time, rel=1e-9, abs=1e-12)
    assert r.number_in_queue == pytest.approx(r.throughput * r.waiting_time, rel=1e-9, abs=1e-12)
    assert r.response_time == pytest.approx(r.waiting_time + m, rel=1e-9)
    # utilization = X S / c (carried load; X = lambda except for the finite buffer)
    assert r.utilization == pytest.approx(r.throughput * m / c, rel=1e-9, abs=1e-15)
    if r.blocking_probability is None:
        assert r.throughput == pytest.approx(lam, rel=1e-12)
    assert r.waiting_time >= 0


@pytest.mark.parametrize("name", STATIONS)
@SETTINGS
@given(rho=st.floats(min_value=0.0, max_value=0.9), step=st.floats(min_value=1e-3, max_value=0.05), m=means)
def test_response_time_increases_with_arrival_rate(name, rho, step, m):
    c, station = STATIONS[name]
    low, high = station(rho * c / m, m), station((rho + step) * c / m, m)
    assert high.response_time >= low.response_time * (1 - 1e-12)
    assert high.number_in_system > low.number_in_system


@pytest.mark.parametrize("name", STATIONS)
@SETTINGS
@given(m=means)
def test_no_load_limit_is_service_time(name, m):
    _, station = STATIONS[name]
    assert station(0.0, m).response_time == pytest.approx(m, rel=1e-12)
    assert station(1e-9 / m, m).response_time == pytest.approx(m, rel=1e-6)


@pytest.mark.parametrize("name", STATIONS)
@SETTINGS
@given(rho=st.floats(min_value=0.01, max_value=0.95), m=means)
def test_percentiles_are_ordered(name, rho, m):
    c, station = STATIONS[name]
    r = station(rho * c / m, m)
    t = r.response_time_percentile(np.array([0.5, 0.9, 0.99]))
    assert np.all(np.diff(t) > 0) and t[0] > 0
    assert t[2] > r.response_time  # the p99 is above the mean for all these distributions


@pytest.mark.parametrize("name", STATIONS)
def test_sweep_matches_scalar_calls(name):
    c, station = STATIONS[name]
    rho = np.array([0.0, 0.3, 0.8, 0.97])
    sweep = station(rho * c / 2.0, 2.0)
    for i, x in enumerate(rho):
        assert sweep.response_time[i] == pytest.approx(station(x * c / 2.0, 2.0).response_time, rel=1e-12)
