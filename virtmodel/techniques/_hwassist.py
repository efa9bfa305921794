"""The hardware-assisted CPU path (VT-x/AMD-V) and the I/O paths built on it.

Shared by :mod:`~virtmodel.techniques.hardware_assist`,
:mod:`~virtmodel.techniques.sriov` and :mod:`~virtmodel.techniques.nitro`.

CPU (guest vCPU station), one exit costing
:math:`t_x = (c_{\\mathrm{exit}} + c_{\\mathrm{handle}})/f`:

.. math::
    \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{irq}} k_{\\mathrm{irq}} t_x
      + n_{\\mathrm{reg}} p_{\\mathrm{reg}} t_x + n_{\\mathrm{exc}} c_{\\mathrm{exc}}/f +
    \\begin{cases}
      n_{\\mathrm{tlb}}\\, c_{\\mathrm{walk}}/f & \\text{nested paging (EPT/NPT)}\\\\
      n_{\\mathrm{pf}} (k_{\\mathrm{pf}} t_x + c_{\\mathrm{pf,vmm}}/f)
        + n_{\\mathrm{pte}} (k_{\\mathrm{pte}} t_x + c_{\\mathrm{pte,vmm}}/f)
        + n_{\\mathrm{cs}} t_x & \\text{shadow page tables}
    \\end{cases}

Shadow page tables: a guest page fault or page-table write costs its exits
(:math:`k` of them, each a hardware round trip plus the generic exit handling)
plus the rest of the VMM's work for that event (walking the guest page table,
updating the shadow, injecting the fault), :math:`c_{\\mathrm{vmm}}`. Adams &
Agesen (ASPLOS 2006) give only the totals on first-generation VT-x (Pentium 4
672, Prescott exit round trip 3963 cycles, Agesen et al. 2012): 11 242 cycles
per page fault (1093 native) and 12 733 per page-table write (1 native). The
split is this model's **assumption**: one exit per event
(:math:`k_{\\mathrm{pf}} = k_{\\mathrm{pte}} = 1`), the generic handling
:math:`c_{\\mathrm{handle}} = 2216` as for any exit, and the VMM software work
the rest, taken to be the same number of cycles on every generation:

.. math::
    c_{\\mathrm{pf,vmm}} = 11242 - 1093 - (3963 + 2216) = 3970, \\qquad
    c_{\\mathrm{pte,vmm}} = 12733 - 1 - (3963 + 2216) = 6553

So at the Prescott exit cost the model gives Adams & Agesen's totals exactly
(calibration), and a later generation's cheaper round trip makes each trap
cheaper (on Sandy Bridge, 784 cycles: 8063 and 9554 cycles per page fault and
page-table write, native included).

Guest exceptions (a divide-by-zero trap): first-generation VT-x took 125
cycles more than native (1014 vs 889, Adams & Agesen 2006), far below one
exit, so the model charges that flat extra and no exit.

System calls do not exit (they run at native speed, Adams & Agesen 2006).
Assumption: exits are handled in the host kernel unless a user-space device
model is named; their cost is charged to the vCPU that took them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .._params import flag, param
from ._base import Demands, Load, Technique, cycles, events, native_demands
from .io_paths import path_loads
from .notifications import Wakeups
from .offload import SegmentOffload


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
        2.0, unit="count", source="kvm_pv_eoi", latex=r"k_{\mathrm{irq}}",
        doc="exits per virtual interrupt: the external-interrupt exit and the guest's EOI exit (KVM's "
            "paravirtual EOI 'reduces the number of exits an interrupt causes as much as by half')")
    register_write_exits: float = param(
        0.0, unit="1", domain="fraction", source="adams2006", latex=r"p_{\mathrm{reg}}",
        doc="share of privileged register writes that exit (TPR shadowing: cr8wr ~native)")
    nested_walk_cycles: float = param(
        60.0, unit="cycles", latex=r"c_{\mathrm{walk}}",
        doc="extra cycles per TLB miss for a 2-D page walk (24 vs 4 refs, mostly cached; assumption)")
    pgfault_exits: float = param(
        1.0, unit="count", latex=r"k_{\mathrm{pf}}",
        doc="exits per guest page fault with shadow page tables (assumption: one)")
    pgfault_vmm_cycles: float = param(
        3970, unit="cycles", source="adams2006", latex=r"c_{\mathrm{pf,vmm}}",
        doc="VMM software cycles per shadow page fault beyond its exits "
            "(11242 - 1093 - (3963 + 2216): first-gen VT-x total less one Prescott exit; approx.)")
    ptemod_exits: float = param(
        1.0, unit="count", latex=r"k_{\mathrm{pte}}",
        doc="exits per guest page-table write with shadow page tables (assumption: one)")
    ptemod_vmm_cycles: float = param(
        6553, unit="cycles", source="adams2006", latex=r"c_{\mathrm{pte,vmm}}",
        doc="VMM software cycles per shadow page-table write beyond its exits "
            "(12733 - 1 - (3963 + 2216): first-gen VT-x total less one Prescott exit; approx.)")
    exception_cycles: float = param(
        125, unit="cycles", source="adams2006", latex=r"c_{\mathrm{exc}}",
        doc="extra cycles per guest exception over native (divzero: 1014 vs 889 on first-gen VT-x)")
    nested_paging: bool = flag(True, doc="EPT/NPT on (False: shadow page tables)", options=(True, False))

    def exit_time(self, s):
        """Seconds per exit handled in the host kernel: :math:`(c_{exit}+c_{handle})/f`."""
        return cycles(s, s.exit_cycles + s.exit_handling_cycles)

    def shadow_trap_time(self, s, exits, vmm_cycles):
        """Seconds per shadow-paging trap: :math:`k\\,t_x + c_{\\mathrm{vmm}}/f`.

        Parameters
        ----------
        s : symbols
            The parameters by name (see :class:`~virtmodel.techniques._base.Technique`).
        exits : symbol
            Exits per event, :math:`k` (``pgfault_exits`` or ``ptemod_exits``;
            assumption: one).
        vmm_cycles : symbol
            The VMM's software cycles beyond the exits, :math:`c_{\\mathrm{vmm}}`
            (``pgfault_vmm_cycles`` or ``ptemod_vmm_cycles``: Adams & Agesen's
            first-generation total less one Prescott exit).

        Returns
        -------
        expression
            :math:`k (c_{\\mathrm{exit}} + c_{\\mathrm{handle}})/f + c_{\\mathrm{vmm}}/f`, so
            a generation's exit round trip moves it.
        """
        return exits * self.exit_time(s) + cycles(s, vmm_cycles)

    def cpu_demands(self, s) -> Demands:
        """The native path plus the exits and walks of the CPU (module formula)."""
        t_x = self.exit_time(s)
        extra = events(s.interrupts, s.exits_per_interrupt * t_x) + \
            events(s.register_writes * s.register_write_exits, t_x) + \
            events(s.exceptions, cycles(s, s.exception_cycles))
        if self.nested_paging:
            extra = extra + events(s.tlb_misses, cycles(s, s.nested_walk_cycles))
        else:
            extra = extra + events(s.page_faults, self.shadow_trap_time(s, s.pgfault_exits, s.pgfault_vmm_cycles)) + \
                events(s.pte_updates, self.shadow_trap_time(s, s.ptemod_exits, s.ptemod_vmm_cycles)) + \
                events(s.context_switches, t_x)
        return native_demands(s).add(guest=extra)

    def interrupt_exits(self, s, trap_time=None) -> Load:
        """Device interrupts delivered through the hypervisor: each exits :math:`k_{\\mathrm{irq}}` times,
        and its handler's register accesses (:meth:`interrupt_register_time`) come with it.

        ``trap_time``: seconds per exit (default :meth:`exit_time`; a nested guest's L1 takes its
        own interrupts at the single-level cost, :mod:`~virtmodel.techniques.nested_io`)."""
        t_x = self.exit_time(s) if trap_time is None else trap_time
        return events(s.io_interrupts, s.exits_per_interrupt * t_x + self.interrupt_register_time(s, t_x))

    def interrupt_register_time(self, s, trap_time=None):
        """Seconds per device interrupt of the guest handler's register accesses that trap (hook: none;
        the virtio-MMIO transport's, :mod:`~virtmodel.techniques.virtio_transport`)."""
        return 0


