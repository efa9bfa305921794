"""Multi-class networks with open and closed classes, FCFS, PS and delay stations: event loop."""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_right
from collections import deque

import numpy as np

from .._validate import choice, whole
from ..errors import ParameterError
from ._inputs import check_stable, confidence_level, generator, run_lengths, servers_vector, vector
from ._network_engine import _Stream
from .batching import time_batches
from .result import NetworkSimulationResult, describe_batches, network_result

DISCIPLINES = ("FCFS", "PS", "IS")


class _PS:
    """One egalitarian processor-sharing server, in virtual time (see :mod:`.processor_sharing`)."""

    def __init__(self):
        self.v = self.t = 0.0
        self.jobs: list = []  # heap of (virtual finish, cust)
        self.version = 0

    def advance(self, t):
        if self.jobs:
            self.v += (t - self.t) / len(self.jobs)
        self.t = t

    def next_departure(self):
        return self.t + (self.jobs[0][0] - self.v) * len(self.jobs) if self.jobs else None


def _inputs(arrival_rates, populations, demands, servers, visits, think_times, disciplines):
    D = np.asarray(demands, dtype=float)
    if D.ndim != 2:
        raise ParameterError("demands", demands, "a stations x classes array (K, C)")
    K, C = D.shape
    lam = vector("arrival_rates", arrival_rates, C, allow_zero=True)
    N = np.array([whole("populations", n, minimum=0) for n in np.broadcast_to(populations, (C,))])
    if np.any((lam > 0) == (N > 0)):
        raise ParameterError("populations", populations,
                             "> 0 exactly for the classes whose arrival rate is 0")
    V = np.ones((K, C)) if visits is None else vector("visits", np.ravel(visits), K * C).reshape(K, C)
    vector("demands", D.ravel(), K * C, allow_zero=True)
    if np.any((V == 0) != (D == 0)):
        raise ParameterError("visits", visits, "> 0 exactly where the demand is > 0")
    c = servers_vector("servers", servers, K)
    if disciplines is None:
        rules = ["IS" if np.isinf(x) else "FCFS" for x in c]
    else:
        given = np.broadcast_to(np.asarray(disciplines, dtype=object), (K,))
        rules = [choice("disciplines", d, DISCIPLINES) for d in given]
    for k, d in enumerate(rules):
        if (d == "IS") != bool(np.isinf(c[k])) or (d == "PS" and c[k] != 1):
            raise ParameterError("disciplines", d, "IS at delay stations, PS only with one server",
                                 f"station {k} has {c[k]:g} servers")
    Z = vector("think_times", think_times, C, allow_zero=True)
    return D, V, lam, N, c, rules, Z


def simulate_multiclass_network(arrival_rates, populations, demands, servers=1, *, visits=None,
                                think_times=0.0, disciplines=None, customers=5 * 10**4, warmup=None,
                                batches=20, seed=0, confidence=0.95) -> NetworkSimulationResult:
    """Simulate a network of open and closed classes with exponential service.

    Class c is open (Poisson arrivals at rate :math:`\\lambda_c`) when its
    population is 0, closed (:math:`N_c` customers, exponential think time
    :math:`Z_c` between cycles) otherwise. A class-c customer's next stop is
    station k with probability :math:`V_{kc}/(1+\\sum_j V_{jc})`, and it
    leaves (open) or goes to think (closed) with probability
    :math:`1/(1+\\sum_j V_{jc})`, so it makes :math:`V_{kc}` visits per
    passage on average, each an exponential service of mean
    :math:`D_{kc}/V_{kc}`. Stations are FCFS with c servers, single-server
    PS, or delay (IS). With class-independent means at FCFS stations this is
    a BCMP network, so :func:`virtmodel.queueing.open_multiclass` and
    :func:`virtmodel.queueing.mixed_network` are exact for it. One event loop
    (a heap of events; PS stations in virtual time); batch means over equal
    stretches of simulated time.

    Parameters
    ----------
    arrival_rates : array (C,)
        :math:`\\lambda_c` (1/s): > 0 for open classes, 0 for closed ones.
    populations : array (C,) of int
        :math:`N_c`: 0 for open classes, >= 1 for closed ones.
    demands : array (K, C)
        :math:`D_{kc}` (s per passage), >= 0.
    servers : int, inf or array (K,)
        Servers per station (``inf``: delay).
    visits : array (K, C), optional
        :math:`V_{kc}` (default 1; 0 exactly where the demand is 0).
    think_times : float or array (C,)
        :math:`Z_c` (s) of the closed classes.
    disciplines : str or array (K,) of str, optional
        ``"FCFS"``, ``"PS"`` (one server) or ``"IS"`` (default: FCFS, IS at delays).
    customers, warmup, batches, seed, confidence
        Passages (of any class) measured after ``warmup`` passages; batch
        count, seed and confidence level as in :func:`simulate_open_network`.

    Returns
    -------
    NetworkSimulationResult
        Per-station estimates of shape (K, C) (stations x classes:
        ``utilization`` per class and server, ``response_time`` per visit,
        ``residence_time`` per passage, ...) and per-class totals, shape (C,).

    Examples
    --------
    >>> r = simulate_multiclass_network([1.0, 0.0], [0, 2], [[0.2, 0.3]], customers=20_000)
    >>> r.system_throughput.mean.shape
    (2,)

    References
    ----------
    A. M. Law, *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill 2015
    (batch means).
    """
    D, V, lam, N, c, rules, Z = _inputs(arrival_rates, populations, demands, servers, visits, think_times,
                                        disciplines)
    K, C = D.shape
    customers, warmup, batches = run_lengths(customers, warmup, batches)
    confidence = confidence_level(confidence)
    check_stable((lam[None, :] * D).sum(axis=1) / np.where(np.isinf(c), np.inf, c), "open classes at", False)
    rng = generator(seed)
    visits_rec, passages, start, end = _run(rng, D, V, lam, N, c, rules, Z, warmup + customers, warmup)
    station, arrive, depart, service, cls = visits_rec
    cell = station * C + cls
    rows, _ = time_batches(start, end, batches, (cell, arrive, depart, service), K * C, np.repeat(c, C),
                           passages[:2], ())
    station_rows = {k: v.reshape(batches, K, C) for k, v in rows.items()
                    if k not in ("visits", "residence_time")}
    system = _per_class(passages, start, end, batches, C)
    with np.errstate(divide="ignore", invalid="ignore"):
        count = station_rows["throughput"]
        station_rows["visits"] = count / system["throughput"][:, None, :]
        station_rows["residence_time"] = station_rows["visits"] * station_rows["response_time"]
    return network_result(
        station_rows, system, confidence=confidence,
        model=f"multi-class network, {K} stations x {C} classes (event loop)",
        method=describe_batches(batches, "equal simulated time", f"{warmup} passages", confidence),
        customers=customers, warmup=warmup, batches=batches)


