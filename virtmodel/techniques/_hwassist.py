"""The hardware-assisted CPU path (VT-x/AMD-V) and the I/O paths built on it.

Shared by :mod:`~virtmodel.techniques.hardware_assist`,
:mod:`~virtmodel.techniques.sriov` and :mod:`~virtmodel.techniques.nitro`.

CPU (guest vCPU station), one exit costing
:math:`t_x = (c_{\\mathrm{exit}} + c_{\\mathrm{handle}})/f`:

.. math::
    \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{irq}} k_{\\mathrm{irq}} t_x
      + n_{\\mathrm{reg}} p_{\\mathrm{reg}} t_x +
    \\begin{cases}
      n_{\\mathrm{tlb}}\\, c_{\\mathrm{walk}}/f & \\text{nested paging (EPT/NPT)}\\\\
      (n_{\\mathrm{pf}} c_{\\mathrm{pf}} + n_{\\mathrm{pte}} c_{\\mathrm{pte}})/f
        + n_{\\mathrm{cs}} t_x & \\text{shadow page tables}
    \\end{cases}

System calls do not exit (they run at native speed, Adams & Agesen 2006).
Assumption: exits are handled in the host kernel unless a user-space device
model is named; their cost is charged to the vCPU that took them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._base import Demands, Load, Technique, cycles, events, native_demands


@dataclass(frozen=True)
class HardwareAssistCPU(Technique):
    """Costs of the hardware-assisted CPU path (base of hardware_assist, sriov, nitro)."""

    exit_cycles: float = param(
        784, unit="cycles", source="agesen2012", latex=r"c_{\mathrm{exit}}",
        doc="hardware VM exit + entry round trip (Sandy Bridge; see generations.py)")
    exit_handling_cycles: float = param(
        2216, unit="cycles", source="agesen2012", latex=r"c_{\mathrm{handle}}",
        doc="software handling per exit in the host kernel (3000 total - 784 hardware, approx.)")
    exits_per_interrupt: float = param(
        2.0, unit="count", latex=r"k_{\mathrm{irq}}",
        doc="exits per virtual interrupt (external-interrupt exit + EOI exit; assumption)")
    register_write_exits: float = param(
        0.0, unit="1", domain="fraction", source="adams2006", latex=r"p_{\mathrm{reg}}",
        doc="share of privileged register writes that exit (TPR shadowing: cr8wr ~native)")
    nested_walk_cycles: float = param(
        60.0, unit="cycles", latex=r"c_{\mathrm{walk}}",
        doc="extra cycles per TLB miss for a 2-D page walk (24 vs 4 refs, mostly cached; assumption)")
    pgfault_cycles: float = param(
        10149, unit="cycles", source="adams2006", latex=r"c_{\mathrm{pf}}",
        doc="extra cycles per guest page fault over native (11242 - 1093 on first-gen VT-x)")
    ptemod_cycles: float = param(
        12732, unit="cycles", source="adams2006", latex=r"c_{\mathrm{pte}}",
        doc="extra cycles per page-table write over native (12733 - 1 on first-gen VT-x)")
    nested_paging: bool = flag(True, doc="EPT/NPT on (False: shadow page tables)", options=(True, False))

    def exit_time(self, s):
        """Seconds per exit handled in the host kernel: :math:`(c_{exit}+c_{handle})/f`."""
        return cycles(s, s.exit_cycles + s.exit_handling_cycles)

    def cpu_demands(self, s) -> Demands:
        """The native path plus the exits and walks of the CPU (module formula)."""
        t_x = self.exit_time(s)
        extra = events(s.interrupts, s.exits_per_interrupt * t_x) + \
            events(s.register_writes * s.register_write_exits, t_x)
        if self.nested_paging:
            extra = extra + events(s.tlb_misses, cycles(s, s.nested_walk_cycles))
        else:
            extra = extra + events(s.page_faults, cycles(s, s.pgfault_cycles)) + \
                events(s.pte_updates, cycles(s, s.ptemod_cycles)) + events(s.context_switches, t_x)
        return native_demands(s).add(guest=extra)

    def interrupt_exits(self, s) -> Load:
        """Device interrupts delivered through the hypervisor (each exits)."""
        return events(s.io_interrupts, s.exits_per_interrupt * self.exit_time(s))


def virtio_io(tech: HardwareAssistCPU, s) -> dict:
    """Paravirtual (virtio) I/O: kicks exit to an in-kernel back-end (vhost).

    .. math::
        \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} x_{\\mathrm{pv}} t_x + \\text{interrupt exits},
        \\qquad \\Delta D_{\\mathrm{host}} = n_{\\mathrm{io}} t_{\\mathrm{be}}
    """
    guest = events(s.io_ops, s.virtio_exits_per_io * tech.exit_time(s)) + tech.interrupt_exits(s)
    return dict(guest=guest, host=events(s.io_ops, s.backend_time))


def emulated_io(tech: HardwareAssistCPU, s) -> dict:
    """An emulated device: several exits per I/O, each to a user-space device model.

    .. math::
        \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} x_{\\mathrm{emu}}
            (t_x + c_{\\mathrm{user}}/f) + \\text{interrupt exits},
        \\qquad \\Delta D_{\\mathrm{host}} = n_{\\mathrm{io}} t_{\\mathrm{be}}
    """
    per_exit = tech.exit_time(s) + cycles(s, s.userspace_exit_cycles)
    guest = events(s.io_ops * s.emulated_exits_per_io, per_exit) + tech.interrupt_exits(s)
    return dict(guest=guest, host=events(s.io_ops, s.backend_time))


def passthrough_io(tech: HardwareAssistCPU, s, posted_interrupts: bool) -> dict:
    """A device function assigned to the guest (SR-IOV VF): DMA through the IOMMU.

    .. math::
        \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} c_{\\mathrm{iommu}}/f
          + [\\text{not posted}]\\;\\text{interrupt exits}

    No host-CPU work per I/O.
    """
    guest = events(s.io_ops, cycles(s, s.iommu_cycles))
    if not posted_interrupts:
        guest = guest + tech.interrupt_exits(s)
    return dict(guest=guest)


@dataclass(frozen=True)
class AssignedIO(HardwareAssistCPU):
    """Hardware-assisted CPU with a device function assigned to the guest (base of sriov, nitro)."""

    iommu_cycles: float = param(
        200.0, unit="cycles", latex=r"c_{\mathrm{iommu}}",
        doc="guest-side cycles per I/O for DMA through the IOMMU (IOTLB misses, mapping; assumption)")
    posted_interrupts: bool = flag(
        False, doc="posted / exitless interrupts (device interrupts reach the guest without exits)",
        options=(True, False))

    def demands(self, s) -> Demands:
        return self.cpu_demands(s).add(**passthrough_io(self, s, self.posted_interrupts))
