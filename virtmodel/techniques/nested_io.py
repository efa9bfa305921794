"""A nested guest's I/O through two device paths in series: L1's back-end, then L1's own device.

With paravirtual (or emulated) I/O at both levels, the L2 guest's device is
served by a back-end inside the guest hypervisor L1 (L1's vhost worker, or a
user-space device model such as QEMU, Firecracker or Cloud Hypervisor running
in L1), and that back-end forwards each packet or block request through L1's
*own* virtual device, which L0's back-end serves (Turtles' nested I/O with
emulation or para-virtualization at each level; "virtio over virtio"). The L1
back-end is guest work of L1: it runs on L1's vCPUs at native speed, and its
notifications to L0 (the kicks of L1's own device) and the interrupts L1 takes
from L0's back-end are L1's exits to L0, which L0 handles directly, at the
*single-level* cost :math:`t_x = (c_{\\mathrm{exit}} + c_{\\mathrm{handle}})/f`
(not multiplied by :math:`M`: L1 is an ordinary guest of L0). The L2 side is
the nested technique's as before: L2's kicks and interrupt exits cost
:math:`M t_x` each on L2's vCPUs (:mod:`~virtmodel.techniques.nested`).

Per request, with :math:`n_{\\mathrm{io}}` I/Os, :math:`n_{\\mathrm{irq}}` device
interrupts, and the technique's I/O path :math:`P` (``io_path``, taken at both
levels: L1's own device is of the same kind as the one it gives L2):

.. math::
    D_{\\mathrm{L1}} = \\underbrace{n_{\\mathrm{io}}\\big(\\textstyle\\sum t_{\\mathrm{be}}
        + t_{\\mathrm{sw}} + k_{\\mathrm{cp}} t_{\\mathrm{cp}} b_{\\mathrm{io}}\\big)}_{\\text{L1's back-end}}
      + \\underbrace{K_P(n_{\\mathrm{io}}, t_x)}_{\\text{L1's kicks}}
      + \\underbrace{n_{\\mathrm{irq}}\\big(k_{\\mathrm{irq}} t_x + r(t_x)\\big)}_{\\text{L1's interrupts}},
    \\qquad D_{\\mathrm{L0}} = n_{\\mathrm{io}}\\big(\\textstyle\\sum t_{\\mathrm{be}}
        + t_{\\mathrm{sw}} + k_{\\mathrm{cp}} t_{\\mathrm{cp}} b_{\\mathrm{io}}\\big)

where the back-end work and the kicks :math:`K_P` are path :math:`P`'s row of
:data:`~virtmodel.techniques.io_paths.PATHS` (:func:`~virtmodel.techniques.io_paths.path_loads`
with the single-level trap time: e.g. ``virtio``, :math:`n_{\\mathrm{io}} x_{\\mathrm{pv}} t_x`;
``emulated``, :math:`n_{\\mathrm{io}} k (t_x + c_{\\mathrm{user}}/f)`), :math:`r(t_x)` the
register accesses of an interrupt on the virtio-MMIO transport
(:mod:`~virtmodel.techniques.virtio_transport`; 0 on PCI), and
:math:`D_{\\mathrm{L0}}` the previous model's back-end, unchanged, on its
resource (the vhost workers, the I/O thread, the host's cores). Only
:math:`D_{\\mathrm{L1}}` is new.

Where :math:`D_{\\mathrm{L1}}` runs (assumption, declared): on L1 vCPUs that do
not run L2's vCPUs, as a back-end thread of the same kind as L0's: L1's vhost
workers, one one-server station per queue (:data:`L1_VHOST`, fed
:math:`\\lambda/q`), or L1's user-space device model's I/O thread, one server
(:data:`L1_IOTHREAD`); a back-end pooled on the host's cores or on polling
cores at L0 (``emulated``, ``virtio_pooled``, ``vhost_user``) is pooled on the
same resource at L1 (L1's vCPUs are threads on the host's cores). Its busy time
is host CPU (``host_cores``): L1's vCPUs are host threads. L1's interrupts per
request are L2's, :math:`n_{\\mathrm{irq}}` (each interrupt L1 injects into L2
follows one interrupt L1 took from L0's back-end), taken by the vCPU that runs
L1's back-end, at L1's settings (the technique's ``exits_per_interrupt``, its
``virtio_transport``); they are never suppressed by a busy vCPU.

Flag ``l1_io_path`` (structural, default ``virtio``): ``virtio`` is the two
paths in series above; ``passthrough`` is multi-level device assignment
(Turtles: L0 assigns the device to L1, which assigns it to L2; L2 reaches it
with no L1 back-end), the previous model exactly: one back-end, L0's.

Limiting cases: ``passthrough`` is the previous model; :math:`n_{\\mathrm{io}} =
n_{\\mathrm{irq}} = 0` adds nothing; at :math:`M = 1` (a single-level guest's
exits) the L1 stage is still there: a second back-end is a property of the
path, not of the exit factor.

Left out (no per-I/O value in a source read): L1's own forwarding between its
back-end and its device (tap, bridge, NAT inside L1) beyond the technique's
``host_switch``, which is taken at both levels; the wake-ups of L1's back-end
thread (the ``wakeups`` flag charges L0's back-end only); contention of L1's
back-end with L2's vCPUs when L1 has no spare vCPU; copies across the two
levels beyond the path's ``copy`` term at each.

Sources: Ben-Yehuda et al., OSDI 2010 (``benyehuda2010``: multi-level device
assignment for nested I/O, stored abstract; the per-level options of its I/O
section, emulation, para-virtual and assigned at each level, from memory);
Lim and Nieh, ASPLOS 2020 (``lim2020_dvh``: without DVH the nested VM's virtual
hardware is provided through multiple levels of hypervisors, stored abstract).
No new cost value: every term reuses the single-level path's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag
from ._base import Load
from ._hwassist import HardwareAssistCPU
from .io_paths import PATHS, back_end_thread, path_loads

#: the values of ``l1_io_path``: L1 forwards through its own device (two back-ends), or the device is assigned
L1_PATHS = ("virtio", "passthrough")

L1_VHOST = back_end_thread("l1_vhost", "queues", "the L1 guest hypervisor's vhost workers serving the nested "
                                                 "guest's device, on L1 vCPUs not running L2's (one per queue)")
L1_IOTHREAD = back_end_thread("l1_iothread", 1, "the I/O thread of the L1 guest hypervisor's user-space device "
                                                "model serving the nested guest's device, on an L1 vCPU")
#: L0's back-end resource on a path -> the resource L1's back-end of that path runs on
L1_RESOURCES = {"vhost": L1_VHOST.name, "iothread": L1_IOTHREAD.name, "host": "host", "poller": "poller"}


def applies(tech) -> bool:
    """Whether ``tech`` forwards its I/O through L1 (``l1_io_path="virtio"`` on a path through the host)."""
    return getattr(tech, "l1_io_path", "passthrough") == "virtio" and PATHS[tech.io_path].through_host


def single_level_exit_time(tech, s):
    """Seconds per exit of L1 to L0, handled by L0 directly: the single-level
    :math:`t_x = (c_{exit}+c_{handle})/f` (:meth:`HardwareAssistCPU.exit_time`, not the nested one)."""
    return HardwareAssistCPU.exit_time(tech, s)


def l1_backend_load(tech, s) -> dict:
    """``{resource: Load}`` of L1's back-end per request, :math:`D_{\\mathrm{L1}}` (module formula); empty
    when the mechanism does not apply (:func:`applies`)."""
    if not applies(tech):
        return {}
    path = PATHS[tech.io_path]
    t_x = single_level_exit_time(tech, s)
    own = path_loads(tech, s, tech.io_path, t_x)  # L1's own device at the single-level trap cost
    load = own.get(path.resource, Load()) + own.get("guest", Load()) + tech.interrupt_exits(s, t_x)
    return {L1_RESOURCES[path.resource]: load}


@dataclass(frozen=True)
class NestedIO:
    """Mixin: the ``l1_io_path`` flag of a nested guest (module docstring)."""

    l1_io_path: str = flag("virtio", doc="how the nested guest's I/O crosses L1: virtio (a back-end in L1 "
                                         "forwards each I/O through L1's own device of the same kind, served by "
                                         "L0's back-end: two back-ends in series) or passthrough (multi-level "
                                         "device assignment: no L1 back-end, the previous model)",
                           options=L1_PATHS)


__all__ = ["L1_PATHS", "L1_VHOST", "L1_IOTHREAD", "L1_RESOURCES", "NestedIO", "applies", "l1_backend_load",
           "single_level_exit_time"]
