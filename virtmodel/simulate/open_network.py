"""Open queueing network with Markov routing: discrete-event simulation."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._inputs import (check_stable, confidence_level, generator, quantile_levels, run_lengths,
                      servers_vector, vector)
from ._network_engine import run_network
from .batching import time_batches
from .distributions import distribution
from .result import PERCENTILES, describe_batches, network_result


def visit_rates(arrival_rates, routing):
    """Station arrival rates from the traffic equations :math:`\\lambda = \\gamma + P^T\\lambda`."""
    k = len(arrival_rates)
    p = np.asarray(routing, dtype=float)
    if p.shape != (k, k) or np.isnan(p).any() or (p < 0).any() or (p.sum(axis=1) > 1 + 1e-12).any():
        raise ParameterError("routing", routing, f"a {k} x {k} matrix of probabilities with row sums <= 1")
    try:
        lam = np.linalg.solve(np.eye(k) - p.T, arrival_rates)
    except np.linalg.LinAlgError:
        lam = np.full(k, np.nan)
    if not np.isfinite(lam).all() or (lam < -1e-9).any():
        raise ParameterError("routing", routing, "a routing matrix from which every customer eventually leaves")
    return p, np.maximum(lam, 0.0)


def simulate_open_network(arrival_rates, routing, service_rates, servers=1, *, service_scv=1.0,
                          service_family="gamma", customers=10**5, warmup=None, batches=20, seed=0,
                          confidence=0.95, percentiles=PERCENTILES, allow_unstable=False):
    """Simulate an open network of FCFS multi-server stations with Markov routing.

    External Poisson arrivals enter station k at rate :math:`\\gamma_k`; after
    service at station i a customer goes to station j with probability
    :math:`P_{ij}` and leaves with probability :math:`1-\\sum_j P_{ij}`. With
    exponential service (the default) this is a Jackson network, so
    :func:`virtmodel.queueing.open_network` is exact for it. An event loop with
    a heap of departures (one Python step per event, O(log n)); statistics are
    batch means over equal stretches of simulated time.

    Parameters
    ----------
    arrival_rates : array (K,)
        External arrival rates :math:`\\gamma_k` (1/s), >= 0, not all 0.
    routing : array (K, K)
        Routing probabilities, row sums <= 1, every customer eventually leaves.
    service_rates : array (K,) or float
        :math:`\\mu_k` per server (1/s), > 0.
    servers : int, inf or array (K,)
        Servers per station (``inf``: a delay station).
    service_scv, service_family
        Service-time SCV (scalar or per station) and family (default
        exponential).
    customers : int
        Passages (customers leaving the network) measured after the warm-up.
    warmup, batches, seed, confidence, percentiles, allow_unstable
        As in :func:`~virtmodel.simulate.simulate_gg1`; the warm-up counts
        passages; ``percentiles`` are those of the end-to-end response time.

    Returns
    -------
    NetworkSimulationResult
        Per-station arrays (``response_time`` per visit, ``residence_time`` per
        passage) and ``system_throughput``, ``system_response_time``.

    Examples
    --------
    >>> r = simulate_open_network([1.0, 0.0], [[0, 1], [0, 0]], [2.0, 2.0], customers=20_000)
    >>> r.system_response_time.contains(2.0, 0.99)
    True
    """
    gamma = vector("arrival_rates", arrival_rates, allow_zero=True)
    k = gamma.size
    if gamma.sum() <= 0:
        raise ParameterError("arrival_rates", arrival_rates, "rates >= 0, at least one > 0")
    p, lam = visit_rates(gamma, routing)
    mu = vector("service_rates", service_rates, k)
    c = servers_vector("servers", servers, k)
    scv = vector("service_scv", service_scv, k, allow_zero=True)
    services = [distribution(1.0 / m, v, service_family) for m, v in zip(mu, scv)]
    customers, warmup, batches = run_lengths(customers, warmup, batches)
    confidence = confidence_level(confidence)
    percentiles = quantile_levels(percentiles)
    check_stable(lam / (c * mu), "open network", allow_unstable)
    routing_rows = np.hstack([p, 1.0 - p.sum(axis=1, keepdims=True)])
    visits, passages, start, end = run_network(
        generator(seed), services, c.tolist(), routing_rows, passages=customers, warmup=warmup,
        arrival_rate=gamma.sum(), entry=gamma / gamma.sum())
    station_rows, system_rows = time_batches(start, end, batches, visits, k, c, passages, percentiles)
    return network_result(
        station_rows, system_rows, confidence=confidence, model=f"open network, {k} stations (event loop)",
        method=describe_batches(batches, "equal simulated time", f"{warmup} passages", confidence),
        customers=customers, warmup=warmup, batches=batches)


__all__ = ["simulate_open_network", "visit_rates"]
