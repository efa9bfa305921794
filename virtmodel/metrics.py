"""The metric table: one declaration per metric, read by the model, the analyses, the plots,
the widgets, the LaTeX and the tables.

Each :class:`Metric` says what a metric is (words, symbol, unit), which way is
better, whether it becomes ``inf`` past saturation, and for which load it is
given: the open model (Poisson arrivals, ``users = 0``), the closed model
(``users`` > 0 per VM, exact MVA), or both. Its formula lives with the model
(:mod:`virtmodel.model._derive` for the open model,
:mod:`virtmodel.model.closed` for the closed one), keyed by the name.

Any latency percentile ``p<P>`` (``p99.9``) is a metric too
(:func:`metric` builds its entry; :mod:`virtmodel.percentile_names` parses the
name); :data:`METRICS` lists the three standard ones.

>>> metric("overhead").better, metric("p99.9").unit, metric("throughput").loads
('lower', 's', ('closed',))
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import unknown_name
from .percentile_names import PERCENTILE_HINT, PERCENTILES, percentile_level, percentile_title

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class Metric:
    """One metric's facts (see the module docstring)."""

    name: str
    symbol: str             # LaTeX of the left-hand side
    unit: str               # "s", "1" (dimensionless), "cores", ...
    label: str              # words for an axis or a table header
    description: str        # one sentence: what exactly it is
    better: str = "lower"   # "lower", "higher", or "" (not ordered: bottleneck)
    saturates: bool = False  # inf where a station on the path has utilization >= 1
    loads: tuple = (OPEN, CLOSED)  # for which load it is given
    symbolic: bool = True   # has a SymPy expression (percentiles and bottleneck do not)

    @property
    def higher_is_better(self) -> bool:
        return self.better == "higher"

    @property
    def is_percentile(self) -> bool:
        return percentile_level(self.name) is not None


def _percentile(name: str) -> Metric:
    return Metric(name, rf"R_{{{name[1:]}}}", "s", percentile_title(name),
                  f"the {name[1:]}th percentile of the response time (gamma fit to its exact mean and "
                  "variance, plus the path's pure delay)", saturates=True, symbolic=False)


_TABLE = (
    Metric("throughput", "X", "1/s per VM", "throughput per VM",
           "completed requests per second per VM (closed model: users and think time set it)",
           better="higher", loads=(CLOSED,)),
    Metric("mean_latency", r"\bar R", "s", "mean latency",
           "mean response time of a request: the stations' response times plus the path's pure delay",
           saturates=True),
    Metric("latency_variance", r"\mathrm{Var}(R)", "s^2", "latency variance",
           "variance of the response time (stations taken as independent)", saturates=True),
    Metric("overhead", r"\bar R / \bar R_{\mathrm{native}}", "1", "latency overhead vs native at this load",
           "mean latency divided by bare metal's at the same arrival rate (the preset's load unless set): "
           "queueing included, so it grows with the load (1 = no overhead); not the CPU slowdown "
           "(cpu_per_request over native's), not the capacity (capacity_ratio), not the low-load "
           "slowdown",
           saturates=True),
    Metric("low_load_slowdown", r"\bar R_{0} / \bar R_{0,\mathrm{native}}", "1",
           "low-load slowdown vs native",
           "mean latency of a lone request (arrival rate -> 0: service times plus delays, no queueing) "
           "divided by bare metal's; the limit of overhead at zero load, independent of the load"),
    Metric("throughput_ratio", r"X / X_{\mathrm{native}}", "1", "throughput vs native",
           "closed-model throughput divided by bare metal's with the same users", better="higher",
           loads=(CLOSED,)),
    Metric("throughput_limit", r"X_{\max}", "1/s per VM", "throughput limit per VM",
           "the largest arrival rate per VM before the first station saturates", better="higher"),
    Metric("capacity_ratio", r"X_{\max} / X_{\max,\mathrm{native}}", "1", "capacity vs native",
           "throughput limit divided by bare metal's (1 = no loss of capacity)", better="higher"),
    Metric("guest_cores", r"U_{\mathrm{guest}}", "cores", "guest cores busy",
           "vCPU time used per second by all VMs (offered load past saturation)"),
    Metric("host_cores", r"U_{\mathrm{host}}", "cores", "host cores busy",
           "host-core time used per second for hypervisor and back-end work of all VMs"),
    Metric("card_load", r"\rho_{\mathrm{card}}", "1", "card utilization",
           "utilization of the offload card's cores"),
    Metric("cpu_per_request", r"D_{\mathrm{cpu}}", "core-s", "CPU per request",
           "guest, host and card core-seconds per request"),
    Metric("host_cores_per_100k_iops", r"U_{\mathrm{host}} / (10^5\,\mathrm{IOPS})", "cores",
           "host cores per 100k IOPS", "host cores busy per 100 000 I/O operations per second (inf on a workload "
           "without I/O whose host still works per request, e.g. waking a halted vCPU: unbounded per I/O)"),
    Metric("guest_cores_left", r"c_{\mathrm{host}} - U_{\mathrm{host}}", "cores", "host cores left",
           "host cores not used by hypervisor and back-end work (left for guests)", better="higher"),
    *(_percentile(p) for p in PERCENTILES),
    Metric("bottleneck", r"\arg\min_i X_{\max,i}", "", "bottleneck",
           "the station that saturates first (smallest capacity)", better="", symbolic=False),
)

#: name -> Metric of every listed metric (any other percentile: :func:`metric`)
METRICS = {m.name: m for m in _TABLE}
#: metrics that do not depend on the load (the closed model gives the open model's values)
LOAD_FREE = ("low_load_slowdown", "throughput_limit", "capacity_ratio", "cpu_per_request",
             "host_cores_per_100k_iops", "bottleneck")


def metric(name) -> Metric:
    """The :class:`Metric` called ``name`` (any percentile ``p<P>`` too); unknown: ParameterError."""
    if isinstance(name, str):
        if name in METRICS:
            return METRICS[name]
        if percentile_level(name) is not None:
            return _percentile(name)
    raise unknown_name("metric", name, METRICS, "a metric name", PERCENTILE_HINT)


def names(load: str = OPEN) -> tuple:
    """The listed metric names given for ``load`` ("open" or "closed"): the open model's in table
    order; the closed model's load-dependent ones first, then :data:`LOAD_FREE`."""
    if load == CLOSED:
        return tuple(m.name for m in _TABLE if CLOSED in m.loads and m.name not in LOAD_FREE) + LOAD_FREE
    return tuple(m.name for m in _TABLE if OPEN in m.loads)


def symbolic_names(load: str = OPEN) -> tuple:
    """The metrics of ``load`` that have a SymPy expression."""
    return tuple(m.name for m in _TABLE if load in m.loads and m.symbolic)


def unit(name) -> str:
    """The unit of a metric (``""`` for ``bottleneck``)."""
    return metric(name).unit


def label(name) -> str:
    """Words for a metric (``"99.9th-percentile latency"`` for ``"p99.9"``)."""
    return metric(name).label


__all__ = ["Metric", "METRICS", "LOAD_FREE", "OPEN", "CLOSED", "metric", "names", "symbolic_names", "unit",
           "label"]
