"""The result of a closed queueing network solved by MVA.

:class:`ClosedNetworkResult` is the shared :class:`~._network_result.NetworkResult`
(per-station ``visits``, ``throughput``, ``utilization``, ``number_in_system``,
``response_time`` per visit, ``residence_time`` per request; totals
``system_throughput``, ``system_response_time`` (think time excluded),
``system_number_in_system``) plus what closed networks add, as named fields:

==============================  ===================================================
``population``, ``think_time``  the inputs :math:`N` (per class) and :math:`Z`
``throughput_by_population``    :math:`X(n)`, :math:`n = 1..N` (exact single-class)
``waiting_time``                 per visit: ``response_time`` minus the service
                                time :math:`D_k / V_k` (0 at a delay station)
``converged``, ``iterations``,   approximate MVA only (else ``None``)
``tol``, ``accuracy``
==============================  ===================================================

Per-station fields have shape ``(K,)`` for one class and ``(K, C)`` (stations
x classes) for several, whose totals are then per class, shape ``(C,)``.
``utilization`` is per server, :math:`X D_k / c_k`; at a delay station it is
the mean number of busy servers :math:`X D_k` (its ``number_in_system``; the
convention of Octave's ``queueing`` and LINE), at a general load-dependent
station the probability :math:`1 - p_k(0)` that it is busy. A station of visit
ratio 0 has response and waiting times 0. Symbolic results hold SymPy
matrices of rational functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._backend import SYMBOLIC
from ._network_result import NetworkResult


@dataclass(frozen=True, eq=False, repr=False)  # the shared readable __repr__
class ClosedNetworkResult(NetworkResult):
    """Metrics of a closed queueing network (see the module docstring for the fields)."""

    population: Any = None
    think_time: Any = None
    throughput_by_population: Any = None
    converged: Any = None
    iterations: Any = None
    tol: Any = None
    waiting_time: Any = None
    accuracy: Any = None


def build_closed_network(*, model, kind, population, think_time, demands, visits, servers,
                         system_throughput, residence_time, single_class=False, busy_probability=None,
                         **extra) -> ClosedNetworkResult:
    """Derive every metric from the two a solver computes, in one place.

    ``demands``, ``visits`` and ``residence_time`` are ``(K, C)`` arrays,
    ``system_throughput`` is ``(C,)``, ``servers`` is ``(K,)`` (``inf`` for a
    delay station). With ``single_class`` the class axis (of length 1) is dropped.
    ``busy_probability`` maps a station index to its :math:`1 - p_k(0)`, its
    utilization (general load-dependent stations).
    """
    X = system_throughput
    R = residence_time
    finite = np.isfinite(servers)
    c = np.where(finite, servers, 1.0)
    if kind == SYMBOLIC:
        import sympy as sp

        c = np.array([sp.Integer(int(v)) for v in c], dtype=object)
    utilization = X[None, :] * demands / c[:, None]  # a delay station: the mean number of busy servers
    for k, value in (busy_probability or {}).items():
        utilization[k] = value
    visited = visits != 0
    per_visit = np.where(visited, visits, 1)
    metrics = dict(
        visits=visits,
        throughput=X[None, :] * visits,
        utilization=utilization,
        number_in_system=X[None, :] * R,
        response_time=np.where(visited, R / per_visit, 0),
        waiting_time=np.where(visited, (R - demands) / per_visit, 0),
        residence_time=R,
        system_throughput=X,
        system_response_time=R.sum(axis=0),
        system_number_in_system=(X[None, :] * R).sum(axis=0),
    )
    if kind == SYMBOLIC:
        import sympy as sp

        cancel = np.vectorize(sp.cancel, otypes=[object])
        metrics = {k: cancel(v) for k, v in metrics.items()}
    else:
        metrics = {k: np.asarray(v, dtype=float) for k, v in metrics.items()}
    if single_class:
        metrics = {k: v[:, 0] if v.ndim == 2 else v[0] for k, v in metrics.items()}
        population = int(population[0])
        think_time = think_time[0] if kind == SYMBOLIC else float(think_time[0])
        if kind != SYMBOLIC:
            for name in ("system_throughput", "system_response_time", "system_number_in_system"):
                metrics[name] = float(metrics[name])
    if kind == SYMBOLIC:  # per-station values as SymPy matrices, like open_network
        metrics = {k: sp.Matrix(v) if np.ndim(v) else v for k, v in metrics.items()}
        if extra.get("throughput_by_population") is not None:
            extra["throughput_by_population"] = sp.Matrix(extra["throughput_by_population"])
    return ClosedNetworkResult(model=model, kind=kind, population=population, think_time=think_time,
                               **metrics, **extra)
