"""An independent oracle for the closed model with several VMs: an event simulation of ``vms`` VMs,
each with ``users`` customers, crossing the model's stations in a fixed order.

Each VM has its own copy of a station that is not shared (its guest, its back-end threads) and all
VMs queue at one copy of a shared station (the host's cores, the device): the network the closed
model replaces by one VM and shadow servers. A resource split over ``q`` alternative stations (the
vhost workers of a VM's queues, named ``name[j]``) is crossed once, at one of them drawn at random.
Service at a station is gamma with the station's mean and SCV (deterministic at SCV 0), FCFS at its
``c`` servers; think time is exponential; the path delay holds a request for a constant time at the
end of its route (an infinite server).

Written for the tests from the network's description alone: it shares no code with the model (no MVA,
no shadow servers, no product form).
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections import deque

import numpy as np

_SPLIT = re.compile(r"^(.*)\[\d+\]$")


class _Gamma:
    """Gamma draws of mean ``mean`` and SCV ``scv``, taken from the generator in blocks."""

    def __init__(self, rng, mean, scv, block=4096):
        self.rng, self.mean, self.scv, self.block = rng, mean, scv, block
        self.buf, self.i = np.empty(0), 0

    def __call__(self):
        if self.scv <= 0:
            return self.mean
        if self.i == self.buf.size:
            self.buf, self.i = self.rng.gamma(1 / self.scv, self.mean * self.scv, self.block), 0
        self.i += 1
        return float(self.buf[self.i - 1])


def simulate_vms(stations, delay, scvs, vms, users, think, passages=60_000, seed=1):
    """Response times (think excluded, delay included) of ``passages`` requests after a warm-up.

    ``stations``: ``[(name, demand, servers, shared)]`` in the order a request crosses them (the
    closed model's per-VM network, splits included, each split's demand its share ``D/q``);
    ``scvs``: each station's service SCV. Returns an array of response times, every VM's pooled.
    """
    rng = np.random.default_rng(seed)
    groups: list = []  # [(shared, [(service mean, servers, scv)])] in route order
    for (name, demand, c, shared), scv in zip(stations, scvs):
        base = _SPLIT.match(str(name))
        key = base.group(1) if base else name
        if groups and base and groups[-1][0] == key:
            groups[-1][2].append((demand, c, scv))
        else:
            groups.append((key, shared, [(demand, c, scv)]))
    if delay > 0:  # the path delay: a request is held for it (an infinite server, constant time)
        groups.append(("delay", True, [(delay, np.inf, 0.0)]))
    # copies: one per VM for own stations, one for shared ones
    copies = {}  # (group, member, vm or -1) -> station id
    servers, draws = [], []
    for g, (_, shared, members) in enumerate(groups):
        q = len(members)
        for j, (demand, c, scv) in enumerate(members):
            for vm in ([-1] if shared else range(vms)):
                copies[(g, j, vm)] = len(servers)
                servers.append(c)
                draws.append(_Gamma(rng, demand * q, scv))  # one visit of one of q: the whole demand
    sizes = [len(members) for _, _, members in groups]
    busy = [0] * len(servers)
    waiting = [deque() for _ in servers]
    expo = rng.standard_exponential
    heap: list = []
    seq = itertools.count()
    out: list = []
    total = passages + passages // 5
    state = {}  # customer -> (vm, group index, start time)

    def arrive(cust, t):
        vm, g, start = state[cust]
        if g == len(groups):
            out.append(t - start)
            state[cust] = (vm, 0, None)
            z = think * expo() if think > 0 else 0.0
            heapq.heappush(heap, (t + z, next(seq), -1, cust))
            return
        j = int(rng.integers(sizes[g])) if sizes[g] > 1 else 0
        k = copies[(g, j, -1 if groups[g][1] else vm)]
        if busy[k] < servers[k]:
            busy[k] += 1
            heapq.heappush(heap, (t + draws[k](), next(seq), k, cust))
        else:
            waiting[k].append(cust)

    for vm in range(vms):
        for u in range(users):
            cust = vm * users + u
            state[cust] = (vm, 0, None)
            heapq.heappush(heap, ((think * expo() if think > 0 else 0.0), next(seq), -1, cust))
    while len(out) < total:
        t, _, k, cust = heapq.heappop(heap)
        vm, g, start = state[cust]
        if k == -1:  # leaves think: a new request
            state[cust] = (vm, 0, t)
        else:  # a departure from station k
            if waiting[k]:
                heapq.heappush(heap, (t + draws[k](), next(seq), k, waiting[k].popleft()))
            else:
                busy[k] -= 1
            state[cust] = (vm, g + 1, start)
        arrive(cust, t)
    return np.asarray(out[-passages:])
