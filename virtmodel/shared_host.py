"""A shared host solved: per-group latency, percentiles, throughput and CPU from the queueing core's stations.

:meth:`virtmodel.host.Host.results` calls :func:`solve`. Each group's own model
(:class:`~virtmodel.model.Model` with the group's technique, workload and count)
says what a request of that group puts on each resource (demand and variance per
request, :meth:`~virtmodel.model.Model.station_table`); this module composes the
groups' loads into the queueing core's multi-class stations and never writes a
station formula itself:

- a resource every VM reaches (``host`` cores, the ``device``, the ``card``, a
  technique's shared resource) is one FCFS station with a class per group,
  :func:`~virtmodel.queueing.mgc_multiclass` (Allen-Cunneen over the pooled service
  time; Pollaczek-Khinchine, exact, for one server). One group is today's M/G/c
  station exactly. A processor-sharing resource (the memory's bandwidth,
  :mod:`virtmodel.memory`) is one PS server with a class per group,
  :func:`~virtmodel.queueing.ps_terms.ps_multiclass` (each class
  :math:`m_k/(1-\\rho)`, exact);
- a VM's own vCPUs (``guest``) are today's per-VM M/G/c station when every vCPU
  has a core of its own (``scheduler=None``);
- with :class:`~virtmodel.timeslices.TimeSlices` the vCPU threads run on the
  host's ``cores`` (one vCPU per VM): host interrupt and back-end work (the
  groups' ``host`` demand and the work of their back-end threads, the vhost
  workers and I/O threads, spread evenly over the cores) preempts the vCPU
  thread on its core, the vCPU's service is cut every quantum :math:`Q` by the
  other vCPUs' slices (:func:`~virtmodel.queueing.interrupted_service.interrupted_service`), and
  :func:`~virtmodel.queueing.mg1_priority` (preemptive-resume, Cobham) gives the
  vCPU's response time behind the host work; a request that finds its vCPU idle
  also waits out the residual of the other vCPUs' slices, the Fuhrmann-Cooper
  term :math:`E[V^2]/(2E[V])` (:func:`~virtmodel.queueing.mg1_vacations.residual_vacation`),
  with :math:`V` from :func:`~virtmodel.timeslices.slice_waits`. A wake-up boost
  (``TimeSlices(boost=...)``) shortens that setup, and a ``background`` group's
  always-runnable vCPU waits for its next turn instead (:mod:`virtmodel.timeslices`).

A group's mean latency is the sum of its stations' response times plus its
path's pure delay, its variance the sum of theirs (stations independent), and its
percentiles the gamma fit of the two (as in the single-group model).
``throughput_limit`` is the largest arrival rate per VM of the group that every
station on its path can take with the other groups at their own loads.
Assumptions beyond the single-group model's: Poisson arrivals per group; a
neighbour's vCPU is runnable with probability equal to its utilization
(:math:`\\lambda D/(1-\\rho_{\\mathrm{host}})`, its own work stretched by the host
work on its core, capped at 1), independently of the others; the decomposition
of the vCPU's wait into a priority part and a vacation part is exact without
host work (an M/G/1 with multiple vacations and interrupted service) and an
approximation with it (checked against a time-slice simulation in
``tests/test_shared_host.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .errors import ParameterError
from .queueing import mg1_priority, mgc_multiclass
from .queueing.ps_terms import ps_multiclass
from .queueing.interrupted_service import completion_moments
from .queueing._percentiles import gamma_quantiles
from .queueing._moments import third_moment
from .queueing.mg1_exceptional import setup_delay
from .timeslices import quantum_ends_rate, runnable_quantum_ends_rate, slice_moments, slice_waits


@dataclass(frozen=True)
class GroupResult:
    """One VM group's metrics on the shared host (seconds; per VM for ``throughput_limit``)."""

    group: object
    mean_latency: float
    latency_variance: float
    throughput_limit: float
    guest_cores: float
    host_cores: float
    vacation_wait: float = 0.0          # mean residual of other vCPUs' slices a request waits out
    delay: float = 0.0                  # the path's pure delay (in the mean; the gamma fit is of the rest)
    stations: dict = field(default_factory=dict)  # name -> (response time, response variance)

    def percentile(self, p: float) -> float:
        """The ``p``-quantile of the group's latency: the delay plus a gamma fit to the queueing part's mean
        and variance (as the single-group model); ``inf`` if saturated."""
        if not (isinstance(p, (int, float)) and 0 < p < 1):
            raise ParameterError("p", p, "a probability in (0, 1)")
        if not math.isfinite(self.mean_latency):
            return math.inf
        queue = self.mean_latency - self.delay
        return self.delay + float(gamma_quantiles(queue, self.latency_variance, [p])[0])

    p50 = property(lambda self: self.percentile(0.50))
    p95 = property(lambda self: self.percentile(0.95))
    p99 = property(lambda self: self.percentile(0.99))


