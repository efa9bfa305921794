"""A seccomp filter on every system call of a container's processes (Docker's default profile).

Docker starts a container's processes under a seccomp filter (its default profile,
unless ``--privileged`` or ``--security-opt seccomp=unconfined``): a classic BPF
program the kernel runs at the entry of every system call, which decides allow or
deny from the call's number. libseccomp (before its binary-tree code generation)
compiles an allow-list into a chain of compare-and-jump instructions, one per
listed call, so a call pays for the rules in front of it. Over a workload's calls,
whose positions in the list the model does not know, the mean cost is taken as the
cost of a call in the middle of the list:

.. math::
    \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{sys}}\\, c_{\\mathrm{scmp}} / f

per request (:math:`n_{\\mathrm{sys}}` the workload's system calls, ``syscalls``;
:math:`f` the clock), on the container's own cores (the filter runs in the calling
thread's context), and nothing on any other station.

Calibration (``published_nesting.json``, ``seccomp.getppid.*``): a ``getppid()`` loop
timed in TSC ticks, one million calls, minimum per call, under a 306-call allow-list
filter (libseccomp issue 116, Oracle's measurements): 138 ticks without seccomp,
256 with the call at the front of the list, 516 in the middle, 1,942 at the end,
312 in a binary tree. :math:`c_{\\mathrm{scmp}} = 516 - 138 = 378` cycles (a TSC
tick taken as a core cycle: the invariant TSC runs at the nominal clock). Docker's
default profile is an allow-list of about 300 calls of the same kind. The front and
end cells bound the cost of one call (118 and 1,804 cycles); a binary tree
(libseccomp 2.5 and later) costs 174; kernels from Linux 5.11 on skip the program
for calls the filter always allows (a per-architecture bitmap), so there set
``seccomp_filter_cycles`` near 0.

Limiting cases: ``seccomp="off"`` (the default) is the container without the term
exactly; ``seccomp_filter_cycles = 0`` or a workload with no system calls adds
nothing. Light load: a lone request's latency grows by :math:`\\Delta D`; heavy
load: the container's CPU capacity falls by the same work per request.

Assumptions and what is left out: every system call passes the filter once (one
filter; stacked filters multiply it); the calls are uniformly placed in the list
(their mean cost is the middle's); other costs that some kernels attach to a
process under seccomp (speculative-execution mitigations turned on for it, which
slow its user code) are not modelled.

Where it applies (declared before any validation row was computed with it): a flag,
off by default, so the reported model is the previous one except where a validation
recipe's ``requires`` names ``seccomp_filter`` (the recipe's source runs the process
under Docker's default profile); those rows were written with that requirement before
any prediction of them, and the requirement switches the flag on
(``REQUIREMENT_SETTINGS`` in :mod:`virtmodel.validation.applications`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._base import cycles, events

SECCOMP_MODES = ("off", "on")


@dataclass(frozen=True)
class SeccompFilter:
    """Mixin: the ``seccomp`` flag and the filter's cost per system call (module docstring).

    ``demands`` returns :meth:`with_seccomp` of its demands.
    """

    seccomp: str = flag(
        "off", doc="a seccomp filter on every system call (Docker's default profile): off (none, or "
                   "--privileged / seccomp=unconfined), on (seccomp_filter_cycles per system call on the "
                   "container's cores)", options=SECCOMP_MODES)
    seccomp_filter_cycles: float = param(
        378.0, unit="cycles", source="libseccomp_issue116", latex=r"c_{\mathrm{scmp}}",
        doc="cycles the seccomp filter adds to one system call: a call in the middle of a 306-call "
            "allow-list filter, 516 TSC ticks per getppid() against 138 without seccomp")

    def with_seccomp(self, demands, s):
        """``demands`` plus :math:`n_{\\mathrm{sys}} c_{\\mathrm{scmp}}/f` on the guest when the flag is on."""
        if self.seccomp == "off":
            return demands
        return demands.add(guest=events(s.syscalls, cycles(s, s.seccomp_filter_cycles)))


__all__ = ["SECCOMP_MODES", "SeccompFilter"]
