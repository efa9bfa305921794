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
(35 vs about 140 cycles): the translator emulates the task-priority register
in memory. ``register_write_cycles`` is therefore a signed extra, -105 cycles
(35 - 140, approx.; the one cost of the model that may be negative, domain
``real``). Guard (:meth:`BinaryTranslation.check`): the guest demand per
request must stay positive,

.. math::
    t_{\\mathrm{cpu}}\\big((1-f_k)\\,s_u + f_k\\, s_k\\big)
      + \\frac{1}{f}\\big(n_{\\mathrm{reg}} c_{\\mathrm{reg}} + \\textstyle\\sum \\text{other extras}\\big) > 0,

else a :class:`~virtmodel.errors.ParameterError` names ``register_write_cycles``.
The saving enters the variance like any event (:math:`n c^2/f^2`): the
register writes' contribution to the service time is still random. Symbolic
expressions are unchanged (the symbol is real rather than nonnegative).

I/O path (flag ``io_path``, :mod:`virtmodel.techniques.io_paths`):
``binary_emul`` (above: an ESX-style VMM with its own back-end on the host's
cores) or ``hosted``, a hosted monitor (VMware Workstation): each I/O also
pays the world switch to the host OS, the VMApp's system call and the host
driver, on the VM's own CPU, instead of a back-end on other cores,
:math:`\\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}}\\, c_{\\mathrm{hosted}}/f`,
:math:`D_{\\mathrm{host}} = 0`, with :math:`c_{\\mathrm{hosted}} = 22.7\\,\\mu s \\times 733\\,\\mathrm{MHz}
= 16\\,640` cycles (Sugerman et al., USENIX ATC 2001: time per packet sent or
received via the VMNet on a Pentium III; assumed the same cycles elsewhere).
A hosted monitor also world-switches to the host for every host interrupt (the
device's ``io_interrupts``) and every host timer tick (``host_timer_hz``), each
round trip :math:`c_{\\mathrm{ws}}` cycles on the VM's CPU:
:mod:`virtmodel.techniques.hosted_world_switch` (structural on ``hosted``; a
:class:`~virtmodel.errors.ParameterError` names ``host_timer_hz`` when the ticks
alone would fill the CPU).

:class:`Emulation` is the QEMU-TCG variant: every guest instruction, user and
kernel, is emulated at about 10.2 host instructions per guest instruction
(integer code; 17.9 for floating point), QEMU 5.1 TCG benchmarks (2020), measured
in QEMU's user mode (linux-user). In QEMU's system mode (``tcg_mode="system"``,
the default, structural) every guest load and store also pays the software MMU's
inline lookup, and every TLB miss a software page walk
(:mod:`virtmodel.techniques.softmmu`: :math:`+\\,t_{\\mathrm{cpu}}\\, m\\, h_{\\mathrm{hit}}
+ n_{\\mathrm{tlb}} h_{\\mathrm{miss}}/f`); ``tcg_mode="user"`` is the model before it.

The kernel slowdown of binary translation, :math:`s_k = 1.3`, stays an assumption:
no stored microbenchmark prices translated kernel code as a whole (Adams & Agesen
give per-operation costs, of which call/ret, 11 -> 51 cycles, is the worst case of
straight-line translated code; VMware's documentation says only that translated
code "usually runs slower" than native).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._params import param
from ..errors import ParameterError
from ._base import Demands, Technique, cycles, events, native_demands, work
from .hosted_world_switch import HostedWorldSwitch, check_ticks, with_world_switches
from .io_paths import HostSwitch, io_path_flag, path_loads
from .payload_copy import PayloadCopy
from .softmmu import SoftMMU, lookup_slowdown, miss_load


class _Numbers:
    """Parameter values by attribute (``s.cpu_time``), for evaluating ``demands`` numerically."""

    def __init__(self, values: dict):
        self._values = {k: np.asarray(v, dtype=float) for k, v in values.items()}

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class BinaryTranslation(PayloadCopy, HostSwitch, HostedWorldSwitch, Technique):
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
        -105, unit="cycles", domain="real", source="adams2006", latex=r"c_{\mathrm{reg}}",
        doc="extra cycles per privileged register write, negative for a saving "
            "(cr8wr: 35 under BT vs ~140 native; approx.)")
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
    hosted_io_cycles: float = param(
        16640, unit="cycles", source="sugerman2001", latex=r"c_{\mathrm{hosted}}",
        doc="cycles per I/O of a hosted monitor's trip to the host OS: world switch, the VMApp's system "
            "call and the host driver (22.7 us per packet sent or received via the VMNet on a 733 MHz "
            "Pentium III, VMware Workstation 2.0; derived; hosted path)")
    io_path: str = io_path_flag("binary_emul", ("binary_emul", "hosted"))

    def cpu_time_load(self, s):
        """Translated or emulated guest code: the native CPU time scaled per mode."""
        scale = (1 - s.kernel_fraction) * s.user_slowdown + s.kernel_fraction * s.kernel_slowdown
        return work(s.cpu_time * (scale + lookup_slowdown(self, s)), s.cpu_scv) + miss_load(self, s)

    def check(self, values: dict) -> None:
        """Reject a register-write saving larger than the rest of the request's guest work.

        Parameters
        ----------
        values : dict
            Every parameter value of the model (numbers or arrays).

        Raises
        ------
        ParameterError
            Naming ``register_write_cycles`` where the guest demand (module
            docstring) would be zero or negative.
        """
        check_ticks(self, values)
        saving = np.asarray(values["register_write_cycles"], dtype=float)
        if not (saving < 0).any():
            return  # every other term is >= 0 and cpu_time > 0
        guest = self.demands(_Numbers(values)).guest.mean
        bad = np.broadcast_to(np.asarray(guest) <= 0, np.broadcast(saving, np.asarray(guest)).shape)
        if bad.any():
            first = float(np.broadcast_to(saving, bad.shape)[bad].flat[0])
            raise ParameterError(
                "register_write_cycles", first,
                "a saving smaller than the rest of the request's guest work (guest demand > 0)",
                f"{first:g} cycles x {np.max(values['register_writes']):g} register writes per request "
                "leave no guest CPU time")

    def demands(self, s) -> Demands:
        base = native_demands(s)
        guest = self.cpu_time_load(s)
        for count, cost in ((s.syscalls, s.syscall_cycles), (s.page_faults, s.pgfault_cycles),
                            (s.pte_updates, s.ptemod_cycles), (s.context_switches, s.ctxsw_cycles),
                            (s.register_writes, s.register_write_cycles),
                            (s.exceptions, s.exception_cycles),
                            (s.interrupts + s.io_interrupts, s.interrupt_cycles)):
            guest = guest + events(count, cycles(s, cost))
        loads = path_loads(self, s, self.io_path, cycles(s, s.register_access_cycles))
        loads["guest"] = with_world_switches(self, s, guest + loads["guest"])
        return Demands(device=base.device, delay=base.delay, **loads)


@dataclass(frozen=True)
class Emulation(SoftMMU, BinaryTranslation):
    """Pure instruction-set emulation (QEMU TCG): every instruction emulated; in system mode (the default)
    every guest load and store also goes through the software MMU (:mod:`virtmodel.techniques.softmmu`)."""

    name = "emulation"
    label = "Emulation (QEMU TCG)"

    user_slowdown: float = param(
        10.2, unit="1", domain="positive", neutral=1, source="qemu_tcg2020", latex="s_u",
        doc="host instructions per guest instruction, integer code (17.9 for floating point)")
    kernel_slowdown: float = param(
        10.2, unit="1", domain="positive", neutral=1, source="qemu_tcg2020", latex="s_k",
        doc="host instructions per guest instruction in the guest kernel (as user code)")
    register_write_cycles: float = param(
        0, unit="cycles", domain="real", latex=r"c_{\mathrm{reg}}",
        doc="extra cycles per privileged register write (assumption: emulated like any instruction, "
            "no saving as under binary translation)")