@dataclass(frozen=True)
class _Load:
    """What one group's request puts on one station (from the group's own model)."""

    name: str
    shared: bool
    arrivals: float      # all the group's VMs for a shared station, one VM's otherwise
    demand: float
    variance: float
    servers: int
    response: float
    response_variance: float
    capacity: float = math.inf  # the per-VM arrival rate it takes alone (one VM's: its splits' servers / demand)
    host_rate: float = 0.0      # requests/s of the group's work there that runs on the host's cores (else 0)
    discipline: str = "fcfs"    # the resource's ("ps": one server shared by the requests present, the memory)


def _loads(model) -> tuple:
    """``({station: _Load}, delay)`` of one group's model (the compiled station bundle, no table)."""
    from .model._compile import PER_STATION

    values, _ = model._resolve({})
    per, delay = model._stations_numeric(values, everything=True)
    shared = {st.name: st.shared for st in model._derived.stations}
    discipline = {st.name: st.discipline for st in model._derived.stations}
    on_host = {st.name for st in model._derived.stations if st.cores_of == "host"}
    vms = float(model.values()["vms"])
    out = {}
    for name, terms in zip(model.stations(), per):
        row = dict(zip(PER_STATION, (float(t) for t in terms)))
        if row["demand"] > 0:  # no work: the request does not visit it
            response, variance = row["response_time"], row["response_variance"]
            if row["utilization"] >= 1:
                response = variance = math.inf
            # host-CPU work of all the group's VMs: a shared station's arrivals, or every VM's split stations'
            rate = row["arrival_rate"] * (1.0 if shared[name] else vms * row["splits"]) if name in on_host else 0.0
            out[name] = _Load(name, shared[name], row["arrival_rate"], row["demand"], row["service_variance"],
                              int(row["servers"]), response, variance, row["capacity"], rate, discipline[name])
    return out, float(delay)


def _scv(load: _Load) -> float:
    return load.variance / load.demand**2


def _first(result) -> float:
    return float(np.asarray(result).reshape(-1)[0])


def _shared_station(name, classes):
    """``{group index: (response, variance)}`` of one shared resource (a class per group)."""
    servers = {load.servers for _, load in classes}
    if len(servers) != 1:
        raise ParameterError("groups", name, "groups whose shared resources have the same number of servers",
                             f"the groups give resource {name!r} {sorted(servers)} servers")
    if classes[0][1].discipline == "ps":    # one server shared by the requests present (the memory)
        station = ps_multiclass([load.arrivals for _, load in classes], [load.demand for _, load in classes],
                                [load.variance for _, load in classes])
        return {g: rv for (g, _), rv in zip(classes, station)}
    station = mgc_multiclass([np.atleast_1d(float(load.arrivals)) for _, load in classes],
                             [float(load.demand) for _, load in classes], [_scv(load) for _, load in classes],
                             servers.pop())
    return {g: (_first(c.response_time), _first(c.response_variance)) for (g, _), c in zip(classes, station)}


