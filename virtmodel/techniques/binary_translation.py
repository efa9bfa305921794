"""Binary translation (VMware-style full virtualization) and pure ISA emulation.

Unmodified guests; guest kernel code is translated (slowed by a factor),
privileged operations are intercepted by the translator at a cost per kind, and
devices are emulated: each I/O touches several device registers, each access
handled by the VMM, and the I/O itself is done by a device model on the host.

.. math::
    D_{\\mathrm{guest}} = t_{\\mathrm{cpu}}\\big((1-f_k)\\,s_u + f_k\\, s_k\\big)
      + \\frac{1}{f}\\Big(n_{\\mathrm{sys}} c_{\\mathrm{sys}} + n_{\\mathrm{pf}} c_{\\mathrm{pf}}
      + n_{\\mathrm{pte}} c_{\\mathrm{pte}} + n_{\\mathrm{cs}} c_{\\mathrm{cs}}
      + n_{\\mathrm{reg}} c_{\\mathrm{reg}} + n_{\\mathrm{exc}} c_{\\mathrm{exc}}
      + (n_{\\mathrm{irq}} + n_{\\mathrm{ioirq}}) c_{\\mathrm{irq}}
      + n_{\\mathrm{io}} a_{\\mathrm{io}} c_{\\mathrm{acc}}\\Big),
    \\qquad D_{\\mathrm{host}} = n_{\\mathrm{io}}\\, t_{\\mathrm{be}}

Defaults: Adams & Agesen (ASPLOS 2006, Pentium 4 672, 3.8 GHz) for the
per-operation costs (extra cycles over native); Barham et al. (SOSP 2003,
VMware Workstation 3.2 on a 2.4 GHz Xeon) for the context switch, a hosted VMM
and so an upper bound; the kernel slowdown, interrupt and device-model costs
are assumptions. The ``cr8wr`` write is *faster* under translation than native
(35 vs about 140 cycles); the model does not credit that saving
(``register_write_cycles = 0``).

:class:`Emulation` is the QEMU-TCG variant: every guest instruction, user and
kernel, is emulated at about 10.2 host instructions per guest instruction
(integer code; 17.9 for floating point), QEMU 5.1 TCG benchmarks (2020).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import param
from ._base import Demands, Technique, cycles, events, native_demands, work


@dataclass(frozen=True)
class BinaryTranslation(Technique):
    """Binary translation with emulated devices (see the module docstring)."""

    name = "binary_translation"
    label = "Binary translation"

    user_slowdown: float = param(
        1.0, unit="1", domain="positive", neutral=1, source="adams2006", latex="s_u",
        doc="slowdown of guest user code (runs directly under binary translation)")
    kernel_slowdown: float = param(
        1.3, unit="1", domain="positive", neutral=1, latex="s_k",
        doc="slowdown of translated guest kernel code (assumption; call/ret 11 -> 51 cycles is the worst case)")
    syscall_cycles: float = param(
        2000, unit="cycles", source="adams2006", latex=r"c_{\mathrm{sys}}",
        doc="extra cycles per system call over native")
    pgfault_cycles: float = param(
        2834, unit="cycles", source="adams2006", latex=r"c_{\mathrm{pf}}",
        doc="extra cycles per guest page fault over native (3927 - 1093)")
    ptemod_cycles: float = param(
        390, unit="cycles", source="adams2006", latex=r"c_{\mathrm{pte}}",
        doc="extra cycles per page-table write over native (391 - 1)")
    ctxsw_cycles: float = param(
        41592, unit="cycles", source="barham2003", latex=r"c_{\mathrm{cs}}",
        doc="extra cycles per context switch ((18.1 - 0.77) us at 2.4 GHz, VMware WS 3.2; approx.)")
    register_write_cycles: float = param(
        0, unit="cycles", source="adams2006", latex=r"c_{\mathrm{reg}}",
        doc="extra cycles per privileged register write (cr8wr is faster than native: 35 vs ~140)")
    exception_cycles: float = param(
        2334, unit="cycles", source="adams2006", latex=r"c_{\mathrm{exc}}",
        doc="extra cycles per guest exception over native (divzero: 3223 vs 889)")
    interrupt_cycles: float = param(
        2000, unit="cycles", latex=r"c_{\mathrm{irq}}",
        doc="extra cycles per virtual interrupt delivered by the VMM (assumption)")
    register_accesses_per_io: float = param(
        2.6, unit="count", source="agesen2012", latex=r"a_{\mathrm{io}}",
        doc="emulated device-register accesses per I/O (e1000: 2.6 exits per round trip)")
    register_access_cycles: float = param(
        214, unit="cycles", source="adams2006", latex=r"c_{\mathrm{acc}}",
        doc="cycles per emulated device-register access handled in the VMM ('in': ~214, approx.)")
    backend_time: float = param(
        0.85e-6, unit="s", source="linux_vhost_batching", latex=r"t_{\mathrm{be}}",
        doc="host CPU seconds per I/O moving it to the physical device; taken equal to the "
            "hardware-assisted back-end's (vhost: ~0.7-1 us per packet), since it is the same work")

    def cpu_time_load(self, s):
        """Translated or emulated guest code: the native CPU time scaled per mode."""
        scale = (1 - s.kernel_fraction) * s.user_slowdown + s.kernel_fraction * s.kernel_slowdown
        return work(s.cpu_time * scale, s.cpu_scv)

    def demands(self, s) -> Demands:
        base = native_demands(s)
        guest = self.cpu_time_load(s)
        for count, cost in ((s.syscalls, s.syscall_cycles), (s.page_faults, s.pgfault_cycles),
                            (s.pte_updates, s.ptemod_cycles), (s.context_switches, s.ctxsw_cycles),
                            (s.register_writes, s.register_write_cycles),
                            (s.exceptions, s.exception_cycles),
                            (s.interrupts + s.io_interrupts, s.interrupt_cycles),
                            (s.io_ops * s.register_accesses_per_io, s.register_access_cycles)):
            guest = guest + events(count, cycles(s, cost))
        return Demands(guest=guest, host=events(s.io_ops, s.backend_time), device=base.device,
                       delay=base.delay)


@dataclass(frozen=True)
class Emulation(BinaryTranslation):
    """Pure instruction-set emulation (QEMU TCG): every instruction emulated."""

    name = "emulation"
    label = "Emulation (QEMU TCG)"

    user_slowdown: float = param(
        10.2, unit="1", domain="positive", neutral=1, source="qemu_tcg2020", latex="s_u",
        doc="host instructions per guest instruction, integer code (17.9 for floating point)")
    kernel_slowdown: float = param(
        10.2, unit="1", domain="positive", neutral=1, source="qemu_tcg2020", latex="s_k",
        doc="host instructions per guest instruction in the guest kernel (as user code)")
