"""The model: a technique, a workload and a platform, composed into an open network.

>>> from virtmodel.model import Model
>>> m = Model("sriov", "small_packet_rr")
>>> m.evaluate("mean_latency") < Model("hardware_assist", "small_packet_rr").evaluate("mean_latency")
True

Each metric is one SymPy expression over the named parameters
(:meth:`Model.expression`) and one compiled NumPy function
(:meth:`Model.evaluate`); see :mod:`virtmodel.model._derive` for the formulas.

Percentiles (``p50``, ``p95``, ``p99`` and any ``p<P>`` such as ``p99.9``,
:mod:`virtmodel.percentile_names`; numeric only): the response time is the
path's fixed delay plus the sum of the station response times, taken as
independent; the sum is fitted by a gamma distribution with its exact mean and
variance (per-station variances from :mod:`._stations`) and the delay added.

Saturation: a latency metric (``mean_latency``, ``latency_variance``,
``overhead``, percentiles) at a load where a station has utilization >= 1 is an
:class:`~virtmodel.errors.UnstableError` naming the station for a scalar call,
and ``inf`` at those points of a sweep. CPU-use metrics report the *offered*
load there (``host_cores`` may exceed the cores, ``guest_cores_left`` go
negative): they say how far past capacity the point is.

Closed load: a workload with ``users`` > 0 (per VM, with ``think_time``) is a
closed model; then :meth:`Model.evaluate` and :meth:`Model.expression` give the
load-dependent metrics by exact MVA (plus ``throughput`` and
``throughput_ratio``), and :meth:`Model.closed` everything at one point; see
:mod:`virtmodel.model.closed`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .._memory import check_fits
from .._params import check_value, numeric_fields
from .._tables import table_from_rows
from ..disk import STORAGE_COUNTS, check_storage
from ..memory import MEMORY_COUNTS, check_memory
from ..errors import ParameterError, SymbolicUnsupportedError, UnstableError
from ..metrics import names
from ..percentile_names import PERCENTILE_HINT, accepts_percentiles, is_percentile
from ..platform import Platform
from ..techniques import get
from ..workload import Workload
from . import _range_checks


#: the values :func:`check_storage` and :func:`check_memory` read: an override of none of them leaves
#: their verdicts as they were
_PLATFORM_NEEDS = frozenset(STORAGE_COUNTS) | frozenset(MEMORY_COUNTS)

#: :func:`check_value` of a plain int or float, remembered (a slider passes the same few values on every
#: call; ``typed``: 1 and 1.0 stay apart; a refused value raises and is not remembered)
_check_number = lru_cache(maxsize=4096, typed=True)(check_value)


class _Reads(Mapping):
    """A model's values, read-only, recording the names read (which parameters a technique's
    ``check`` reads: :meth:`Model._resolve` runs it again only when an override is one of them).
    Iterating or taking the length counts as reading everything (``everything``)."""

    def __init__(self, values: dict):
        self._values, self.names, self.everything = values, set(), False

    def __getitem__(self, name):
        self.names.add(name)
        return self._values[name]

    def __iter__(self):
        self.everything = True
        return iter(self._values)

    def __len__(self):
        self.everything = True
        return len(self._values)


def metric_names() -> tuple:
    """Every metric the open model gives (symbolic ones first, then numeric-only ones; the metric table)."""
    return _OPEN_NAMES


#: the open model's metric names (the metric table is a constant), as listed and as a set for the check
_OPEN_NAMES = names()
_OPEN_SET = frozenset(_OPEN_NAMES)


@dataclass(frozen=True)
class Model:
    """A technique applied to a workload on a platform.

    Parameters
    ----------
    technique : str or Technique
        A name of :func:`virtmodel.techniques.get` or a technique object.
    workload : str or Workload, optional
        A preset name of :mod:`virtmodel.workloads` or a :class:`Workload`.
    platform : Platform, optional
    """

    technique: Any
    workload: Any = None
    platform: Any = None

    def __post_init__(self):
        from .. import workloads

        object.__setattr__(self, "technique", get(self.technique))
        w = self.workload
        object.__setattr__(self, "workload", Workload() if w is None else workloads.get(w))
        p = self.platform
        if p is not None and not isinstance(p, Platform):
            raise ParameterError("platform", p, "a Platform")
        object.__setattr__(self, "platform", Platform() if p is None else p)
        # the parts are frozen: their values, domains and shapes are read once (evaluate reads them per call)
        own = {**self.workload.values(), **self.platform.values(), **self.technique.values()}
        shaped = {n: v for n, v in own.items() if np.ndim(v)}
        object.__setattr__(self, "_own", (own, None, shaped))
        reads = _Reads(self.values())
        self.technique.check(reads)
        # the parameters the technique's check read: an override of none of them leaves its verdict as it was
        object.__setattr__(self, "_check_reads", None if reads.everything else frozenset(reads.names))
        object.__setattr__(self, "_key", None)
        check_storage(self.platform, self.values())
        check_memory(self.platform, self.values())

    # -- parameters ---------------------------------------------------------
    def values(self) -> dict:
        """``{parameter: value}`` of everything the model uses (workload, platform, technique)."""
        return dict(self._own[0])

    def parameter_sources(self) -> dict:
        """``{parameter: citation key}`` of everything the model uses ("assumption" if unsourced)."""
        return {**self.workload.parameter_sources(), **self.platform.parameter_sources(),
                **self.technique.parameter_sources()}

    def sources(self) -> tuple:
        """The citation keys behind the model's values (``virtmodel.references.cite(model)``)."""
        return tuple(sorted(set(self.parameter_sources().values())))

    def _domains(self) -> dict:
        own, domains, shaped = self._own
        if domains is None:
            domains = {f.name: f.metadata["domain"] for obj in (self.workload, self.platform, self.technique)
                       for f in numeric_fields(obj)}
            object.__setattr__(self, "_own", (own, domains, shaped))
        return domains

    def _resolve(self, overrides: dict, deferred: list | None = None):
        """``(values, scalar)``: the model's values with ``overrides`` checked and put in.

        ``deferred``: a list that gets ``(name, value, domain)`` of each large float array whose
        range check a fused kernel can make in its own pass instead (:mod:`._range_checks`); the
        caller evaluates inside ``_range_checks.deferring(deferred)``. If a later check here
        fails, those are checked first (a bad value is reported as when it was checked in order).
        """
        values = self.values()
        domains = self._domains()
        shapes = [np.shape(v) for n, v in self._own[2].items() if n not in overrides]   # arrays among the parts
        later = []
        try:
            for name, value in overrides.items():
                if name not in values:
                    raise ParameterError(name, value, f"a parameter of this {self.technique.name} model",
                                         "valid names: " + ", ".join(sorted(values)))
                if deferred is not None and _range_checks.deferrable(value, domains[name]):
                    later.append((name, value, domains[name]))
                    values[name] = value
                else:
                    check = _check_number if type(value) in (int, float) else check_value
                    values[name] = check(name, value, domains[name])
                if np.ndim(values[name]):
                    shapes.append(np.shape(values[name]))
            reads = self._check_reads
            if reads is None or not reads.isdisjoint(overrides):  # (the parts' own values: checked in __post_init__)
                self.technique.check(values)
            if not _PLATFORM_NEEDS.isdisjoint(overrides):  # (the parts' own values: checked in __post_init__)
                check_storage(self.platform, values)
                check_memory(self.platform, values)
            scalar = not shapes
            if not scalar:
                check_fits(math.prod(np.broadcast_shapes(*shapes)), "overrides")
        except Exception:
            _range_checks.settle(later)
            raise
        if deferred is not None:
            deferred.extend(later)
        return values, scalar

    @property
    def key(self) -> tuple:
        """What selects this model's formulas (technique class and flags, platform resources).

        Built on first use and kept: the technique and the platform are frozen and set only in
        ``__post_init__`` (``dataclasses.replace`` makes a new model, with its own key)."""
        key = self._key
        if key is None:
            from ._derive import model_key

            key = model_key(self.technique, self.platform)
            object.__setattr__(self, "_key", key)
        return key

    @property
    def _derived(self):
        from ._derive import derive

        return derive(self.key)

    def stations(self) -> tuple:
        """Names of the stations on a request's path (``guest``, ``host``, ``device``, ``card``)."""
        return tuple(st.name for st in self._derived.stations)

    # -- symbolic -----------------------------------------------------------
    def expression(self, metric: str, keep=None):
        """The metric as a :class:`~virtmodel.model._formula.Formula` (SymPy ``.expr``).

        ``keep=None`` leaves every parameter a symbol; ``keep=[names]`` puts this
        model's values in for all the others. Percentiles and ``bottleneck`` have
        no closed form (:class:`SymbolicUnsupportedError`). A closed workload
        (``users`` > 0) gives MVA's rational functions for one VM and a few users,
        with ``keep`` required (:func:`virtmodel.model.closed.expression`).
        """
        from . import closed
        from ._derive import SYMBOLIC_METRICS
        from ._formula import Formula

        if self.workload.users > 0 and metric not in closed.LOAD_FREE:
            self._check_metric(metric, closed.closed_metric_names())
            return closed.expression(self, metric, keep)
        self._check_metric(metric)
        if metric == "bottleneck" or is_percentile(metric):
            raise SymbolicUnsupportedError(
                f"{metric} has no closed form (percentiles use a gamma fit, numeric only); use "
                "evaluate(); its symbolic ingredients are 'mean_latency' and 'latency_variance'")
        lhs, unit, _ = SYMBOLIC_METRICS[metric]
        descriptions = {f: d for f, d in self._descriptions().items()}
        formula = Formula(metric, lhs, self._derived.metrics[metric], descriptions, unit)
        if keep is None:
            return formula
        if not (isinstance(keep, str) or (isinstance(keep, (list, tuple)) and all(isinstance(k, str) for k in keep))):
            raise ParameterError("keep", keep, "a parameter name or a list of them")
        keep = [keep] if isinstance(keep, str) else list(keep)
        values = self.values()
        for name in keep:
            if name not in values:
                raise ParameterError("keep", name, "parameter names of this model",
                                     "valid names: " + ", ".join(sorted(values)))
        free = {s.name for s in formula.expr.free_symbols}
        return formula.subs(**{n: v for n, v in values.items() if n in free and n not in keep})

    def _descriptions(self) -> dict:
        out = {}
        for obj in (self.workload, self.platform, self.technique):
            out.update({f.name: f.metadata["doc"] for f in numeric_fields(obj)})
        return out

    # -- numeric ------------------------------------------------------------
    def evaluate(self, metric: str, **overrides):
        """The metric as numbers; any parameter can be overridden by name with arrays.

        Arrays broadcast together; the result has their broadcast shape (a float
        for all-scalar input). See the module docstring for saturated points.
        """
        from . import closed

        deferred = []
        values, scalar = self._resolve(overrides, deferred)
        if closed.is_closed(values) and metric not in closed.LOAD_FREE:
            _range_checks.settle(deferred)
            self._check_metric(metric, closed.closed_metric_names())
            return closed.evaluate(self, metric, values, scalar)
        with _range_checks.deferring(deferred):  # (an array's range: in the kernel's pass)
            self._check_metric(metric)
            out = self._evaluate_open((metric,), values, scalar, errors=True)[metric]
        return (str(out) if metric == "bottleneck" else float(out)) if scalar else out

    def evaluate_all(self, **overrides) -> dict:
        """``{metric: value}`` for every metric (saturated latency metrics: ``inf``, no error).

        An open model computes them all in one compiled pass (shared station
        terms, one gamma fit for the three percentiles).
        """
        return self.evaluate_many(None, **overrides)

    def evaluate_many(self, metrics=None, **overrides) -> dict:
        """``{metric: value}`` for several metrics (None: all) in one pass; saturated: ``inf``, no error."""
        return self._evaluate_many(metrics, overrides)

    def _evaluate_many(self, metrics, overrides: dict, into=None) -> dict:
        """:meth:`evaluate_many`; ``into`` (``{metric: array}``): arrays of the broadcast shape that an
        open model's metrics are computed straight into where the fused kernels can (then the
        result is that array; else a new one, which the caller copies)."""
        from . import closed

        deferred = []
        values, scalar = self._resolve(overrides, deferred)
        if closed.is_closed(values):
            _range_checks.settle(deferred)
            out = {}
            for metric in closed.closed_metric_names() if metrics is None else metrics:
                try:
                    out[metric] = self.evaluate(metric, **overrides)
                except UnstableError:
                    out[metric] = float("inf")
            return out
        if metrics is not None and not isinstance(metrics, (str, list, tuple)):
            _range_checks.settle(deferred)
            raise ParameterError("metrics", metrics, "a metric name or a list of them (None: all)")
        with _range_checks.deferring(deferred):  # (an array's range: in the kernel's pass)
            metrics = metric_names() if metrics is None else \
                (metrics,) if isinstance(metrics, str) else tuple(metrics)
            for metric in metrics:
                self._check_metric(metric)
            out = self._evaluate_open(metrics, values, scalar, errors=False, into=into)
        if scalar:
            return {m: str(out[m]) if m == "bottleneck" else float(out[m]) for m in metrics}
        return {m: out[m] for m in metrics}

    def _evaluate_open(self, metrics, values, scalar, errors, into=None):
        from ._evaluate import evaluate_metrics

        return evaluate_metrics(self.key, metrics, values, scalar, errors, into)

    def _stations_numeric(self, values, everything=False):
        from ._compile import PER_STATION, station_bundle

        out = station_bundle(self.key)(values)
        n = len(PER_STATION)
        per = [out[n * i:n * i + (n if everything else 5)] for i in range(len(self.stations()))]
        return per, out[-1]

    def station_table(self, **overrides):
        """The stations on the path as a pandas DataFrame (scalar parameters only).

        Columns: demand (s per request), service_variance, service_scv, servers,
        arrival_rate (all VMs for shared stations; one of its ``splits`` stations for a
        resource split over a VM's queues), utilization, capacity (per-VM
        arrival rate it can take), response_time, response_variance, splits (the
        separate stations of one VM, each fed arrival_rate: the vhost workers of its queues). Saturated
        stations show ``inf`` response times. The path's pure delay is ``attrs["delay"]``.
        """
        from ._compile import PER_STATION

        values, scalar = self._resolve(overrides)
        if not scalar:
            raise ParameterError("overrides", sorted(overrides), "scalars (a table has one row per station)")
        per, delay = self._stations_numeric(values, everything=True)
        rows = {name: {k: float(v) for k, v in zip(PER_STATION, terms)} for name, terms in zip(self.stations(), per)}
        table = table_from_rows(rows)
        worked = table["demand"] ** 2 > 0   # no work, or too little to square in a double: 0/0 below
        with np.errstate(divide="ignore", invalid="ignore"):
            table["service_scv"] = np.where(worked, table["service_variance"] / table["demand"] ** 2, 0.0)
        unstable = table["utilization"] >= 1
        table.loc[unstable, ["response_time", "response_variance"]] = np.inf
        table.loc[~worked, "response_variance"] = table.loc[~worked, "service_variance"]
        table.attrs["delay"] = float(delay)
        return table

    def closed(self, **overrides):
        """The closed model (``users`` > 0 per VM, ``think_time``) at one point, by exact MVA.

        Returns a :class:`~virtmodel.model.closed.ClosedResult`: every closed
        metric, the station table and the throughput-vs-users curve. Scalars
        only; sweep with ``evaluate(metric, users=..., ...)``, which uses MVA
        whenever ``users`` > 0 (see :mod:`virtmodel.model.closed`).
        """
        from . import closed

        values, scalar = self._resolve(overrides)
        if not scalar:
            raise ParameterError("overrides", sorted(overrides), "scalars (sweep with evaluate())")
        if not closed.is_closed(values):
            raise ParameterError("users", values["users"], "> 0 for the closed model",
                                 "set Workload(users=..., think_time=...) or pass users=")
        return closed.closed(self, values)

    def bottleneck(self, **overrides):
        """The station with the smallest capacity (the one that saturates first)."""
        return self.evaluate("bottleneck", **overrides)

    def _check_metric(self, metric, valid=None):
        if valid is None and type(metric) is str and metric in _OPEN_SET:  # (a listed metric: every call)
            return
        valid = metric_names() if valid is None else valid
        percentiles = accepts_percentiles(valid)
        if isinstance(metric, str) and (metric in valid or percentiles and is_percentile(metric)):
            return
        if percentiles:
            raise ParameterError("metric", metric, "one of " + ", ".join(valid) + " " + PERCENTILE_HINT)
        raise ParameterError("metric", metric, "one of " + ", ".join(valid))

    def __repr__(self):
        return (f"Model({self.technique.name!r}, workload={self.workload!r}, platform={self.platform!r})")
