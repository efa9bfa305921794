"""G/G/1 FCFS by the Lindley recursion, vectorized in NumPy."""

from __future__ import annotations

import numpy as np

from ._inputs import check_stable, generator, station_inputs
from .batching import customer_batches
from .result import PERCENTILES, SimulationResult, concat_rows, single_station_result

def lindley_waits(interarrival, service_prev, wait0=0.0):
    """Waiting times of consecutive customers by the Lindley recursion.

    :math:`W_n = \\max(0, W_{n-1} + S_{n-1} - A_n)` is solved in closed form
    for a whole block: with :math:`U_n = \\sum_{j\\le n}(S_{j-1} - A_j)`,

    .. math:: W_n = U_n - \\min\\bigl(-W_0,\\ \\min_{k\\le n} U_k\\bigr)

    (``np.cumsum`` and ``np.minimum.accumulate``: no Python loop).

    Parameters
    ----------
    interarrival : array
        :math:`A_n`, the time between customer n-1 and customer n.
    service_prev : array
        :math:`S_{n-1}`, the service time of the customer before each one.
    wait0 : float
        :math:`W_0`, the wait of the customer before the block (0: empty system).
    """
    u = np.cumsum(np.subtract(service_prev, interarrival))
    low = np.minimum.accumulate(u)
    np.minimum(low, -wait0, out=low)
    u -= low
    return np.maximum(u, 0.0, out=u)  # exact zeros despite rounding


def simulate_gg1(arrival_rate, mean_service_time, arrival_scv=1.0, service_scv=1.0, *,
                 arrival_family="gamma", service_family="gamma", customers=10**6, warmup=None,
                 batches=20, seed=0, confidence=0.95, percentiles=PERCENTILES,
                 allow_unstable=False) -> SimulationResult:
    """Simulate a G/G/1 FCFS queue (renewal arrivals, i.i.d. service, one server).

    The waiting times follow the Lindley recursion
    :math:`W_n = \\max(0, W_{n-1} + S_{n-1} - A_n)`, computed for a whole batch
    at once as :math:`W = U - \\min(\\text{running minimum of } U)` with
    :math:`U` the cumulative sum of :math:`S_{n-1} - A_n` (see
    :func:`lindley_waits`). The run is generated batch by batch, so memory stays
    bounded for 10^7 customers and more. Response time :math:`R = W + S`.

    Assumptions: interarrival and service times independent, each i.i.d. with
    the given mean, SCV and family (see :func:`~virtmodel.simulate.distribution`);
    infinite buffer; the system starts empty. Stable only for
    :math:`\\rho = \\lambda E[S] < 1`.

    Parameters
    ----------
    arrival_rate : float
        :math:`\\lambda` (1/s), > 0.
    mean_service_time : float
        :math:`E[S]` (s), > 0.
    arrival_scv, service_scv : float
        Squared coefficients of variation of the interarrival and service times.
    arrival_family, service_family : str
        Distribution families (default ``"gamma"``: exponential at SCV 1,
        constant at SCV 0).
    customers : int
        Customers measured after the warm-up.
    warmup : int, optional
        Customers simulated first and discarded (default ``customers // 10``).
    batches : int
        Batches for the batch-means intervals (default 20).
    seed : int, SeedSequence or Generator
        Seed of the NumPy generator (the same seed gives the same result).
    confidence : float
        Confidence level of the intervals (default 0.95, Student t).
    percentiles : tuple of float
        Response-time percentiles to estimate (default p50, p95, p99).
    allow_unstable : bool
        Simulate even if :math:`\\rho \\ge 1` (the estimates then depend on the
        run length, and ``utilization`` is the offered load, work arriving per
        unit time, as in the closed forms' sweeps); by default an
        :class:`~virtmodel.errors.UnstableError`.

    Returns
    -------
    SimulationResult
        Estimates with intervals of utilization, throughput, response and
        waiting time, numbers in system and in queue (time averages per batch
        by Little's law), and the response-time percentiles.

    Examples
    --------
    >>> r = simulate_gg1(0.5, 1.0, customers=10**5)
    >>> r.response_time.contains(2.0, 0.99)
    True

    References
    ----------
    D. V. Lindley, "The theory of queues with a single server", Proc. Cambridge
    Phil. Soc. 48 (1952) 277-289.
    """
    q = station_inputs(arrival_rate, mean_service_time, arrival_scv, service_scv, arrival_family,
                       service_family, customers, warmup, batches, confidence, percentiles)
    check_stable(q.arrival_rate * q.mean_service_time, "G/G/1", allow_unstable)
    rng = generator(seed)

    size = q.customers // q.batches
    wait, last_service = 0.0, 0.0
    parts = []
    for block, n in enumerate([q.warmup] * (q.warmup > 0) + [size] * q.batches):
        a = q.arrivals.sample(rng, n)
        s = q.services.sample(rng, n)
        s_prev = np.concatenate(([last_service], s[:-1]))
        w = lindley_waits(a, s_prev, wait)
        wait, last_service = float(w[-1]), float(s[-1])
        if block or not q.warmup:
            parts.append(customer_batches(a, w + s, s, 1.0, 1, quantiles=q.percentiles))
    return single_station_result(concat_rows(parts), q, "G/G/1 FCFS (Lindley recursion)")