def _per_class(passages, start, end, batches, C):
    enter, leave, cls = passages
    length = (end - start) / batches
    keep = (leave >= start) & (leave < end)
    b = ((leave[keep] - start) // length).astype(int).clip(0, batches - 1)
    idx = b * C + cls[keep]
    n = np.bincount(idx, minlength=batches * C).reshape(batches, C).astype(float)
    total = np.bincount(idx, weights=(leave - enter)[keep], minlength=batches * C).reshape(batches, C)
    with np.errstate(divide="ignore", invalid="ignore"):
        return dict(throughput=n / length, response_time=total / n, number_in_system=total / length)


def _run(rng, D, V, lam, N, c, rules, Z, total, warmup):
    """The event loop; returns visit records, passages (enter, leave, class) and the measured interval."""
    K, C = D.shape
    S = np.where(V > 0, D / np.where(V > 0, V, 1), 0.0)
    expo = _Stream(rng.standard_exponential)
    uniform = _Stream(rng.random)
    cdf = [np.append(np.cumsum(V[:, k_c]) / (1 + V[:, k_c].sum()), np.inf).tolist() for k_c in range(C)]
    mean = S.tolist()
    heap: list = []
    seq = itertools.count()
    busy = [0] * K
    waiting = [deque() for _ in range(K)]
    ps = [_PS() if r == "PS" else None for r in rules]
    visits, enter, leave, pcls = [], [], [], []
    started: dict = {}
    klass: dict = {}
    ids = itertools.count()

    def route(cust, t):
        cc = klass[cust]
        k = bisect_right(cdf[cc], uniform())
        if k == K:  # leaves (open) or goes to think (closed)
            enter.append(started.pop(cust))
            leave.append(t)
            pcls.append(cc)
            if N[cc] > 0:
                think(cust, t)
            return
        s = mean[k][cc] * expo()
        if ps[k] is not None:
            st = ps[k]
            st.advance(t)
            heapq.heappush(st.jobs, (st.v + s, cust, t, s))
            _schedule_ps(heap, seq, k, st)
        elif busy[k] < c[k]:
            busy[k] += 1
            heapq.heappush(heap, (t + s, next(seq), 1, k, cust, t, s))
        else:
            waiting[k].append((cust, t, s))

    def think(cust, t):
        z = Z[klass[cust]] * expo() if Z[klass[cust]] > 0 else 0.0
        heapq.heappush(heap, (t + z, next(seq), 2, -1, cust, t, 0.0))

    for cc in range(C):
        if lam[cc] > 0:
            heapq.heappush(heap, (expo() / lam[cc], next(seq), 0, cc, -1, 0.0, 0.0))
        for _ in range(N[cc]):
            cust = next(ids)
            klass[cust] = cc
            think(cust, 0.0)
    while len(leave) < total:
        t, _, kind, k, cust, a, s = heapq.heappop(heap)
        if kind == 0:  # an open-class arrival; k is its class
            cust = next(ids)
            klass[cust] = k
            started[cust] = t
            heapq.heappush(heap, (t + expo() / lam[k], next(seq), 0, k, -1, 0.0, 0.0))
            route(cust, t)
        elif kind == 2:  # end of think time
            started[cust] = t
            route(cust, t)
        elif kind == 1:  # FCFS/IS departure
            visits.append((k, a, t, s, klass[cust]))
            if waiting[k]:
                nxt, arrived, s2 = waiting[k].popleft()
                heapq.heappush(heap, (t + s2, next(seq), 1, k, nxt, arrived, s2))
            else:
                busy[k] -= 1
            route(cust, t)
        elif a == ps[k].version:  # a PS departure that is still current (s unused)
            st = ps[k]
            st.advance(t)
            _, done, arrived, work = heapq.heappop(st.jobs)
            visits.append((k, arrived, t, work, klass[done]))
            _schedule_ps(heap, seq, k, st)
            route(done, t)
    station, arrive_t, depart_t, service, cls = (np.array(x) for x in zip(*visits))
    start = leave[warmup - 1] if warmup else 0.0
    return ((station.astype(int), arrive_t, depart_t, service, cls.astype(int)),
            (np.array(enter), np.array(leave), np.array(pcls, dtype=int)), start, leave[-1])


def _schedule_ps(heap, seq, k, st):
    st.version += 1
    t = st.next_departure()
    if t is not None:
        heapq.heappush(heap, (t, next(seq), 3, k, -1, st.version, 0.0))


__all__ = ["simulate_multiclass_network"]
