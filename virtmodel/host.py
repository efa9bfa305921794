"""Tenants: a host as a list of VM groups, each a technique, a workload and a count.

A :class:`Host` is a platform and the groups of VMs that share it
(:class:`VMGroup`). The one-group case is today's model:
``Host(groups=[VMGroup("sriov", "small_packet_rr", 8)])`` is
``Model("sriov", "small_packet_rr", Platform(vms=8))`` with the same results,
and :meth:`Host.model` returns that :class:`~virtmodel.model.Model`.

Groups that are alike (same technique and workload) are one group of their
summed count. Groups that differ share the host's cores, the device and the card
with *different* service times: :meth:`Host.results` (and :meth:`Host.table`)
solves them as a multi-class network of the queueing core's stations
(:mod:`virtmodel.shared_host`) and returns per-group mean latency, percentiles,
throughput limit and CPU (:meth:`Host.expression`: the mean latencies as SymPy
expressions). ``scheduler=None`` (the default) gives each vCPU a core
of its own, as the single-group model does; ``scheduler=TimeSlices(quantum=...)``
(:mod:`virtmodel.timeslices`) runs the vCPU threads on the host's ``cores`` in
time slices, with host interrupt and back-end work at priority over them: when
vCPUs outnumber cores, a request waits for the other VMs' slices (a server with
vacations), which is where tails under consolidation come from. A neighbour with
no load changes nothing; with no overcommit there is no vacation term.

>>> h = Host([VMGroup("sriov", "small_packet_rr", 4), VMGroup("sriov", "small_packet_rr", 4)])
>>> h.model().platform.vms
8
>>> mixed = Host([VMGroup("sriov", "small_packet_rr", 4), VMGroup("paravirtual", "web_serving", 4)])
>>> [round(r.mean_latency * 1e6) for r in mixed.results()]  # microseconds, per group, wake-ups included
[29, 497]

A scheduler may let a vCPU that wakes run ahead of the others
(``TimeSlices(boost=...)``, :mod:`virtmodel.timeslices`): a nearly idle probe behind
three CPU-bound VMs on one core waits the others' slices without a boost, the rest of
the running slice with ``"next_slice"`` (Xen 1.0's BVT), and almost nothing with
``"preempt"`` (Xen credit's BOOST, Linux CFS). A VM that is itself busy
(``background=True``) never wakes: it waits for its next turn whatever the boost.

>>> from virtmodel import workloads
>>> from virtmodel.timeslices import TimeSlices
>>> probe = VMGroup("paravirtual", workloads.get("small_packet_rr").replace(arrival_rate=10.0))
>>> hogs = VMGroup("paravirtual", workloads.get("cpu_bound").replace(arrival_rate=1000.0), 3)
>>> [round(Host([probe, hogs], Platform(cores=1), TimeSlices(5e-3, boost=b)).results()[0].mean_latency * 1e3, 2)
...  for b in ("none", "next_slice", "preempt")]   # milliseconds
[11.85, 2.51, 0.03]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._params import check_value
from .errors import ParameterError
from .platform import Platform
from .techniques import get
from .workload import Workload


@dataclass(frozen=True)
class VMGroup:
    """``count`` VMs running ``workload`` under ``technique`` (names or objects).

    ``background=True``: the VMs also run a CPU-bound job below their requests (the guest OS
    runs a woken request handler first), so with time slices their vCPU is always runnable:
    it never wakes, gets no wake-up boost, and a request waits for the vCPU's next turn
    (:func:`~virtmodel.timeslices.next_turn_setup`). With a core per vCPU (``scheduler=None``)
    the requests preempt the job and see no difference.
    """

    technique: Any
    workload: Any = None
    count: int = 1
    background: bool = False

    def __post_init__(self):
        from . import workloads

        object.__setattr__(self, "technique", get(self.technique))
        object.__setattr__(self, "workload", Workload() if self.workload is None else workloads.get(self.workload))
        object.__setattr__(self, "count", check_value("count", self.count, "count"))
        if not isinstance(self.background, bool):
            raise ParameterError("background", self.background, "True or False")

    def same_kind(self, other: "VMGroup") -> bool:
        """Same technique (class, flags and costs), same workload and the same background."""
        return self.technique == other.technique and self.workload == other.workload and \
            self.background == other.background


@dataclass(frozen=True)
class Host:
    """A platform shared by groups of VMs (see the module docstring)."""

    groups: tuple
    platform: Any = None
    scheduler: Any = None   # None: a core per vCPU; TimeSlices(...): vCPUs time-sliced on the host's cores

    def __post_init__(self):
        groups = self.groups
        if isinstance(groups, VMGroup):
            groups = (groups,)
        groups = tuple(groups) if isinstance(groups, (list, tuple)) else ()
        if not groups or not all(isinstance(g, VMGroup) for g in groups):
            raise ParameterError("groups", self.groups, "one or more VMGroup objects")
        if self.platform is not None and not isinstance(self.platform, Platform):
            raise ParameterError("platform", self.platform, "a Platform")
        from .timeslices import TimeSlices

        if self.scheduler is not None and not isinstance(self.scheduler, TimeSlices):
            raise ParameterError("scheduler", self.scheduler, "None or a TimeSlices(quantum=..., boost=...)")
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "platform", self.platform or Platform())

    @property
    def vms(self) -> int:
        """VMs on the host, all groups."""
        return sum(g.count for g in self.groups)

    def merged(self) -> tuple:
        """The groups with alike ones merged (their counts summed), in first-seen order."""
        out: list = []
        for g in self.groups:
            same = next((i for i, m in enumerate(out) if m.same_kind(g)), None)
            if same is None:
                out.append(g)
            else:
                out[same] = VMGroup(g.technique, g.workload, out[same].count + g.count, g.background)
        return tuple(out)

    def model(self):
        """The :class:`~virtmodel.model.Model` of a host whose groups are alike (one group after merging)."""
        from .model import Model

        merged = self.merged()
        if len(merged) > 1 or self.scheduler is not None:
            kinds = ", ".join(f"{g.count} x {g.technique.name}/{_workload_name(g.workload)}" for g in merged)
            raise ParameterError(
                "groups", kinds, "VM groups of one technique and workload, each vCPU on a core of its own",
                "groups that differ, or time-sliced vCPUs, are a multi-class network: use Host.results() "
                "or Host.table() for per-group metrics")
        (group,) = merged
        return Model(group.technique, group.workload, self.platform.replace(vms=group.count))

    def results(self) -> tuple:
        """Per merged group, a :class:`~virtmodel.shared_host.GroupResult` (:mod:`virtmodel.shared_host`)."""
        from .shared_host import solve

        return solve(self)

    def expression(self) -> tuple:
        """Per merged group, its mean latency as a SymPy expression (a core per vCPU only).

        A group's own parameters carry its index (``arrival_rate_0``); :meth:`expression_values`
        gives the numbers that make each expression this host's ``results()[g].mean_latency``
        (:mod:`virtmodel.shared_host_formula`).
        """
        from .shared_host_formula import mean_latency_expressions

        return mean_latency_expressions(self)

    def expression_values(self) -> dict:
        """``{symbol name: value}`` of this host, for :meth:`expression` (``expr.subs(...)``)."""
        from .shared_host_formula import values

        return values(self)

    def table(self):
        """The per-group results as a pandas DataFrame (seconds; ``throughput_limit`` per VM, 1/s)."""
        import pandas as pd

        rows = []
        for r in self.results():
            rows.append({"technique": r.group.technique.name, "workload": _workload_name(r.group.workload),
                         "count": r.group.count, "arrival_rate": r.group.workload.arrival_rate,
                         "mean_latency": r.mean_latency, "p50": r.p50, "p95": r.p95, "p99": r.p99,
                         "vacation_wait": r.vacation_wait, "throughput_limit": r.throughput_limit,
                         "guest_cores": r.guest_cores, "host_cores": r.host_cores})
        return pd.DataFrame(rows)


def _workload_name(workload) -> str:
    from . import workloads

    return next((name for name, p in workloads.PRESETS.items() if p.workload == workload), "custom")


__all__ = ["Host", "VMGroup"]