def _capacity_left(name, g, loads, count):
    """Per-VM arrival rate of group ``g`` that station ``name`` can take with the others at their loads."""
    mine = loads[g][name]
    if not mine.shared:
        return mine.capacity
    others = sum(ld[name].arrivals * ld[name].demand for h, ld in enumerate(loads) if h != g and name in ld)
    return max(0.0, mine.servers - others) / (count * mine.demand)


def solve(host) -> tuple:
    """Per-group :class:`GroupResult` of a :class:`~virtmodel.host.Host` (see the module docstring)."""
    from .model import Model

    from .techniques.switch_daemon import on_one_daemon

    groups = host.merged()
    models = [Model(tech, g.workload, host.platform.replace(vms=g.count))  # one switch daemon: switch_daemon.py
              for g, tech in zip(groups, on_one_daemon(groups))]
    for g, model in zip(groups, models):
        if g.workload.users > 0:
            raise ParameterError("workload", f"users={g.workload.users}", "an open workload (users = 0) in a Host",
                                 "the shared host composes open multi-class stations")
    loads, delays = zip(*(_loads(m) for m in models)) if models else ((), ())
    loads = list(loads)
    responses = [{} for _ in groups]
    names = []
    for ld in loads:
        names += [n for n in ld if n not in names]
    for name in names:
        classes = [(g, ld[name]) for g, ld in enumerate(loads) if name in ld]
        if classes[0][1].shared:
            for g, rv in _shared_station(name, classes).items():
                responses[g][name] = rv
        else:
            for g, load in classes:
                responses[g][name] = (float(load.response), float(load.response_variance))
    capacity = [{name: _capacity_left(name, g, loads, groups[g].count) for name in loads[g]}
                for g in range(len(groups))]
    vacation = [0.0] * len(groups)
    if host.scheduler is not None:
        vacation = _time_sliced_guests(host, groups, loads, responses, capacity)
    out = []
    for g, (group, model) in enumerate(zip(groups, models)):
        rv = responses[g]
        delay = delays[g]
        mean = sum(r for r, _ in rv.values()) + delay
        var = sum(v for _, v in rv.values())
        if not math.isfinite(mean):
            mean, var = math.inf, math.inf
        cpu = model.evaluate_many(["guest_cores", "host_cores"])
        out.append(GroupResult(group, float(mean), float(var), float(min(capacity[g].values())),
                               cpu["guest_cores"], cpu["host_cores"], float(vacation[g]), delay, dict(rv)))
    return tuple(out)


def _slices(g, loads, groups, runnable, turns, cores, scheduler):
    """Group ``g``'s slice waits and its vCPU's completion time (mean, variance) given the others' runnable shares.

    A ``background`` group's vCPU is always runnable: its requests wait for its next turn (no boost), and
    its quantum ends cut them at :func:`~virtmodel.timeslices.runnable_quantum_ends_rate`."""
    quantum, always = scheduler.quantum, groups[g].background
    others = [(runnable[h], groups[h].count - (h == g), *turns[h]) for h in range(len(groups)) if turns[h]]
    sw = slice_waits(others, cores, quantum, scheduler.boost, scheduler.switch_cost, runnable=always)
    own = loads[g]["guest"]
    eta = runnable_quantum_ends_rate(own.arrivals, own.demand, quantum, sw.round[0]) if always else \
        quantum_ends_rate(own.arrivals, own.demand, quantum)
    return (sw, *completion_moments(own.demand, own.variance, eta, *sw.round))


