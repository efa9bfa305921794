"""From a technique's demands to the metric expressions (derived once per structure).

Each resource a technique loads (:mod:`virtmodel.resources`) is one M/G/c station
of the queueing core (:func:`virtmodel.queueing.mgc.mgc_terms`, Allen-Cunneen; a
processor-sharing resource, the memory, :func:`virtmodel.queueing.ps_terms.ps_terms`),
with :math:`\\lambda` the arrival rate per VM and :math:`V` the number of VMs;
the platform's resources are:

============  ====================  ==================
station       servers               arrivals
============  ====================  ==================
guest         ``vcpus``             :math:`\\lambda`
host          ``cores``             :math:`V\\lambda`
device        1                     :math:`V\\lambda`
card          ``card_cores``        :math:`V\\lambda`
disk          ``disk_servers`` / 1  :math:`V\\lambda`  (a platform with a disk: :mod:`._storage`)
disk_channel  1                     :math:`V\\lambda`  (flash: the transfers, :mod:`virtmodel.disk`)
memory        1 (shared: PS)        :math:`V\\lambda`  (``memory="dram"``: the bandwidth, :mod:`virtmodel.memory`)
============  ====================  ==================

A station whose demand is identically zero is not on the path. Metrics
(:math:`D_i` the demand per request at station :math:`i`):

- ``mean_latency`` :math:`R = \\sum_i R_i + \\text{delay}`;
  ``latency_variance`` :math:`\\sum_i \\mathrm{Var}(R_i)` (stations independent);
- ``overhead`` :math:`R / R_{\\mathrm{native}}` at the same load; ``low_load_slowdown``
  :math:`(\\sum_i S_i + \\text{delay}) / (\\sum_i S_{i,\\mathrm{native}} + \\text{delay}_{\\mathrm{native}})`,
  its limit as :math:`\\lambda \\to 0` (service times and delays, no queueing);
- ``throughput_limit`` :math:`X_{\\max} = \\min_i q_i c_i/(m_i D_i)` per VM
  (:math:`m_i` VMs share station :math:`i`; :math:`q_i` separate stations of one VM share its
  requests, e.g. the vhost workers of its queues, each fed :math:`\\lambda/q_i`); ``capacity_ratio``
  :math:`X_{\\max}/X_{\\max,\\mathrm{native}}`;
- ``guest_cores`` :math:`V\\lambda D_{\\mathrm{guest}}`, ``host_cores``
  :math:`V\\lambda D_{\\mathrm{host}}`, ``card_load``
  :math:`V\\lambda D_{\\mathrm{card}}/c_{\\mathrm{card}}`, ``cpu_per_request``
  :math:`D_{\\mathrm{guest}} + D_{\\mathrm{host}} + D_{\\mathrm{card}}` (core-seconds),
  ``host_cores_per_100k_iops`` :math:`10^5 D_{\\mathrm{host}}/n_{\\mathrm{io}}` (with a disk
  :math:`n_{\\mathrm{io}} + n_d`, the block requests counted as I/Os; with no I/O its limit term by term: a cost per I/O
  where the host work is proportional to the I/O count, ``inf`` where the host still works per request, never 0/0),
  ``guest_cores_left`` :math:`c_{\\mathrm{host}} - V\\lambda D_{\\mathrm{host}}` (the CPU metrics add the work a
  technique pays off the queues and the host cores it burns polling: :mod:`virtmodel.techniques.notifications`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy as sp

from ..errors import ParameterError
from ..metrics import METRICS, symbolic_names
from ..queueing.mgc import MGcTerms, mgc_terms
from ..queueing.ps_terms import ps_terms
from ..queueing.polled_receiver import saturation_rate
from ..resources import resolve
from ..symbols import symbols_for
from ..techniques import Native
from ..disk import disk_ops
from ..memory import has_memory, memory_load
from ._storage import disk_of, storage_terms, with_storage

#: metric name -> (LaTeX left-hand side, unit, saturates) of the open model's symbolic metrics
#: (read from the metric table, :mod:`virtmodel.metrics`)
SYMBOLIC_METRICS = {name: (METRICS[name].symbol, METRICS[name].unit, METRICS[name].saturates)
                    for name in symbolic_names()}


@dataclass(frozen=True)
class StationTerms:
    """One resource on a request's path: the queueing core's M/G/c station and how VMs share it."""

    name: str
    terms: MGcTerms     # the queueing core's expressions (arrivals of every VM that shares it)
    multiplicity: Any   # how many VMs' arrivals reach it (1 or V)
    cores_of: Any = None  # whose CPU its busy time is ("guest", "host", "card") or None (a device)
    splits: Any = 1       # separate stations of one VM that share its requests (vhost workers per queue)
    rate: Any = None      # the per-VM arrival-rate symbol, when the demand may depend on the load
    discipline: str = "fcfs"  # the resource's ("ps": one server shared by the requests present, the memory)

    demand = property(lambda self: self.terms.mean_service_time)       # S, seconds per request
    variance = property(lambda self: self.terms.service_variance)      # Var(S)
    servers = property(lambda self: self.terms.servers)
    arrivals = property(lambda self: self.terms.arrival_rate)          # all VMs for shared stations
    response = property(lambda self: self.terms.response_time)         # R
    response_variance = property(lambda self: self.terms.response_variance)
    utilization = property(lambda self: self.terms.utilization)        # rho
    shared = property(lambda self: self.multiplicity != 1)             # every VM's requests reach it

    @property
    def capacity(self):
        """The largest per-VM rate: :math:`c q / (m D)`, or, for a demand linear in the load (interrupts
        paid outside NAPI's window, :mod:`virtmodel.techniques.interrupt_window`), the root of
        :math:`\\lambda D(\\lambda) = c q/m` (:func:`~virtmodel.queueing.polled_receiver.saturation_rate`)."""
        at_load = None
        if self.rate is not None:
            try:
                at_load = saturation_rate(self.servers * self.splits / self.multiplicity, self.demand, self.rate)
            except ValueError:  # a demand not linear in the load: c q/(m D) at the point's own load
                at_load = None
        return self.terms.capacity * self.splits / self.multiplicity if at_load is None else at_load


@dataclass(frozen=True)
class Derived:
    """The stations and metric expressions of one technique structure."""

    stations: tuple          # StationTerms on the technique's path
    native_stations: tuple   # StationTerms on the native path
    metrics: Mapping         # name -> SymPy expression (each derived on first access)
    delay: object            # pure delay on the path (s)
    off_queue: Mapping = None  # {"guest"/"host"/"card": CPU per request paid off the queues (wake-ups)}

    def station(self, name) -> StationTerms:
        return next(st for st in self.stations if st.name == name)


def _path(demands, resources, s) -> tuple:
    """The loaded resources in the order declared, each an M/G/c station of the queueing core."""
    by_name = {r.name: r for r in resources}
    unknown = [name for name in demands.loads if name not in by_name]
    if unknown:
        raise ParameterError("demands", unknown[0], "a resource of the platform or the technique",
                             "known resources: " + ", ".join(by_name) + "; declare a new one in the "
                             "technique's `resources` (virtmodel.resources.Resource)")
    out = []
    for r in resources:
        load = demands.loads.get(r.name)
        if load is None or sp.sympify(load.mean) == 0:
            continue
        mult = s.vms if r.shared else sp.Integer(1)
        terms = ps_terms(r.arrivals(s), load.mean, load.var) if r.discipline == "ps" else \
            mgc_terms(r.arrivals(s), load.mean, load.var, r.servers_expr(s))
        out.append(StationTerms(r.name, terms, mult, r.cores_of, r.splits_expr(s), s.arrival_rate, r.discipline))
    return tuple(out)


def _demand(stations, kind):
    """The demand per request on the CPUs of ``kind`` ("guest", "host", "card"): the sum over its resources."""
    return sum((st.demand for st in stations if st.cores_of == kind), sp.Integer(0))


class _LazyMetrics(Mapping):
    """``{name: expression}`` built on first access (a first use derives only what it needs)."""

    def __init__(self, builders: dict):
        self._builders, self._done = builders, {}

    def __getitem__(self, name):
        if name not in self._done:
            self._done[name] = self._builders[name]()
        return self._done[name]

    def __iter__(self):
        return iter(self._builders)

    def __len__(self):
        return len(self._builders)


def _per_io(work, io_count):
    """``work / io_count`` term by term, each term's limit at no I/O (``io_count = 0``) its own, never 0/0.

    A term of ``work`` proportional to the I/O count cancels and keeps its cost per I/O (the first
    model's back-end: paravirtual 0.2 cores per 100k IOPS on any workload); a term that does not (e.g.
    waking a halted vCPU per request, or a term in another count such as interrupts) is, at no I/O,
    ``inf`` where it is non-zero (host cores spent at zero IOPS are unbounded per I/O) and 0 where it
    vanishes. Term by term, so a long formula stays a sum that breaks across lines in LaTeX.
    """
    counts = io_count.free_symbols if isinstance(io_count, sp.Basic) else set()
    total = sp.Integer(0)
    for term in sp.Add.make_args(work):
        share = term / io_count
        if sp.fraction(share)[1].free_symbols & counts:  # does not cancel: its own limit at no I/O
            share = sp.Piecewise((share, sp.Ne(io_count, 0)), (sp.oo, sp.Ne(term, 0)), (sp.Integer(0), True))
        total += share
    return total


@lru_cache(maxsize=1024)
def _least(capacities: tuple):
    """``Min(*capacities)``: the stations' capacities, nested minima flattened, duplicates and
    :math:`\infty` (a station with no work) dropped, in SymPy's canonical order, built once per tuple.

    SymPy's own ``Min(...)`` would also compare every pair of (long) arguments to drop any that is
    provably larger (``_find_localzeros``: ``factor_terms`` of each difference): 0.1-0.5 s per
    structure, a third of a validation run, and on every structure of the validation table it drops
    nothing (checked: 30 of 30). Here no argument is dropped by comparison, so a station's capacity
    that could be proved larger than another's stays in the formula; the value is the same.
    """
    args = set()
    for c in capacities:
        args |= set(c.args) if isinstance(c, sp.Min) else {c}
    args.discard(sp.oo)
    if not args:
        return sp.oo
    if len(args) == 1:
        return args.pop()
    if all(a.is_number for a in args):
        return sp.Min(*args)    # numbers only: SymPy picks the least
    return sp.Min(*sp.ordered(args), evaluate=False)


def _metrics(stations, native, delay, native_delay, s, off_queue=None, polling=0, io_count=None) -> Mapping:
    lam, vms = s.arrival_rate, s.vms
    io_count = s.io_ops if io_count is None else io_count  # I/O operations per request (+ block requests)

    def latency(path, fixed):
        return sum((st.response for st in path), sp.Integer(0)) + fixed

    def idle(path, fixed):  # the mean latency as the arrival rate goes to 0: no queueing
        # (load-dependent demands, e.g. wake-ups, at their lambda = 0 value; the others do not move)
        return (sum((st.demand for st in path), sp.Integer(0)) + fixed).subs(lam, 0)

    def limit(path):
        return _least(tuple(st.capacity for st in path))

    off_queue = off_queue or {}  # CPU per request paid off the queues (wake-ups: techniques.notifications)
    d_guest, d_host, d_card = (_demand(stations, n) + off_queue.get(n, 0) for n in ("guest", "host", "card"))
    return _LazyMetrics({
        "mean_latency": lambda: latency(stations, delay),
        "latency_variance": lambda: sum((st.response_variance for st in stations), sp.Integer(0)),
        "overhead": lambda: latency(stations, delay) / latency(native, native_delay),
        "low_load_slowdown": lambda: idle(stations, delay) / idle(native, native_delay),
        "throughput_limit": lambda: limit(stations),
        "capacity_ratio": lambda: limit(stations) / limit(native),
        "guest_cores": lambda: vms * lam * d_guest,
        "host_cores": lambda: vms * lam * d_host + polling,
        "card_load": lambda: vms * lam * d_card / s.card_cores,
        "cpu_per_request": lambda: d_guest + d_host + d_card,
        "host_cores_per_100k_iops": lambda: _per_io(10**5 * d_host, io_count),
        "guest_cores_left": lambda: s.cores - vms * lam * d_host - polling,
    })


class _Key(tuple):
    """A model key (a plain tuple to compare with) whose hash is computed once: every cached stage of
    a call hashes it (``derive``, the fused evaluator), and hashing the platform's resources (frozen
    dataclasses) each time cost a few microseconds a call. Pickled as a new key (a class's hash,
    part of it, differs between processes)."""

    def __new__(cls, items):
        key = super().__new__(cls, items)
        key._hash = tuple.__hash__(key)
        return key

    def __hash__(self):
        return self._hash

    def __reduce__(self):
        return _Key, (tuple(self),)


def model_key(technique, platform) -> tuple:
    """What selects a model's formulas: the technique's structure (class + flags) and the
    platform's resources (a cache key; :attr:`virtmodel.model.Model.key`)."""
    return _Key((technique.structure(), tuple(platform.resources())))


