"""M/G/1 with several classes: FCFS, non-preemptive or preemptive-resume priority (event loop)."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace

import numpy as np

from .._validate import choice
from ..errors import ParameterError
from ._inputs import check_stable, confidence_level, generator, number, quantile_levels, run_lengths
from .batching import customer_batches
from .distributions import distribution
from .result import PERCENTILES, single_station_result


def _departures(arrivals, klass, work, discipline):
    """Departure times of all customers (classes 0 = highest); one queue per class, or one for FCFS."""
    n = len(arrivals)
    queues = [deque() for _ in range(int(klass.max()) + 1)] if discipline != "fcfs" else [deque()]
    remaining = work.copy()
    depart = np.empty(n)
    arr, cls, rem = arrivals.tolist(), klass.tolist(), remaining.tolist()
    preemptive = discipline == "preemptive"
    t, i, current, done = 0.0, 0, -1, 0

    def pick():
        for q in queues:
            if q:
                return q.popleft()
        return -1

    while done < n:
        next_arrival = arr[i] if i < n else np.inf
        if current < 0:
            if i >= n:
                break
            t = max(t, next_arrival)
            queues[0 if discipline == "fcfs" else cls[i]].append(i)
            i += 1
            current = pick()
            continue
        finish = t + rem[current]
        if next_arrival < finish:
            rem[current] -= next_arrival - t
            t = next_arrival
            queues[0 if discipline == "fcfs" else cls[i]].append(i)
            if preemptive and cls[i] < cls[current]:
                queues[cls[current]].appendleft(current)
                current = pick()
            i += 1
        else:
            t = finish
            depart[current] = t
            done += 1
            current = pick()
    return depart


def simulate_priority(arrival_rates, mean_service_times, service_scvs, discipline="nonpreemptive", *,
                      service_family="gamma", customers=2 * 10**5, warmup=None, batches=20, seed=0,
                      confidence=0.95, percentiles=PERCENTILES) -> tuple:
    """Simulate a multi-class M/G/1 queue: FCFS, non-preemptive or preemptive-resume priority.

    Poisson arrivals per class (merged), i.i.d. service per class of the given
    mean and SCV (``service_family`` as in :func:`~virtmodel.simulate.distribution`),
    class 0 highest priority, FCFS within a class; ``"fcfs"`` ignores the
    classes. Preempted jobs resume where they stopped. One event loop over
    arrivals and completions; the system starts empty and the first ``warmup``
    customers (all classes) are discarded.

    Parameters
    ----------
    arrival_rates, mean_service_times, service_scvs : sequences, one value per class
    discipline : {"nonpreemptive", "preemptive", "fcfs"}
    customers : int
        Measured customers, all classes together.
    warmup, batches, seed, confidence, percentiles
        As in :func:`~virtmodel.simulate.simulate_gg1`.

    Returns
    -------
    tuple of SimulationResult
        One per class (its own arrivals as the throughput; the utilization is its share).

    Examples
    --------
    >>> r = simulate_priority([0.3, 0.4], [1.0, 1.0], [1.0, 1.0], customers=10**5)
    >>> r[0].waiting_time.contains(1.0, 0.99)
    True

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 2*, Wiley 1976, section 3.6.
    """
    choice("discipline", discipline, ("nonpreemptive", "preemptive", "fcfs"))
    sequences = (arrival_rates, mean_service_times, service_scvs)
    if not all(np.ndim(v) == 1 for v in sequences) or \
            not (len(arrival_rates) == len(mean_service_times) == len(service_scvs)) or not len(arrival_rates):
        raise ParameterError("arrival_rates", arrival_rates, "one value per class, like the other sequences")
    lam = np.array([number(f"arrival_rates[{k}]", v) for k, v in enumerate(arrival_rates)])
    means = [number(f"mean_service_times[{k}]", v) for k, v in enumerate(mean_service_times)]
    services = [distribution(mk, number(f"service_scvs[{k}]", s, allow_zero=True), service_family)
                for k, (mk, s) in enumerate(zip(means, service_scvs))]
    check_stable(float(np.dot(lam, means)), "M/G/1 multi-class", False)
    customers, warmup, batches = run_lengths(customers, warmup, batches)
    level, quantiles = confidence_level(confidence), quantile_levels(percentiles)
    rng = generator(seed)
    n = warmup + customers
    arrivals = np.cumsum(rng.exponential(1 / lam.sum(), n))
    klass = rng.choice(len(lam), size=n, p=lam / lam.sum())
    work = np.empty(n)
    for k, dist in enumerate(services):
        mask = klass == k
        work[mask] = dist.sample(rng, int(mask.sum()))
    depart = _departures(arrivals, klass, work, discipline)
    results = []
    for k in range(len(lam)):
        idx = np.flatnonzero(klass[warmup:] == k) + warmup
        if len(idx) < 10 * batches:
            raise ParameterError("customers", customers, f"enough for {10 * batches} customers of class {k}")
        inter = np.diff(arrivals[idx], prepend=arrivals[idx[0]] - 1 / lam[k])
        response = depart[idx] - arrivals[idx]
        rows = customer_batches(inter, response, work[idx], 1.0, batches, quantiles=quantiles)
        q = SimpleNamespace(customers=len(idx), warmup=warmup, batches=batches, confidence=level)
        results.append(single_station_result(rows, q, f"M/G/1 {discipline} class {k} (event loop)"))
    return tuple(results)
