"""The event loop shared by the open and the closed network simulators.

Stations are FCFS with ``c`` identical servers (``inf``: a delay station where
nobody waits). Customers move between them by Markov routing. Events are
departures (and, in an open network, external arrivals) in one heap ordered
by time; random numbers are drawn from NumPy in blocks, not one call per event.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_right
from collections import deque

import numpy as np


class _Stream:
    """Values of ``draw(n)`` handed out one at a time, drawn in blocks of 4096."""

    def __init__(self, draw):
        self._draw = draw
        self._buf: list = []

    def __call__(self) -> float:
        if not self._buf:
            self._buf = self._draw(4096).tolist()
        return self._buf.pop()


def _cumulative(row) -> list:
    cdf = np.cumsum(row, dtype=float)
    cdf[-1] = np.inf  # the last destination absorbs rounding
    return cdf.tolist()


def run_network(rng, services, servers, routing, *, passages, warmup, arrival_rate=0.0,
                entry=None, population=0):
    """Simulate until ``warmup + passages`` passages through the network are complete.

    Parameters
    ----------
    rng : numpy.random.Generator
    services : list of Distribution or None
        Service time of each station (``None``: zero time).
    servers : list of float
        Servers per station (``inf`` for a delay station).
    routing : (K, K+1) array
        Row k: the probabilities of going from station k to stations
        0..K-1, then of leaving (open) or of going to the reference station
        (closed: station K-1 is the reference, the think/delay stage, and the
        last column is unused).
    passages, warmup : int
        Passages to measure, and to discard first.
    arrival_rate, entry : float, (K,) array
        Open network: Poisson arrivals of this total rate, entering at
        station k with probability ``entry[k]``.
    population : int
        Closed network: this many customers, all starting at the reference
        station (the last one) at time 0.

    Returns
    -------
    visits : (station, arrive, depart, service) arrays of completed visits
    passages : (enter, leave) arrays (open: arrival to exit; closed: leaving
        the reference station to returning to it)
    start, end : the simulated interval after the warm-up
    """
    k_all = len(services)
    closed = population > 0
    reference = k_all - 1 if closed else None
    zero = lambda n: np.zeros(n)  # noqa: E731
    draw = [_Stream((lambda n, d=d: d.sample(rng, n)) if d is not None else zero) for d in services]
    uniform = _Stream(rng.random)
    cdfs = [_cumulative(row) for row in routing]
    busy = [0] * k_all
    waiting = [deque() for _ in range(k_all)]
    heap: list = []
    seq = itertools.count()
    visits: list = []
    enter: list = []
    leave: list = []
    started: dict = {}

    def arrive(k, cust, t):
        if busy[k] < servers[k]:
            busy[k] += 1
            s = draw[k]()
            heapq.heappush(heap, (t + s, next(seq), k, cust, t, s))
        else:
            waiting[k].append((cust, t))

    if closed:
        for cust in range(population):
            arrive(reference, cust, 0.0)
    else:
        entry_cdf = _cumulative(entry)
        gap = _Stream(lambda n: rng.exponential(1.0 / arrival_rate, n))
        heapq.heappush(heap, (gap(), next(seq), -1, 0, 0.0, 0.0))
    total = warmup + passages
    new_id = itertools.count(population)
    while len(leave) < total:
        t, _, k, cust, a, s = heapq.heappop(heap)
        if k < 0:  # external arrival (open network)
            cust = next(new_id)
            started[cust] = t
            arrive(bisect_right(entry_cdf, uniform()), cust, t)
            heapq.heappush(heap, (t + gap(), next(seq), -1, 0, 0.0, 0.0))
            continue
        visits.append((k, a, t, s))
        if waiting[k]:
            nxt, arrived = waiting[k].popleft()
            s2 = draw[k]()
            heapq.heappush(heap, (t + s2, next(seq), k, nxt, arrived, s2))
        else:
            busy[k] -= 1
        if k == reference:
            started[cust] = t
        j = bisect_right(cdfs[k], uniform())
        if closed and j == reference or not closed and j == k_all:
            enter.append(started.pop(cust))
            leave.append(t)
            if not closed:
                continue
        arrive(j, cust, t)
    station, arrive_t, depart_t, service = (np.array(c) for c in zip(*visits))
    start = leave[warmup - 1] if warmup else 0.0
    return (station, arrive_t, depart_t, service), (np.array(enter), np.array(leave)), start, leave[-1]
