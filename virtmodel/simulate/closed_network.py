"""Closed queueing network with a think (delay) stage: discrete-event simulation."""

from __future__ import annotations

import numpy as np

from .._validate import whole
from ._inputs import confidence_level, generator, number, quantile_levels, run_lengths, servers_vector, vector
from ._network_engine import run_network
from .batching import time_batches
from .distributions import distribution
from .result import PERCENTILES, NetworkSimulationResult, describe_batches, network_result


def simulate_closed_network(demands, population, think_time=0.0, servers=1, *, visits=None,
                            service_scv=1.0, service_family="gamma", customers=5 * 10**4, warmup=None,
                            batches=20, seed=0, confidence=0.95,
                            percentiles=PERCENTILES) -> NetworkSimulationResult:
    """Simulate a closed network of ``population`` customers cycling through K stations.

    Each customer thinks (a delay of mean ``think_time``, exponential; none if
    0), then visits stations until it comes back to think. Routing is the same
    from every station: the next stop is station k with probability
    :math:`V_k/(1+\\sum_j V_j)` and the think stage with probability
    :math:`1/(1+\\sum_j V_j)`, so the mean visits per cycle are :math:`V_k`
    and the service time per visit is :math:`D_k/V_k`. With exponential
    service (the default) the network has product form and exact MVA
    (:func:`virtmodel.queueing.mva`) applies, whatever the routing with these
    visit ratios. An event loop with a heap of departures; statistics are
    batch means over equal stretches of simulated time.

    Parameters
    ----------
    demands : array (K,)
        Service demand per cycle :math:`D_k = V_k S_k` (s), > 0.
    population : int
        :math:`N` >= 1 customers.
    think_time : float
        :math:`Z` (s), >= 0, the mean of the exponential think time.
    servers : int, inf or array (K,)
        Servers per station (``inf``: a delay station).
    visits : array (K,), optional
        Visit ratios :math:`V_k` per cycle (default 1 each).
    service_scv, service_family
        Service-time SCV (scalar or per station) and family (default
        exponential; other values leave the product-form assumptions).
    customers : int
        Cycles (returns to the think stage) measured after the warm-up.
    warmup, batches, seed, confidence, percentiles
        As in :func:`~virtmodel.simulate.simulate_gg1`, counted in cycles;
        ``percentiles`` are those of the cycle response time (think excluded).

    Returns
    -------
    NetworkSimulationResult
        Per-station arrays (``response_time`` per visit, ``residence_time`` per
        cycle); ``system_throughput`` (cycles per second),
        ``system_response_time`` (per cycle, think time excluded: :math:`N/X - Z`).

    Examples
    --------
    >>> r = simulate_closed_network([0.1, 0.2], population=1, customers=20_000)
    >>> r.system_response_time.contains(0.3, 0.99)
    True
    """
    d = vector("demands", demands)
    k = d.size
    n = whole("population", population)
    z = number("think_time", think_time, allow_zero=True)
    v = np.ones(k) if visits is None else vector("visits", visits, k)
    c = servers_vector("servers", servers, k)
    scv = vector("service_scv", service_scv, k, allow_zero=True)
    customers, warmup, batches = run_lengths(customers, warmup, batches)
    confidence = confidence_level(confidence)
    percentiles = quantile_levels(percentiles)
    services = [distribution(dk / vk, s, service_family) for dk, vk, s in zip(d, v, scv)]
    think = distribution(z, 1.0, "exponential") if z > 0 else None
    weights = np.append(v, 1.0) / (v.sum() + 1.0)
    visits_out, passages, start, end = run_network(
        generator(seed), services + [think], c.tolist() + [np.inf], np.tile(weights, (k + 1, 1)),
        passages=customers, warmup=warmup, population=n)
    keep = visits_out[0] < k  # the think stage is not a station of the result
    visits_out = tuple(a[keep] for a in visits_out)
    station_rows, system_rows = time_batches(start, end, batches, visits_out, k, c, passages, percentiles)
    return network_result(
        station_rows, system_rows, confidence=confidence,
        model=f"closed network, {k} stations, N = {n}, Z = {z:g} (event loop)",
        method=describe_batches(batches, "equal simulated time", f"{warmup} cycles", confidence),
        customers=customers, warmup=warmup, batches=batches)