def _runnable_fixed_point(groups, loads, busy, rho_host, cores, scheduler, rounds=200):
    r"""The vCPUs' runnable shares as a fixed point, and each group's slice waits and completion time.

    A vCPU is runnable while it has work, waiting for its slice included: with
    setup :math:`U` and completion time :math:`C` the share is
    :math:`1 - P_0 = 1 - (1-\rho)/(1+\lambda E[U])`, :math:`\rho = \lambda E[C]/(1-\rho_{\mathrm{host}})`
    (the idle probability of the M/G/1 with setup times, :func:`~virtmodel.queueing.mg1_exceptional`),
    capped at 1 (and 1 for a ``background`` group). Iterated from the plain utilizations until it moves
    less than 1e-12.
    """
    quantum = scheduler.quantum
    runnable = list(busy)
    # a turn is counted in running time; host work on the core stretches it in wall time by 1/(1 - rho_host)
    stretch = 1 / max(1e-300, 1 - rho_host)
    turns = [None if "guest" not in ld else tuple(
        x * stretch**k for k, x in enumerate(slice_moments(math.inf if group.background else ld["guest"].arrivals,
                                                           ld["guest"].demand, quantum), 1))
        for group, ld in zip(groups, loads)]
    for _ in range(rounds):
        out = [_slices(g, loads, groups, runnable, turns, cores, scheduler) if "guest" in ld else None
               for g, ld in enumerate(loads)]
        new = []
        for g, ld in enumerate(loads):
            if out[g] is None or groups[g].background:
                new.append(0.0 if out[g] is None else 1.0)
                continue
            lam, (u1, _), c_mean = ld["guest"].arrivals, out[g][0].setup, out[g][1]
            rho = lam * c_mean / (1 - rho_host) if rho_host < 1 else 1.0
            new.append(1.0 if rho >= 1 else 1 - (1 - rho) / (1 + lam * u1))
        if max(abs(a - b) for a, b in zip(new, runnable)) < 1e-12:
            break
        runnable = new
    return out


def _time_sliced_guests(host, groups, loads, responses, capacity) -> list:
    """Replace each group's ``guest`` station by its time-sliced vCPU (module docstring); the slice waits."""
    cores = host.platform.cores
    if host.platform.vcpus != 1:
        raise ParameterError("vcpus", host.platform.vcpus, "1 with a time-slicing scheduler",
                             "the time-sliced vCPU is one server per VM; model several vCPUs as more VMs")
    # the host work that preempts the vCPUs: the host's cores and the back-end threads (vhost workers, I/O threads)
    hosts = [load for ld in loads for load in ld.values() if load.host_rate > 0]
    per_core = [(h.host_rate / cores, h.demand, _scv(h)) for h in hosts]
    rho_host = sum(lam * m for lam, m, _ in per_core)
    busy = [min(1.0, ld["guest"].arrivals * ld["guest"].demand / (1 - rho_host)) if "guest" in ld
            and rho_host < 1 and not group.background else (1.0 if "guest" in ld else 0.0)
            for group, ld in zip(groups, loads)]
    slices = _runnable_fixed_point(groups, loads, busy, rho_host, cores, host.scheduler)
    waits = []
    for g, ld in enumerate(loads):
        if "guest" not in ld:
            waits.append(0.0)
            continue
        sw, c_mean, c_var = slices[g]
        own = ld["guest"]
        classes = per_core + [(own.arrivals, c_mean, c_var / c_mean**2)]
        vcpu = mg1_priority([np.atleast_1d(float(lam)) for lam, _, _ in classes], [m for _, m, _ in classes],
                            [s for _, _, s in classes], preemptive=True)[-1]
        u1, u2 = sw.setup
        u3 = sw.setup_third if sw.setup_third is not None else third_moment(u1, u2 / u1**2 - 1) if u1 > 0 else 0.0
        y1, y2 = setup_delay(own.arrivals, u1, u2, u3)
        r, v = _first(vcpu.response_time), _first(vcpu.response_variance)
        responses[g]["guest"] = (r + y1, v + y2 - y1**2)
        capacity[g]["guest"] = max(0.0, 1 - rho_host) / c_mean
        waits.append(y1)
    return waits


__all__ = ["GroupResult", "solve"]
