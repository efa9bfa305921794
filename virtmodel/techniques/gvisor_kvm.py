"""gVisor's KVM platform: the Sentry takes the application's system calls as traps inside a guest.

On ``runsc --platform=kvm`` the Sentry is its own virtual machine monitor: it
runs the sandboxed application in ring 3 of a KVM guest whose ring 0 is the
Sentry's own small kernel (``pkg/ring0``), and runs itself in guest mode too
once it has taken a vCPU ("bluepill", ``pkg/sentry/platform/kvm/bluepill.go``).
An application's system call is a ``syscall`` instruction inside the guest: it
traps to the guest's ring 0 (no VM exit, no ptrace stop, no seccomp signal),
which switches to the Sentry's address space (a page-table switch, PCIDs where
the CPU has them) and returns into the Sentry's ``Switch``; the Sentry serves
the call and switches back (``vCPU.SwitchToUser``, vector ``ring0.Syscall``:
"Fast path: system call executed", ``machine_amd64.go`` of early 2019). Only
when the Sentry itself must make a host system call (a file's ``pread`` through
the gofer, a futex, a timer) does the vCPU leave guest mode: a VM exit that
returns ``KVM_RUN`` to the Sentry's thread in host user space, the host call,
and the way back in.

So the platform keeps :mod:`~virtmodel.techniques.syscall_intercept`'s
structure (two switches per system call, fault and page-table batch; one per
context switch) with its own cost per switch, :math:`c_{\\mathrm{sw,kvm}}`,
and adds, for the share :math:`p_{\\mathrm{host}}` of system calls for which
the Sentry makes a host call, one exit handled in user space and the host
call's entry and exit:

.. math::
    \\Delta D_{\\mathrm{guest}} = \\frac{c_{\\mathrm{sw,kvm}}}{f} \\Big( k_{\\mathrm{sys}}\\, n_{\\mathrm{sys}}
      + k_{\\mathrm{flt}} (n_{\\mathrm{pf}} + n_{\\mathrm{exc}}) + k_{\\mathrm{cs}}\\, n_{\\mathrm{cs}}
      + k_{\\mathrm{sys}}\\, n_{\\mathrm{pte}} / b_{\\mathrm{pte}} \\Big)
      + p_{\\mathrm{host}}\\, n_{\\mathrm{sys}}\\, \\frac{c_{\\mathrm{bp}} + c_{\\mathrm{null}}}{f}

As on the ptrace platform, the call's own work (the Sentry's handling of it)
is the native call's, in the request's CPU time; the switches carry what the
platform adds to it.

Calibration of :math:`c_{\\mathrm{sw,kvm}}` (``gvisor_perf_guide``): gVisor's
Performance Guide times a loop of ``syscall(SYS_gettimeofday, 0, 0)``
(``benchmarks/workloads/syscall/syscall.c``) at 763 ns per call under
``runsc-kvm`` (``website/performance/syscall.csv``). gVisor's
``Gettimeofday`` with both pointers null returns at once
(``pkg/sentry/syscalls/linux/sys_time.go``): a null call served inside the
Sentry, with no host call. The guide's machines are GCE n1-standard-4 VMs
(Broadwell), so the KVM platform ran there under nested virtualization; the
measured path can stand for a bare host because it takes no VM exit: one
exit of a nested guest costs several times the whole 763 ns (the package's
:mod:`~virtmodel.techniques.nested` multiplies a 3,000-cycle exit), so every
cycle of the call is guest code (the trap, the page-table switches, the
Sentry's Go code) that a bare host's KVM guest runs too. At the 2.2 GHz the
package assumes for that VM (the ``gvisor_perf`` recipes), 763 ns is 1,678.6
cycles; less a native null call, :math:`c_{\\mathrm{null}} = 138` cycles (a
``getppid()`` loop without seccomp, ``libseccomp_issue116``: the package's only
null call measured on a machine of the guide's era; Barham et al.'s 1,080 cycles
are a 2003 Pentium 4's), over two switches:

.. math::
    c_{\\mathrm{sw,kvm}} = (763\\,\\mathrm{ns} \\times 2.2\\,\\mathrm{GHz} - 138) / 2 = 770.3\\ \\text{cycles}

(derived). The guide's ``runc`` figure on the same VM, 1,939 ns per call, is
not used: a host kernel's call inside a VM (with Docker's seccomp filter) is
dearer there than the whole sandboxed call, so it cannot stand for a native
call on a bare host.

The exit for a host call, :math:`c_{\\mathrm{bp}}`, is the package's exit
handled in user space, as a user-space device model's (:mod:`~virtmodel.techniques.io_paths`):
the hardware round trip and the host kernel's handling (``exit_cycles`` +
``exit_handling_cycles``, agesen2012) plus the return to user space
(``userspace_exit_cycles``, dall2017): 784 + 2,216 + 4,167 = 7,167 cycles.

Assumptions: the switch counts :math:`k` are the ptrace platform's (a fault
or a page-table batch is a trap and a return like a system call); the host
call is a null call's entry and exit (its work is the native call's, in the
CPU time); the signal that takes the Sentry back into guest mode (bluepill's
``SIGSEGV``) and the Sentry's seccomp filter on its host calls are left out;
the guide's VM's cycles are the modelled host's. :math:`p_{\\mathrm{host}}` is
the workload's (0 by default: a call served from the Sentry's own state, as
``getuid``, which returns the task's credentials, ``sys_identity.go``).
Zero system calls, faults, context switches and page-table changes give
native; so do zero switch and exit costs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import param
from ._base import cycles, events
from .hardware_assist import HardwareAssist

#: the package's exit handled in user space: hardware round trip, host kernel's handling, return to user space
_USER_SPACE_EXIT = float(HardwareAssist.exit_cycles + HardwareAssist.exit_handling_cycles + HardwareAssist.userspace_exit_cycles)


@dataclass(frozen=True)
class KvmPlatform:
    """Mixin: the KVM platform's cost per switch and the Sentry's host calls (module docstring)."""

    kvm_switch_cycles: float = param(
        770.3, unit="cycles", source="gvisor_perf_guide", latex=r"c_{\mathrm{sw,kvm}}",
        doc="cycles per switch between the application and the Sentry inside the KVM guest (a trap to the "
            "guest's ring 0 and a page-table switch, the Sentry's dispatch): runsc-kvm's 763 ns per null "
            "gettimeofday on the guide's GCE VM at 2.2 GHz less a 138-cycle null call, over two switches "
            "(derived)")
    sentry_host_call_fraction: float = param(
        0.0, unit="1", domain="fraction", latex=r"p_{\mathrm{host}}",
        doc="share of the application's system calls for which the Sentry makes a host system call, leaving "
            "guest mode (KVM platform; 0: served from the Sentry's own state, as getuid; the workload's, "
            "assumption)")
    bluepill_exit_cycles: float = param(
        _USER_SPACE_EXIT, unit="cycles", source="dall2017", latex=r"c_{\mathrm{bp}}",
        doc="cycles of the VM exit and re-entry around a host call of the Sentry (KVM_RUN returns to its "
            "thread in user space): exit_cycles + exit_handling_cycles + userspace_exit_cycles (784 + 2216 + "
            "4167; derived)")
    null_syscall_cycles: float = param(
        138.0, unit="cycles", source="libseccomp_issue116", latex=r"c_{\mathrm{null}}",
        doc="cycles of a host system call's entry and exit (getppid() in a loop without seccomp, 138 TSC "
            "ticks per call)")

    def kvm_host_calls(self, s):
        """The Sentry's host calls per request: :math:`p_{\\mathrm{host}} n_{\\mathrm{sys}}` calls of
        :math:`(c_{\\mathrm{bp}} + c_{\\mathrm{null}})/f` each (module formula)."""
        return events(s.syscalls * s.sentry_host_call_fraction,
                      cycles(s, s.bluepill_exit_cycles + s.null_syscall_cycles))
