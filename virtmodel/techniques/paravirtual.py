"""Paravirtualization (Xen-style): hypercalls and split front-end/back-end drivers.

The modified guest replaces privileged operations by (batched) hypercalls;
page-table writes are batched into multicalls of ``pte_batch``; I/O goes through
a shared-memory ring (front-end, in the guest) to a back-end in the driver
domain on the host's cores, with one notification per ``io_batch`` I/Os.

.. math::
    D_{\\mathrm{guest}} = t_{\\mathrm{cpu}} + \\frac{1}{f}\\Big(n_{\\mathrm{sys}} c_{\\mathrm{sys}}
      + n_{\\mathrm{pf}} c_{\\mathrm{pf}} + n_{\\mathrm{cs}} c_{\\mathrm{cs}}
      + \\frac{n_{\\mathrm{pte}}}{b_{\\mathrm{pte}}} c_{\\mathrm{hc}} + n_{\\mathrm{reg}} c_{\\mathrm{hc}}
      + (n_{\\mathrm{irq}} + n_{\\mathrm{ioirq}}) c_{\\mathrm{ev}}
      + n_{\\mathrm{io}} c_{\\mathrm{ring}} + \\frac{n_{\\mathrm{io}}}{b_{\\mathrm{ntf}}} c_{\\mathrm{hc}}\\Big),
    \\qquad D_{\\mathrm{host}} = n_{\\mathrm{io}}\\, t_{\\mathrm{be}}

Defaults: Barham et al. (SOSP 2003, lmbench on a 2.4 GHz Xeon) for system
calls, page faults and context switches (differences to native converted at
2.4 GHz); the null hypercall from Dall et al. (ISCA 2016, KVM x86) as an
estimate of a Xen hypercall; the netback back-end cost from the single-queue
limit of about 6 Gb/s of 1500-byte packets (~2 us per packet). Batch sizes, the
ring and event-channel costs are assumptions. Guest exceptions (``exceptions``
of the workload) cost nothing extra: the guest registers its trap handlers with
the hypervisor and they run in the guest (an assumption; no source in the record
gives a Xen divide-by-zero cost). Interrupts and wake-ups (flag ``wakeups``,
default ``on``; ``off`` is the first model): :mod:`virtmodel.techniques.notifications`.

I/O path (flag ``io_path``, :mod:`virtmodel.techniques.io_paths`): ``split``
(the back-end on the host's cores, above) or ``driver_domain``: the back-end on
the driver domain's ``driver_domain_vcpus`` (a station of its own), with a grant
copy per I/O and a domain switch per notification (assumptions),
:math:`D_{\\mathrm{dd}} = n_{\\mathrm{io}}(t_{\\mathrm{be}} + c_{\\mathrm{gnt}}/f)
+ (n_{\\mathrm{io}}/b_{\\mathrm{ntf}})\\, c_{\\mathrm{dsw}}/f`; ``host_switch`` adds the
bridge or switch the driver domain forwards each packet through; ``direct``: the
paravirtual kernel owns the device and runs its native driver (Xen's dom0): no
split-driver term, and per device interrupt the unmask hypercall of a physical
IRQ (:mod:`virtmodel.techniques.pv_direct_device`). Segmentation
offload (flag ``segment_offload``, default off; netfront/netback ``feature-gso``):
the path's per-packet work per segment, :mod:`virtmodel.techniques.offload`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import param
from ._base import Demands, Technique, cycles, events, native_demands
from .io_paths import DRIVER_DOMAIN, HostSwitch, io_path_flag, path_loads
from .notifications import Wakeups
from .offload import SegmentOffload
from .payload_copy import PayloadCopy
from .pv_direct_device import DirectDevice


@dataclass(frozen=True)
class Paravirtual(DirectDevice, SegmentOffload, PayloadCopy, HostSwitch, Wakeups, Technique):
    """Paravirtualization with split drivers (see the module docstring)."""

    name = "paravirtual"
    label = "Paravirtualization"
    resources = (DRIVER_DOMAIN,)

    syscall_cycles: float = param(
        24, unit="cycles", source="barham2003", latex=r"c_{\mathrm{sys}}",
        doc="extra cycles per system call over native (null call 0.46 vs 0.45 us; approx.)")
    pgfault_cycles: float = param(
        3144, unit="cycles", source="barham2003", latex=r"c_{\mathrm{pf}}",
        doc="extra cycles per page fault over native (2.73 vs 1.42 us; approx.)")
    ctxsw_cycles: float = param(
        2880, unit="cycles", source="barham2003", latex=r"c_{\mathrm{cs}}",
        doc="extra cycles per context switch over native (1.97 vs 0.77 us; approx.)")
    hypercall_cycles: float = param(
        1300, unit="cycles", source="dall2016", latex=r"c_{\mathrm{hc}}",
        doc="cycles per hypercall (null hypercall, 1300-1440 on x86)")
    pte_batch: float = param(
        8.0, unit="count", domain="positive", latex=r"b_{\mathrm{pte}}",
        doc="page-table writes per multicall (batching; assumption)")
    event_channel_cycles: float = param(
        1300, unit="cycles", latex=r"c_{\mathrm{ev}}",
        doc="cycles per virtual interrupt via an event channel (assumption: one hypercall)")
    ring_cycles: float = param(
        500, unit="cycles", latex=r"c_{\mathrm{ring}}",
        doc="front-end cycles per I/O to post and reap a ring descriptor (assumption)")
    io_batch: float = param(
        4.0, unit="count", domain="positive", latex=r"b_{\mathrm{ntf}}",
        doc="I/Os per notification hypercall (assumption)")
    backend_time: float = param(
        2e-6, unit="s", source="linux_xen_netback_mq", latex=r"t_{\mathrm{be}}",
        doc="host CPU seconds per I/O in the back-end (netback: ~6 Gb/s per queue at 1500 B; approx.)")
    grant_copy_cycles: float = param(
        2000, unit="cycles", latex=r"c_{\mathrm{gnt}}",
        doc="driver-domain cycles per I/O for the grant copy (hypercall, validation, copy of one packet; "
            "assumption; driver_domain path)")
    domain_switch_cycles: float = param(
        4000, unit="cycles", latex=r"c_{\mathrm{dsw}}",
        doc="driver-domain cycles per notification to switch to the driver domain (assumption; driver_domain path)")
    driver_domain_vcpus: int = param(
        1, unit="count", domain="count", latex=r"c_{\mathrm{dd}}",
        doc="vCPUs of the driver domain running the back-ends (driver_domain path; assumption)")
    io_path: str = io_path_flag("split", ("split", "driver_domain", "direct"))

    def first_model(self, s):
        """The first model's demands and the event-channel upcalls an idle vCPU pays (notifications)."""
        hc = cycles(s, s.hypercall_cycles)
        interrupts, suppressed = self.interrupt_loads(s, hc)  # pv_direct_device.py
        guest = events(s.syscalls, cycles(s, s.syscall_cycles)) + \
            events(s.page_faults, cycles(s, s.pgfault_cycles)) + \
            events(s.context_switches, cycles(s, s.ctxsw_cycles)) + \
            events(s.pte_updates / s.pte_batch, hc) + events(s.register_writes, hc) + interrupts
        loads = path_loads(self, s, self.io_path, hc)
        packets = self.packet_load(s, hc)  # the device's own driver: io_path="direct" only
        loads["guest"] = guest + (loads["guest"] if packets is None else packets)
        return native_demands(s).add(**loads), suppressed

    def demands(self, s) -> Demands:
        return self.with_wakeups(s)
