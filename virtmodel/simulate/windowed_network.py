"""A closed tandem network with a window on some of its stations: discrete-event simulation.

The oracle of :func:`virtmodel.queueing.flow_equivalent.mva_window`. Each of
:math:`N` customers thinks (exponential, mean :math:`Z`; none if 0), visits the
outside stations in order, then waits in FCFS order for one of :math:`W`
tokens, visits the inside stations in order holding it, releases it and
thinks again. Service is exponential with mean :math:`D_k` per visit (one
visit per station per cycle); a station has :math:`c_k` servers (``inf``: a
delay). Statistics: the cycles completed in equal stretches of simulated time
after a warm-up (batch means, a Student-t interval).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..errors import ParameterError
from ._inputs import generator


@dataclass(frozen=True)
class WindowedRun:
    """Throughput (cycles per second) with its confidence half-width, and the response time :math:`N/X - Z`."""

    throughput: float
    halfwidth: float
    response_time: float

    def contains(self, value, rtol=0.0) -> bool:
        """True if ``value`` lies in the throughput's interval widened by ``rtol`` of the estimate."""
        return abs(value - self.throughput) <= self.halfwidth + rtol * self.throughput


def simulate_windowed_network(demands, population, think_time=0.0, servers=1, *, inside, window,
                              cycles=60_000, warmup=5_000, batches=20, seed=0, confidence=0.95) -> WindowedRun:
    """Simulate the windowed closed tandem network (module docstring); ``inside`` marks the stations
    behind the window (they must come after the outside ones in ``demands``' order)."""
    D = np.asarray(demands, dtype=float)
    K = D.size
    c = np.broadcast_to(np.asarray(servers, dtype=float), D.shape)
    inner = np.asarray(inside, dtype=bool)
    first_inside = int(np.argmax(inner)) if inner.any() else K
    if not inner[first_inside:].all():
        raise ParameterError("inside", inside, "the stations behind the window last, after the outside ones")
    rng = generator(seed)
    busy, queue = [0] * K, [deque() for _ in range(K)]
    free, gate, holding = int(window), deque(), set()
    heap, seq = [], itertools.count()
    done: list = []

    def go(k, cust, t):
        """Customer ``cust`` heads for station ``k`` at time ``t`` (the window's gate first)."""
        nonlocal free
        if k == first_inside and cust not in holding:
            if free == 0:
                gate.append(cust)
                return
            free -= 1
            holding.add(cust)
        while k < K and D[k] == 0:
            k += 1
        if k == K:
            finish(cust, t)
        elif busy[k] < c[k]:
            busy[k] += 1
            heapq.heappush(heap, (t + rng.exponential(D[k]), next(seq), k, cust))
        else:
            queue[k].append(cust)

    def finish(cust, t):
        nonlocal free
        if cust in holding:
            holding.discard(cust)
            free += 1
            if gate:
                go(first_inside, gate.popleft(), t)
        done.append(t)
        if think_time > 0:
            heapq.heappush(heap, (t + rng.exponential(think_time), next(seq), -1, cust))
        else:
            go(0, cust, t)

    for cust in range(int(population)):  # every customer starts thinking (at once when Z = 0)
        heapq.heappush(heap, (rng.exponential(think_time) if think_time > 0 else 0.0, next(seq), -1, cust))
    while len(done) < warmup + cycles:
        t, _, k, cust = heapq.heappop(heap)
        if k < 0:
            go(0, cust, t)
            continue
        if queue[k]:
            heapq.heappush(heap, (t + rng.exponential(D[k]), next(seq), k, queue[k].popleft()))
        else:
            busy[k] -= 1
        go(k + 1, cust, t)
    times = np.array(done[warmup:])
    edges = np.linspace(times[0], times[-1], batches + 1)
    counts, _ = np.histogram(times, edges)
    rates = counts / np.diff(edges)
    x = float(rates.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, batches - 1) * rates.std(ddof=1) / np.sqrt(batches))
    return WindowedRun(x, half, int(population) / x - think_time)


__all__ = ["WindowedRun", "simulate_windowed_network"]
