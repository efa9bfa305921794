"""The result of a closed queueing network solved by MVA.

:class:`ClosedNetworkResult` is the shared :class:`~._network_result.NetworkResult`
(per-station ``visits``, ``throughput``, ``utilization``, ``number_in_system``,
``response_time`` per visit, ``residence_time`` per request; totals
``system_throughput``, ``system_response_time`` (think time excluded),
``system_number_in_system``) plus what closed networks add, as named fields:

===============================  ===================================================
``population``, ``think_time``   the inputs :math:`N` (per class) and :math:`Z`
``throughput_by_population``     :math:`X(n)`, :math:`n = 1..N` (exact single class,
                                 with ``history=True``)
``waiting_time``                 per visit: ``response_time`` minus the service
                                 time :math:`D_k / V_k` (0 at a delay station;
                                 divided by :math:`\\alpha_k(1)` with ``rates``)
``converged``, ``iterations``,   approximate MVA only (else ``None``)
``tol``, ``accuracy``
``station_labels``,              labels given by the caller (``stations=``,
``class_labels``                 ``classes=``; else ``None``), used by ``to_dataset``
===============================  ===================================================

Per-station fields have shape ``(K,)`` for one class and ``(K, C)`` (stations
x classes) for several, whose totals are then per class, shape ``(C,)``;
:meth:`~ClosedNetworkResult.to_dataset` (an :class:`xarray.Dataset`) and
:meth:`~ClosedNetworkResult.table` (a pandas table) give them labelled by
station and class, as the open multi-class results are.
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
from ..errors import ParameterError
from ._network_result import NetworkResult


_LABELLED_PER_STATION = ("visits", "throughput", "utilization", "number_in_system", "response_time",
                         "waiting_time", "residence_time")
_LABELLED_TOTALS = ("system_throughput", "system_response_time", "system_number_in_system")


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
    station_labels: Any = None
    class_labels: Any = None

    def to_dataset(self):
        """The metrics as an :class:`xarray.Dataset` labelled by station (and class).

        Per-station fields have dimensions ``("station",)`` or ``("station", "class")``,
        per-class totals ``("class",)``; coordinates are ``station_labels`` and
        ``class_labels`` (default: 0-based indices). Select with
        ``ds.response_time.sel(station="cpu", **{"class": "batch"})`` or
        ``ds.to_dataframe()``.
        """
        import xarray as xr

        single = np.ndim(self.population) == 0
        data = {}
        for name in _LABELLED_PER_STATION + _LABELLED_TOTALS:
            value = getattr(self, name)
            if value is None:
                continue
            symbolic = self.kind == SYMBOLIC
            arr = np.asarray(value.tolist() if symbolic and hasattr(value, "tolist") else value,
                             dtype=object if symbolic else float)
            per_station = name in _LABELLED_PER_STATION
            if single:  # SymPy columns (K, 1) to (K,), totals to scalars
                arr = arr.reshape(-1) if per_station else arr.reshape(())
            elif not per_station:
                arr = arr.reshape(-1)
            data[name] = (("station", "class")[:arr.ndim] if per_station else ("class",)[:arr.ndim], arr)
        K = data["visits"][1].shape[0]
        coords = {"station": list(self.station_labels or range(K))}
        if not single:
            coords["class"] = list(self.class_labels or range(data["visits"][1].shape[1]))
        return xr.Dataset(data, coords=coords, attrs={"model": self.model})

    def table(self):
        """A :class:`pandas.DataFrame`, one row per station (and class), one column per per-station metric."""
        return self.to_dataset()[list(_LABELLED_PER_STATION)].to_dataframe()


def build_closed_network(*, model, kind, population, think_time, demands, visits, servers,
                         system_throughput, residence_time, single_class=False, busy_probability=None,
                         station_labels=None, class_labels=None, service=None, **extra) -> ClosedNetworkResult:
    """Derive every metric from the two a solver computes, in one place.

    ``demands``, ``visits`` and ``residence_time`` are ``(K, C)`` arrays,
    ``system_throughput`` is ``(C,)``, ``servers`` is ``(K,)`` (``inf`` for a
    delay station). With ``single_class`` the class axis (of length 1) is dropped.
    ``busy_probability`` maps a station index to its utilization (load-dependent
    stations: :math:`1 - p_k(0)`); ``service`` (K,) or (K, C) is the demand served
    when alone (``demands`` unless a station's first rate is not 1), for the waiting time.
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
        waiting_time=np.where(visited, (R - (demands if service is None else service)) / per_visit, 0),
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
    K, C = demands.shape
    return ClosedNetworkResult(model=model, kind=kind, population=population, think_time=think_time,
                               station_labels=_names("stations", station_labels, K),
                               class_labels=None if single_class else _names("classes", class_labels, C),
                               **metrics, **extra)


def _names(parameter, names, size):
    """A tuple of ``size`` distinct labels, or ``None``."""
    if names is None:
        return None
    if isinstance(names, (str, bytes)):
        names = [names]
    names = tuple(names)
    if len(names) != size or len(set(names)) != size:
        raise ParameterError(parameter, names, f"{size} distinct labels")
    return names