def passthrough_io(tech: HardwareAssistCPU, s, posted_interrupts: bool) -> dict:
    """A device function assigned to the guest (SR-IOV VF): DMA through the IOMMU.

    .. math::
        \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} c_{\\mathrm{iommu}}/f
          + [\\text{not posted}]\\;\\text{interrupt exits}

    No host-CPU work per I/O (the ``passthrough`` row of
    :data:`~virtmodel.techniques.io_paths.PATHS`; an offload card's ``card`` row adds the
    card's time per I/O on the card). With ``segment_offload="on"`` the VF segments in hardware:
    the work is per segment (:mod:`~virtmodel.techniques.offload`).
    """
    loads = path_loads(tech, s, tech.path, None)
    if not posted_interrupts:
        loads["guest"] = loads["guest"] + tech.interrupt_exits(s)
    return loads


@dataclass(frozen=True)
class AssignedIO(SegmentOffload, Wakeups, HardwareAssistCPU):
    """Hardware-assisted CPU with a device function assigned to the guest (base of sriov, nitro)."""

    #: the row of :data:`~virtmodel.techniques.io_paths.PATHS` this technique's I/O takes
    path: ClassVar[str] = "passthrough"

    iommu_cycles: float = param(
        200.0, unit="cycles", latex=r"c_{\mathrm{iommu}}",
        doc="guest-side cycles per I/O for DMA through the IOMMU (IOTLB misses, mapping; assumption)")
    posted_interrupts: bool = flag(
        False, doc="posted / exitless interrupts (device interrupts reach the guest without exits)",
        options=(True, False))

    def first_model(self, s):
        """The first model's demands and the interrupt exits an idle vCPU pays (none if posted)."""
        demands = self.cpu_demands(s).add(**passthrough_io(self, s, self.posted_interrupts))
        return demands, Load() if self.posted_interrupts else self.interrupt_exits(s)

    def demands(self, s) -> Demands:
        return self.with_wakeups(s)
