"""Stations of a closed network as service-rate multipliers, and the work a solver will do.

A station is a delay station (no queue) or a queue whose service rate with
:math:`j` customers present is :math:`\\alpha_k(j)` times the rate of one
server: :math:`\\alpha = (1)` for a single server, :math:`\\min(j, c)` for
:math:`c` servers, any positive vector for a general load-dependent station,
constant after its last entry. Only :math:`j \\le N` matters at population
:math:`N`, so a station with :math:`c \\ge N` servers is a delay station
exactly (no customer ever waits), whatever :math:`c` (``1e20`` included).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from ._closed_network_input import _times, servers_array

#: default bound on :func:`estimated_work` (a few seconds of computation)
MAX_WORK = 2e8


@dataclass(frozen=True)
class Stations:
    """Per-station rate vectors: ``rates[k]`` a tuple :math:`\\alpha_k(1..L_k)`, ``None`` for a delay."""

    rates: tuple
    servers: np.ndarray  # (K,) floats as given (inf for a delay station), for per-server utilization

    @property
    def delay(self):
        return np.array([r is None for r in self.rates])

    @property
    def load_dependent(self):
        """Indices of the stations whose rate varies with the load (L > 1)."""
        return np.array([k for k, r in enumerate(self.rates) if r is not None and len(r) > 1], dtype=int)

    @property
    def load_independent(self):
        """True when every station is a delay or has a constant rate."""
        return self.load_dependent.size == 0

    def first_rate(self):
        """:math:`\\alpha_k(1)` per station (1 at a delay): the rate of a customer alone at the station."""
        return np.array([1 if r is None else r[0] for r in self.rates], dtype=object)  # exact if given so

    def constant_rate(self):
        """``{k: alpha}`` for the queueing stations of constant rate :math:`\\alpha \\ne 1`."""
        return {k: r[0] for k, r in enumerate(self.rates) if r is not None and len(r) == 1 and r[0] != 1}

    def inverse_tail_rate(self, number, dtype):
        """:math:`1/\\alpha_k(L_k)` per station, 0 at a delay station."""
        return np.array([number(0) if r is None else number(1) / number(r[-1]) for r in self.rates],
                        dtype=dtype)

    def marginal_coefficients(self, number, dtype):
        """``(inv_rate, w)``, (M, J) each, for the M load-dependent stations, J = max L.

        ``inv_rate[m, j]`` = :math:`1/\\alpha(j)` for :math:`1 \\le j < L` (else 0);
        ``w[m, i]`` = :math:`(i+1)(\\alpha(L)/\\alpha(i+1) - 1)` for :math:`i \\le L-2`
        (else 0), so that :math:`R = \\frac{D}{\\alpha(L)}\\bigl(1 + Q + \\sum_i w_i\\,p(i)\\bigr)`.
        """
        ld = [self.rates[k] for k in self.load_dependent]
        J = max((len(r) for r in ld), default=1)
        inv_rate = np.full((len(ld), J), number(0), dtype=dtype)
        w = np.full((len(ld), J), number(0), dtype=dtype)
        for m, r in enumerate(ld):
            a = [number(v) for v in r]
            for j in range(1, len(a)):
                inv_rate[m, j] = number(1) / a[j - 1]
                w[m, j - 1] = j * (a[-1] / a[j - 1] - 1)
        return inv_rate, w

    def work(self, population, stations):
        """Estimated elementary steps of the exact recursion (see :func:`check_work`)."""
        M = self.load_dependent.size
        if M == 0:
            return population * (stations + 40)  # the float kernel: ~40 station updates of overhead per step
        J = max(len(self.rates[k]) for k in self.load_dependent)
        return population * (200 + (1 << M) * (stations + M * J))


def _trim(rates):
    """Drop the trailing repeats: a vector is constant after its last entry."""
    end = len(rates)
    while end > 1 and rates[end - 1] == rates[end - 2]:
        end -= 1
    return tuple(rates[:end])


def closed_stations(servers, rates, K, N, kind) -> Stations:
    """Check ``servers`` (and ``rates``, a (K, L) array or ``None``) and build the :class:`Stations`."""
    c = servers_array(servers, K)
    out = []
    if rates is None:
        for ck in c:
            out.append(None if ck >= N else _trim(tuple(range(1, min(int(ck), N) + 1))))
        return Stations(tuple(out), c)
    arr = np.asarray(rates, dtype=object)
    if arr.ndim == 1 and K == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[0] != K or arr.shape[1] == 0:
        raise ParameterError("rates", f"an array of shape {arr.shape}",
                             f"a ({K}, L) array: the rate multipliers alpha_k(1..L) of each station")
    if np.any(np.isfinite(c) & (c != 1)):
        raise ParameterError("servers", servers, "1 (queueing) or inf (delay) when rates are given",
                             "a multi-server station is the rate vector min(n, c)")
    checked = _times("rates", arr, kind, allow_zero=False)
    for k in range(K):
        row = [checked[k, j] for j in range(min(arr.shape[1], N))]
        out.append(None if math.isinf(c[k]) else _trim(tuple(row)))
    return Stations(tuple(out), c)


def check_work(name, value, work, max_work, suggestion):
    """Refuse a run estimated above ``max_work`` steps before it starts (``name``: the parameter to blame)."""
    if max_work is not None and work > max_work:
        raise ParameterError(
            name, value, f"small enough for a run of at most max_work = {max_work:.2g} steps",
            f"this one would take about {work:.2g} steps; {suggestion}, or raise max_work")
