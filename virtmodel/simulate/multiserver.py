"""G/G/c FCFS (optionally with a finite buffer) by the Kiefer-Wolfowitz recursion."""

from __future__ import annotations

import heapq
import math

import numpy as np

from .._validate import whole
from ..errors import ParameterError
from ._inputs import check_stable, generator, station_inputs
from .batching import customer_batches
from .result import PERCENTILES, SimulationResult, single_station_result


def fcfs_start_times(arrival_times, services, servers, capacity=math.inf):
    """Service start times of FCFS customers on ``servers`` identical servers.

    Kiefer-Wolfowitz: keep the times at which each server becomes free in a
    heap; customer n starts at ``max(arrival, earliest free time)`` and that
    server is then free at start + service. With a finite ``capacity`` (total
    places, queue + servers) a second heap holds the departure times of those
    present; an arrival that finds ``capacity`` customers present is blocked
    (start time NaN). One Python step per customer, O(log c) each.
    """
    free = [0.0] * int(servers)
    present: list = []
    start = []
    limited = capacity < math.inf
    for a, s in zip(arrival_times.tolist(), services.tolist()):
        if limited:
            while present and present[0] <= a:
                heapq.heappop(present)
            if len(present) >= capacity:
                start.append(math.nan)
                continue
        f = free[0]
        b = a if a > f else f
        heapq.heapreplace(free, b + s)
        if limited:
            heapq.heappush(present, b + s)
        start.append(b)
    return np.array(start)


def simulate_ggc(arrival_rate, mean_service_time, servers, arrival_scv=1.0, service_scv=1.0, *,
                 capacity=math.inf, arrival_family="gamma", service_family="gamma", customers=2 * 10**5,
                 warmup=None, batches=20, seed=0, confidence=0.95, percentiles=PERCENTILES,
                 allow_unstable=False) -> SimulationResult:
    """Simulate a G/G/c FCFS queue, optionally with a finite buffer (G/G/c/K).

    Customers are served in arrival order by ``servers`` identical servers; the
    start times come from the Kiefer-Wolfowitz recursion on the servers' free
    times (:func:`fcfs_start_times`, one Python step per customer, about a
    microsecond each). With ``capacity`` K, an arrival finding K customers
    present is lost; the result then has ``blocking_probability`` and the
    throughput is that of the accepted customers (so M/M/c/K is checked
    directly).

    Assumptions: renewal arrivals and i.i.d. service times of the given mean,
    SCV and family, independent; the system starts empty. Without a capacity
    the queue is stable only for :math:`\\rho = \\lambda E[S]/c < 1`.

    Parameters
    ----------
    arrival_rate : float
        :math:`\\lambda` (1/s), > 0.
    mean_service_time : float
        :math:`E[S]` (s), > 0.
    servers : int
        :math:`c` >= 1.
    arrival_scv, service_scv, arrival_family, service_family
        As in :func:`~virtmodel.simulate.simulate_gg1`.
    capacity : int or inf
        K >= servers, the places in the system (queue + in service).
    customers, warmup, batches, seed, confidence, percentiles, allow_unstable
        As in :func:`~virtmodel.simulate.simulate_gg1`; ``customers`` counts
        arrivals (blocked ones included). Response-time statistics are over
        accepted customers.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> r = simulate_ggc(1.5, 1.0, servers=2, customers=10**5)
    >>> round(float(r.utilization.mean), 1)
    0.8

    References
    ----------
    J. Kiefer and J. Wolfowitz, "On the theory of queues with many servers",
    Trans. AMS 78 (1955) 1-18.
    """
    q = station_inputs(arrival_rate, mean_service_time, arrival_scv, service_scv, arrival_family,
                       service_family, customers, warmup, batches, confidence, percentiles)
    c = whole("servers", servers, maximum=q.customers)  # more servers than customers: nobody ever waits
    if not isinstance(c, int):
        raise ParameterError("servers", servers, "a whole number (the simulation takes numbers only)")
    k = whole("capacity", capacity, allow_inf=True)
    if k < c:
        raise ParameterError("capacity", capacity, f">= servers = {c}")
    if k == math.inf:
        check_stable(q.arrival_rate * q.mean_service_time / c, f"G/G/{c}", allow_unstable)
    rng = generator(seed)
    n = q.warmup + q.customers
    a = q.arrivals.sample(rng, n)
    s = q.services.sample(rng, n)
    arrival_times = np.cumsum(a)
    start = fcfs_start_times(arrival_times, s, c, k)
    response = start - arrival_times + s
    accepted = None if k == math.inf else ~np.isnan(start)
    m = slice(q.warmup, None)
    rows = customer_batches(a[m], response[m], s[m], float(c), q.batches,
                            accepted=None if accepted is None else accepted[m], quantiles=q.percentiles)
    model = f"G/G/{c} FCFS" + ("" if k == math.inf else f"/{k}") + " (Kiefer-Wolfowitz recursion)"
    return single_station_result(rows, q, model)
