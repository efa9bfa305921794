"""M/G/1 with exceptional first service (Welch 1964) vs a simulation of a halt/wake server,
against M/G/1, against Takagi's setup-time formula, and its limits."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from virtmodel.errors import ParameterError, UnstableError
from virtmodel.queueing import mg1
from virtmodel.queueing.mg1_exceptional import mg1_exceptional


def _gamma(rng, mean, scv, n):
    if scv == 0:
        return np.full(n, mean)
    return rng.gamma(1 / scv, mean * scv, n)


def _simulate_halt_wake(lam, m, scv, wake, wake_scv, n=200_000, seed=3):
    """A server that halts when it empties and pays a wake-up before serving the next arrival.

    Independent of Welch's formula: event by event, a customer who arrives to an
    empty (halted) server waits for the wake-up, then its service; the others wait
    for the server to be free (FCFS). Returns batch means of the response time and
    the share of customers who woke the server.
    """
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / lam, n)).tolist()
    services = _gamma(rng, m, scv, n).tolist()
    wakes = _gamma(rng, wake, wake_scv, n).tolist()
    free, response, woke = 0.0, np.empty(n), np.zeros(n, dtype=bool)
    for i, a in enumerate(arrivals):
        if free <= a:              # the server halted at `free`: this arrival wakes it
            start = a + wakes[i]
            woke[i] = True
        else:
            start = free
        free = start + services[i]
        response[i] = free - a
    keep = slice(n // 10, n)
    batches = np.array_split(response[keep], 20)
    return np.array([b.mean() for b in batches]), woke[keep].mean()


@pytest.mark.parametrize("lam, m, scv, wake, wake_scv", [
    (0.2, 1.0, 1.0, 2.0, 0.0),   # light load, a long deterministic wake-up
    (0.6, 1.0, 0.5, 0.5, 1.0),   # medium load, exponential wake-up
    (0.9, 1.0, 0.0, 3.0, 0.5),   # heavy load: few wake-ups
])
def test_matches_a_simulated_halt_and_wake_server(lam, m, scv, wake, wake_scv):
    means, woke = _simulate_halt_wake(lam, m, scv, wake, wake_scv)
    # the first service is the wake-up plus an ordinary service (independent): mean, SCV of the sum
    m0 = m + wake
    scv0 = (scv * m**2 + wake_scv * wake**2) / m0**2
    r = mg1_exceptional(lam, m, scv, m0, scv0)
    half = 3 * means.std(ddof=1) / np.sqrt(len(means))
    assert abs(means.mean() - r.response_time) < half + 1e-3 * r.response_time
    idle = 1 - r.utilization  # the share of customers who wake the server (PASTA)
    assert abs(woke - idle) < 0.01


def test_same_first_service_is_mg1():
    a = mg1_exceptional(0.7, 1.0, 0.8, 1.0, 0.8)
    b = mg1(0.7, 1.0, 0.8)
    assert a.response_time == pytest.approx(b.response_time, rel=1e-12)
    assert a.utilization == pytest.approx(b.utilization, rel=1e-12)


def test_setup_times_give_takagi_formula():
    lam, m, c, d, cd = sp.symbols("lambda m c d c_d", positive=True)
    m0 = m + d
    second0 = m**2 * (1 + c) + d**2 * (1 + cd) + 2 * m * d    # E[(S + D)^2]
    r = mg1_exceptional(lam, m, c, m0, second0 / m0**2 - 1)
    takagi = lam * m**2 * (1 + c) / (2 * (1 - lam * m)) + (2 * d + lam * d**2 * (1 + cd)) / (2 * (1 + lam * d)) + m
    assert sp.simplify(r.response_time - takagi) == 0


def test_limits():
    lam, m, c, m0, c0 = sp.symbols("lambda m c m_0 c_0", positive=True)
    r = mg1_exceptional(lam, m, c, m0, c0)
    assert sp.limit(r.response_time, lam, 0) == m0          # every arrival wakes the server
    assert sp.limit(1 - r.utilization, lam, 1 / m) == 0     # at saturation it never halts
    assert sp.simplify(r.number_in_system - lam * r.response_time) == 0  # Little


def test_light_load_numbers_and_errors():
    r = mg1_exceptional(np.array([0.0, 0.5]), 1.0, 1.0, 3.0, 0.0)
    assert r.response_time[0] == pytest.approx(3.0)
    with pytest.raises(ParameterError, match="mean_first_service"):
        mg1_exceptional(0.5, 1.0, 1.0, -1.0, 0.0)
    with pytest.raises(UnstableError):
        mg1_exceptional(1.0, 1.0, 1.0, 2.0, 0.0)
    with pytest.raises(NotImplementedError, match="not available"):
        mg1_exceptional(0.5, 1.0, 1.0, 2.0, 0.0).response_time_percentile(0.99)


@pytest.mark.parametrize("lam, wake", [(0.1, 2.0), (0.5, 1.0), (0.85, 0.5)])
def test_model_form_station_plus_setup_delay_matches_the_simulation(lam, wake):
    """The form the model uses (techniques/notifications.py): the queue at its ordinary work, plus
    Takagi's setup delay and the idle probability of the closed-form fixed point."""
    from virtmodel.queueing.mg1_exceptional import setup_delay
    from virtmodel.techniques.notifications import idle_probability

    m, scv = 1.0, 1.0
    means, woke = _simulate_halt_wake(lam, m, scv, wake, 0.0, seed=11)
    model = mg1(lam, m, scv).response_time + setup_delay(lam, wake, wake**2, 0)[0]
    half = 3 * means.std(ddof=1) / np.sqrt(len(means))
    assert abs(means.mean() - model) < half + 1e-3 * model
    assert abs(woke - idle_probability(lam, m, wake)) < 0.01


def test_model_form_equals_welch_symbolically():
    from virtmodel.queueing.mg1_exceptional import setup_delay
    from virtmodel.techniques.notifications import idle_probability

    lam, m, c, d, d2 = sp.symbols("lambda m c d d_2", positive=True)
    welch = mg1_exceptional(lam, m, c, m + d, (m**2 * (1 + c) + d2 + 2 * m * d) / (m + d)**2 - 1)
    assert sp.simplify(welch.response_time - (mg1(lam, m, c).response_time + setup_delay(lam, d, d2, 0)[0])) == 0
    # the model clamps the idle probability at 0 (a saturated vCPU is never idle); below saturation,
    # where Welch's form holds, the clamp is inactive: the model's form is Max(0, Welch's idle probability)
    clamped = idle_probability(lam, m, d)
    assert isinstance(clamped, sp.Max) and sp.Integer(0) in clamped.args
    (unclamped,) = [a for a in clamped.args if a != 0]
    assert sp.simplify((1 - welch.utilization) - unclamped) == 0


def test_unstable_sweep_points_report_the_offered_load_not_a_negative_busy_fraction():
    # found by the station fuzz: lambda*m = 3 gave utilization 1 - P0 = -1
    r = mg1_exceptional(1.0, 3.0, 0.0, 1.0, np.array([0.5, 0.5]))
    assert np.all(r.utilization == 3.0) and np.all(np.isinf(r.response_time))
