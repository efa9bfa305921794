"""M/G/1 (indeed G/G/1) processor sharing by an event loop in virtual time."""

from __future__ import annotations

import heapq
import math

import numpy as np

from ._inputs import check_stable, generator, station_inputs
from .batching import customer_batches
from .result import PERCENTILES, SimulationResult, single_station_result


def ps_departure_times(arrival_times, services, measured):
    """Departure times of customers at a single egalitarian processor-sharing server.

    Virtual-time trick: with n customers present each is served at rate 1/n,
    so the attained-service clock :math:`V` advances at rate :math:`1/n`. A
    customer arriving at virtual time :math:`V_a` with work :math:`S` leaves
    when :math:`V = V_a + S`; those targets sit in a heap, so each arrival or
    departure costs O(log n). The loop stops when the first ``measured``
    customers have left (the later arrivals keep the load realistic until then).
    """
    arrivals = arrival_times.tolist()
    work = services.tolist()
    total = len(arrivals)
    depart = [math.nan] * total
    heap: list = []
    t = v = 0.0
    i = done = 0
    while done < measured:
        t_arr = arrivals[i] if i < total else math.inf
        n = len(heap)
        t_dep = t + (heap[0][0] - v) * n if n else math.inf
        if t_arr <= t_dep:
            if n:
                v += (t_arr - t) / n
            t = t_arr
            heapq.heappush(heap, (v + work[i], i))
            i += 1
        else:
            t = t_dep
            v, j = heapq.heappop(heap)
            depart[j] = t
            done += j < measured
    return np.array(depart)


def simulate_ps(arrival_rate, mean_service_time, service_scv=1.0, *, arrival_scv=1.0,
                arrival_family="gamma", service_family="gamma", customers=2 * 10**5, warmup=None,
                batches=20, seed=0, confidence=0.95, percentiles=PERCENTILES,
                allow_unstable=False) -> SimulationResult:
    """Simulate a single-server egalitarian processor-sharing queue (M/G/1-PS by default).

    An event loop over arrivals and departures in *virtual time* (the service
    each present customer has attained; it advances at rate 1/n with n
    present), with a heap of the customers' virtual departure times, so each
    event costs O(log n) (see :func:`ps_departure_times`). ``waiting_time`` is
    the response time minus the customer's own service time (the delay that
    sharing adds); ``number_in_queue`` correspondingly.

    Assumptions: Poisson arrivals by default (``arrival_scv`` and
    ``arrival_family`` give renewal arrivals), i.i.d. service times of the
    given mean, SCV and family; the system starts empty; stable only for
    :math:`\\rho = \\lambda E[S] < 1`. For M/G/1-PS the mean response time is
    insensitive to the service distribution: :math:`E[S]/(1-\\rho)`.

    Parameters
    ----------
    arrival_rate : float
        :math:`\\lambda` (1/s), > 0.
    mean_service_time : float
        :math:`E[S]` (s), > 0.
    service_scv : float
        SCV of the service time (default 1, exponential).
    customers, warmup, batches, seed, confidence, percentiles, allow_unstable
        As in :func:`~virtmodel.simulate.simulate_gg1`. Another ``warmup``
        customers arrive after the measured ones, so that the last measured
        customers share the server as in steady state.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> r = simulate_ps(0.5, 1.0, service_scv=4.0, customers=10**5)
    >>> r.response_time.contains(2.0, 0.99)
    True

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 2*, Wiley 1976, section 4.4.
    """
    q = station_inputs(arrival_rate, mean_service_time, arrival_scv, service_scv, arrival_family,
                       service_family, customers, warmup, batches, confidence, percentiles)
    check_stable(q.arrival_rate * q.mean_service_time, "M/G/1-PS", allow_unstable)
    rng = generator(seed)
    measured = q.warmup + q.customers
    n = measured + max(q.warmup, q.customers // 100)
    a = q.arrivals.sample(rng, n)
    s = q.services.sample(rng, n)
    arrival_times = np.cumsum(a)
    depart = ps_departure_times(arrival_times, s, measured)
    m = slice(q.warmup, measured)
    rows = customer_batches(a[m], (depart - arrival_times)[m], s[m], 1.0, q.batches,
                            quantiles=q.percentiles)
    return single_station_result(rows, q, "G/G/1 processor sharing (virtual-time event loop)")
