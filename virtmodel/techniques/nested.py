"""Nested hardware virtualization (Turtles): a guest hypervisor L1 runs a guest L2.

x86 has one level of hardware virtualization, so the host hypervisor L0
multiplexes it (Ben-Yehuda et al., OSDI 2010, "The Turtles Project"). An exit
of L2 traps to L0, which forwards it to L1; L1's exit handler reads and writes
the VMCS and resumes L2, and without VMCS shadowing each of those VMX
instructions traps to L0 again. One L2 exit thus costs :math:`M` exits handled
by L0 (the *exit multiplication factor*), each a hardware round trip plus its
handling, :math:`t_x = (c_{\\mathrm{exit}} + c_{\\mathrm{handle}})/f`:

.. math::
    t_{x,2} = M\\, t_x, \\qquad
    M = \\begin{cases} M_{\\mathrm{sh}} & \\text{VMCS shadowing (Intel, Haswell on)}\\\\
                      M_{0} & \\text{otherwise} \\end{cases}

Every exit of the single-level model
(:class:`~virtmodel.techniques.hardware_assist.HardwareAssist`: interrupts,
register writes, I/O kicks, device interrupts, shadow-paging traps) costs
:math:`t_{x,2}` instead of :math:`t_x`; the rest of that model is unchanged:

.. math::
    \\Delta D_{\\mathrm{guest}} = \\Delta D_{\\mathrm{guest}}^{\\mathrm{hw}}\\big|_{t_x \\to M t_x},
    \\qquad D_{\\mathrm{host}} = n_{\\mathrm{io}}\\, t_{\\mathrm{be}}

with, for I/O through the host (flag ``l1_io_path``, default ``virtio``), a second
back-end in series: L1's back-end serves L2's device and forwards each I/O
through L1's own device, its kicks and interrupts L1's exits to L0 at the
single-level :math:`t_x`, on L1's back-end thread
(:mod:`~virtmodel.techniques.nested_io`, :math:`D_{\\mathrm{L1}}`);
``l1_io_path="passthrough"`` (multi-level device assignment) is the one-back-end
model.

MMU (flag ``nested_paging``): ``True`` is Turtles' *multi-dimensional paging*
(L0 compresses L1's EPT and L2's page tables into one EPT; L2's page faults and
page-table writes do not exit, a TLB miss costs a two-dimensional walk);
``False`` is *shadow-on-EPT* (L1 keeps shadow page tables for L2: every guest
page fault, page-table write and address-space switch is a shadow trap, each
exit of it multiplied by :math:`M`, plus L1's software work
:math:`c_{\\mathrm{vmm}}`).

Limiting case: :math:`M = 1` with ``l1_io_path="passthrough"`` is single-level hardware assist exactly.

Assumptions: the factors :math:`M_0` and :math:`M_{\\mathrm{sh}}` are the
model's (Turtles describes the multiplication; the record holds no per-exit
count that was re-checked against the paper's text); L1's exit handler costs
what L0's does (Turtles reports it to be slower, so the model errs low);
the extra walk cycles of the deeper page walk are those of one level.
Turtles' "within 6-8% of single-level virtualization for common workloads"
is recorded in ``published_nesting.json`` as a prediction the defaults are
checked against, not a calibration target.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._base import cycles
from .hardware_assist import HardwareAssist
from .nested_io import L1_IOTHREAD, L1_VHOST, NestedIO, l1_backend_load


@dataclass(frozen=True)
class Nested(NestedIO, HardwareAssist):
    """A nested guest (L2) under a guest hypervisor (L1) on VT-x (see the module docstring)."""

    name = "nested"
    label = "Nested hardware virtualization (Turtles)"
    resources = HardwareAssist.resources + (L1_VHOST, L1_IOTHREAD)

    exit_multiplier: float = param(
        10.0, unit="count", domain="positive", neutral=1, latex=r"M_{0}",
        doc="exits handled by L0 per L2 exit without VMCS shadowing (the L2 exit, L1's trapping "
            "VMREAD/VMWRITEs, its VMRESUME; assumption, mechanism from Turtles)")
    shadowed_exit_multiplier: float = param(
        3.0, unit="count", domain="positive", neutral=1, latex=r"M_{\mathrm{sh}}",
        doc="exits handled by L0 per L2 exit with VMCS shadowing (the L2 exit, the switch to L1, "
            "L1's VMRESUME; assumption)")
    nested_paging: bool = flag(
        True, doc="multi-dimensional paging (True) or shadow-on-EPT (False)", options=(True, False))
    vmcs_shadowing: bool = flag(
        False, doc="VMCS shadowing: L1's VMREAD/VMWRITE do not trap to L0", options=(True, False))

    def multiplier(self, s):
        """The exit multiplication factor selected by ``vmcs_shadowing``: :math:`M`."""
        return s.shadowed_exit_multiplier if self.vmcs_shadowing else s.exit_multiplier

    def first_model(self, s):
        """The single-level path's demands with L2's exits multiplied, plus L1's back-end
        (:mod:`~virtmodel.techniques.nested_io`; none with ``l1_io_path="passthrough"``)."""
        demands, idle = super().first_model(s)
        return demands.add(**l1_backend_load(self, s)), idle

    def exit_time(self, s):
        """Seconds per L2 exit: :math:`M (c_{\\mathrm{exit}} + c_{\\mathrm{handle}})/f`."""
        return self.multiplier(s) * cycles(s, s.exit_cycles + s.exit_handling_cycles)
