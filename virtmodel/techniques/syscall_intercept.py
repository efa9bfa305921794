"""System calls intercepted in user space (User-Mode Linux, gVisor's ptrace/systrap platforms).

The application runs as an ordinary host process; a tracer (UML's kernel
process, gVisor's Sentry) takes each of its system calls, faults and signals
and serves them itself. Every such event stops the application and switches
to the tracer and back; a page-table change is a host ``mmap``/``munmap`` that
the tracer makes for the traced process, batched :math:`b_{\\mathrm{pte}}` at a
time. With :math:`t_{\\mathrm{sw}} = c_{\\mathrm{sw}}/f` per switch
(:math:`c_{\\mathrm{sw}}` of the chosen platform):

.. math::
    \\Delta D_{\\mathrm{guest}} = t_{\\mathrm{sw}} \\Big( k_{\\mathrm{sys}}\\, n_{\\mathrm{sys}}
      + k_{\\mathrm{flt}} (n_{\\mathrm{pf}} + n_{\\mathrm{exc}})
      + k_{\\mathrm{cs}}\\, n_{\\mathrm{cs}}
      + k_{\\mathrm{sys}}\\, n_{\\mathrm{pte}} / b_{\\mathrm{pte}} \\Big), \\qquad D_{\\mathrm{host}} = 0

Calibration (ptrace platform): Barham et al. (SOSP 2003) measured User-Mode
Linux, a ptrace-based tracer, with lmbench on a 2.4 GHz Xeon: a null system
call takes 24.7 us against 0.45 us native. With two switches per system call,
:math:`c_{\\mathrm{sw}} = (24.7 - 0.45)\\,\\mu s \\times 2.4\\,\\mathrm{GHz} / 2 = 29\\,100`
cycles. The same table's page fault, protection fault and context switch were
*not* used; they are predictions (``published_nesting.json``).

Assumptions: the switch counts :math:`k` (two per system call or fault: stop
and resume; one per context switch: the tracer resumes another traced
process); the systrap platform's switch cost (gVisor's documentation says only
that systrap is faster than ptrace in almost all cases); the tracer's work
runs while the application waits, so it is charged to the guest station;
interrupts are handled by the host kernel at native cost; the I/O's own system
calls are counted in :math:`n_{\\mathrm{sys}}`.
Zero system calls, faults, context switches and page-table changes give native.

Network: by default (``sandbox_network="netstack"``, gVisor's default) every
packet also goes through the sandbox's own user-space network stack, a station
of its own (:mod:`virtmodel.techniques.netstack`: per unit handed to the host,
a segment with GSO, and per byte); ``sandbox_network="host"`` is the model
without it. A disk block request does not take that station.

KVM platform (``platform="kvm"``, gVisor's ``--platform=kvm``): the same switches at
its own cost per switch, and a VM exit for each host call the Sentry makes
(:mod:`virtmodel.techniques.gvisor_kvm`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._base import Demands, Technique, cycles, events, native_demands
from .gvisor_kvm import KvmPlatform
from .netstack import NETSTACK, SandboxNetstack


@dataclass(frozen=True)
class SyscallIntercept(KvmPlatform, SandboxNetstack, Technique):
    """A user-space tracer serving the application's system calls (see the module docstring)."""

    name = "syscall_intercept"
    label = "User-space syscall interception (UML/gVisor-style)"
    resources = (NETSTACK,)

    ptrace_switch_cycles: float = param(
        29100.0, unit="cycles", source="barham2003", latex=r"c_{\mathrm{sw,pt}}",
        doc="cycles per switch to or from a ptrace tracer (UML null call 24.7 vs 0.45 us "
            "native at 2.4 GHz, two switches; derived)")
    systrap_switch_cycles: float = param(
        5000.0, unit="cycles", latex=r"c_{\mathrm{sw,st}}",
        doc="cycles per switch to or from the Sentry on gVisor's systrap platform "
            "(seccomp SIGSYS + shared-memory hand-off; assumption)")
    switches_per_syscall: float = param(
        2.0, unit="count", latex=r"k_{\mathrm{sys}}",
        doc="switches per intercepted system call or page-table batch (stop + resume; assumption)")
    switches_per_fault: float = param(
        2.0, unit="count", latex=r"k_{\mathrm{flt}}",
        doc="switches per page fault or signal-raising exception (stop + resume; assumption)")
    switches_per_context_switch: float = param(
        1.0, unit="count", latex=r"k_{\mathrm{cs}}",
        doc="switches per guest context switch (the tracer resumes another process; assumption)")
    pte_batch: float = param(
        8.0, unit="count", domain="positive", latex=r"b_{\mathrm{pte}}",
        doc="page-table writes per host mmap/munmap made by the tracer (batching; assumption)")
    platform: str = flag("ptrace", doc="how system calls reach the tracer: ptrace (UML, gVisor ptrace), "
                                       "seccomp traps (gVisor systrap) or traps inside a KVM guest (gVisor kvm)",
                         options=("ptrace", "systrap", "kvm"))

    def demands(self, s) -> Demands:
        t_sw = cycles(s, getattr(s, f"{self.platform}_switch_cycles"))  # the platform's cost per switch
        guest = events(s.syscalls, s.switches_per_syscall * t_sw) + \
            events(s.page_faults + s.exceptions, s.switches_per_fault * t_sw) + \
            events(s.context_switches, s.switches_per_context_switch * t_sw) + \
            events(s.pte_updates / s.pte_batch, s.switches_per_syscall * t_sw)
        if self.platform == "kvm":
            guest = guest + self.kvm_host_calls(s)
        return native_demands(s).add(guest=guest, **self.netstack_demands(s))