@lru_cache(maxsize=256)
def derive(key: tuple) -> Derived:
    """Derive every metric of a model key (:func:`model_key`); cached by that structure.

    The technique's own resources (``Technique.own_resources()``, by default its class's ``resources``)
    are added to the platform's.
    """
    structure, platform_resources = key
    cls, flags = structure[0], dict(structure[1:])
    technique = cls(**flags)
    resources = resolve(platform_resources, technique.own_resources())
    s = symbols_for(cls)
    demands = technique.demands(s)
    native = Native().demands(s)
    off_queue = technique.off_queue_work(s) if hasattr(technique, "off_queue_work") else {}
    polling = technique.polling_host_cores(s) if hasattr(technique, "polling_host_cores") else 0
    disk, io_count = disk_of(resources), None
    if disk is not None:  # a platform with a disk: each block request is an I/O of the technique (_storage)
        demands, off_queue, polling = storage_terms(technique, s, disk, demands, off_queue, polling)
        native = with_storage(native, Native(), s, disk)
        io_count = s.io_ops + disk_ops(s).total  # IOPS count the disk's block requests too
    if has_memory(resources):  # the same bytes on every technique and natively (virtmodel.memory)
        demands, native = demands.add(memory=memory_load(s)), native.add(memory=memory_load(s))
    stations, native_stations = _path(demands, resources, s), _path(native, resources, s)
    metrics = _metrics(stations, native_stations, demands.delay, native.delay, s, off_queue, polling, io_count)
    return Derived(stations, native_stations, metrics, demands.delay, dict(off_queue or {}))


def station_names(derived: Derived) -> tuple:
    """Names of the stations on the path, in path order."""
    return tuple(st.name for st in derived.stations)


__all__ = ["Derived", "derive", "model_key", "station_names", "SYMBOLIC_METRICS", "StationTerms"]
