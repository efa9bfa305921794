"""A hosted monitor's world switches beyond one per I/O: host interrupts and host timer ticks.

A hosted monitor (VMware Workstation) shares the CPU with a host operating system
that owns the hardware. A given processor runs either the host world or the VMM
world, and a world switch between them saves and restores all user- and
system-visible CPU state (Sugerman et al. 2001, Section 2). Besides the trip to
the host for each I/O (the ``hosted`` path of :mod:`~virtmodel.techniques.io_paths`,
``hosted_io_cycles``), "the VMM also yields control to the host OS upon receiving a
hardware interrupt", which is then reasserted in the host world (same section). So
every host interrupt that arrives while the VMM world holds the CPU costs a round
trip of world switches on the VM's CPU, the one that runs the VMM:

- the device's interrupts for the VM's own I/O (receive, transmit and block
  completions): the host's drivers take them, so each of the workload's
  ``io_interrupts`` is one world-switch round trip;
- the host's timer ticks, at the host kernel's tick rate :math:`f_{\\mathrm{tick}}`
  (``host_timer_hz``), which arrive by wall-clock time while the VMM world holds the
  CPU. Sugerman et al.'s time breakdown counts the guest's idle time and "host IRQ
  processing while guest idle" as VMM time, so the VMM world holds the CPU whenever
  the VM runs, busy or idle; a request's own service is stretched by the ticks that
  fall into it.

With :math:`D` the guest (VMM) demand per request without this mechanism,
:math:`n_{\\mathrm{irq}}` device interrupts per request, :math:`c_{\\mathrm{ws}}` the
cycles of one world-switch round trip and :math:`f` the clock:

.. math::
    t_{\\mathrm{ws}} = c_{\\mathrm{ws}} / f, \\qquad
    r = f_{\\mathrm{tick}}\\, t_{\\mathrm{ws}}, \\qquad
    D_1 = D + n_{\\mathrm{irq}}\\, t_{\\mathrm{ws}}, \\qquad
    D' = \\frac{D_1}{1 - r}

The ticks that fall into a request's service number :math:`f_{\\mathrm{tick}} D'` on
average (the service includes the ticks' own time, hence the geometric factor), so
:math:`D' = D_1 + f_{\\mathrm{tick}} D' t_{\\mathrm{ws}}`; both terms are charged as
events (:func:`~virtmodel.techniques._base.events`: the interrupts a Poisson count of
mean :math:`n_{\\mathrm{irq}}`, the ticks a Poisson count of mean
:math:`f_{\\mathrm{tick}} D'`, each of :math:`t_{\\mathrm{ws}}`), so the variance grows by
:math:`(n_{\\mathrm{irq}} + f_{\\mathrm{tick}} D') t_{\\mathrm{ws}}^2`. Guard:
:math:`r < 1` (:func:`check_ticks`), else the ticks alone would fill the CPU.

Limiting cases: :math:`c_{\\mathrm{ws}} = 0` is the previous model exactly;
:math:`n_{\\mathrm{irq}} = 0` and :math:`f_{\\mathrm{tick}} = 0` leave only the per-I/O
trip; the saturated CPU serves :math:`(1 - r) / D_1` requests per second (a fraction
:math:`r` of its time goes to the ticks).

Values:

- :math:`c_{\\mathrm{ws}}` = 6,670 cycles (``world_switch_cycles``). Sugerman et al.
  do not give the world switch alone in the stored text; they give (Section 3.4)
  that an OUT to the virtual NIC's data port, which in Workstation 2.0 switched to
  the VMApp and back for a trivial register update, takes "less than a tenth" of
  its Workstation 2.0 time once handled inside the VMM, and (Table 2) 0.91 us for
  an IN/OUT to the NIC's status register handled in the VMM. Taking the data-port
  access handled in the VMM to cost what the status-register access costs, a
  world-switching access took more than 10 x 0.91 us = 9.1 us on the 733 MHz
  Pentium III: 6,670 cycles, a lower bound of the round trip (derived), taken to
  be the same number of cycles on the 2.4 GHz Xeon of Barham et al. (as
  ``hosted_io_cycles`` is). It is below the whole trip of an I/O (22.7 us), as it must be.
- :math:`f_{\\mathrm{tick}}` = 100 per second (``host_timer_hz``): Linux on x86-32
  up to and including 2.4 ticks at HZ = 100 (Kerrisk 2010; Love 2005: "before
  2.6, HZ was 100 on x86"); Barham et al.'s machine ran Linux 2.4.21 (the host of
  their VMware Workstation 3.2, assumed to be that same Linux).

Assumptions: every host interrupt and tick finds the VMM world on the CPU (none
falls into the host world's own trips for I/O, where the host would take it
natively; at :math:`r` of about 3e-4 this counts at most that fraction too much);
the host's handler itself is native work, which a native run pays too, so only the
world switches are extra; the guest's own timer interrupts (``interrupts``),
delivered by the VMM, are not charged a world switch here; the device interrupts
are counted as the workload states them (``io_interrupts``, after coalescing).

Where it applies: structurally on the ``hosted`` I/O path (the world switches are
the hosted architecture's, not an option of a configuration), i.e. on
:class:`~virtmodel.techniques.binary_translation.BinaryTranslation` with
``io_path="hosted"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._params import param
from ..errors import ParameterError
from ._base import Load, cycles, events

#: the I/O paths whose monitor world-switches for every host interrupt and tick
HOSTED_PATHS = ("hosted",)


def applies(tech) -> bool:
    """Whether ``tech`` is a hosted monitor (its ``io_path`` is one of :data:`HOSTED_PATHS`)."""
    return getattr(tech, "io_path", None) in HOSTED_PATHS


def world_switch_time(s):
    """Seconds of one world-switch round trip, :math:`t_{\\mathrm{ws}} = c_{\\mathrm{ws}} / f`."""
    return cycles(s, s.world_switch_cycles)


def tick_share(s):
    """The CPU share the host's ticks take, :math:`r = f_{\\mathrm{tick}}\\, t_{\\mathrm{ws}}`."""
    return s.host_timer_hz * world_switch_time(s)


def with_world_switches(tech, s, guest: Load) -> Load:
    """The VMM's CPU load ``guest`` with the host interrupts' and ticks' world switches (module formula).

    Returns ``guest`` unchanged for a technique that is not a hosted monitor (:func:`applies`).
    """
    if not applies(tech):
        return guest
    t_ws = world_switch_time(s)
    with_irqs = guest + events(s.io_interrupts, t_ws)
    d_prime = with_irqs.mean / (1 - tick_share(s))
    ticks = events(s.host_timer_hz * d_prime, t_ws)  # f_tick D' ticks per request, t_ws each
    return Load(d_prime, with_irqs.var + ticks.var)  # mean D' = D_1 + (the ticks' mean), written as D_1 / (1 - r)


def check_ticks(tech, values: dict) -> None:
    """Reject tick rates and world-switch costs at which the ticks alone fill the CPU (:math:`r \\ge 1`).

    Raises
    ------
    ParameterError
        Naming ``host_timer_hz`` where :math:`f_{\\mathrm{tick}}\\, c_{\\mathrm{ws}} / f \\ge 1`.
    """
    if not applies(tech):
        return
    hz = np.asarray(values["host_timer_hz"], dtype=float)
    share = hz * np.asarray(values["world_switch_cycles"], dtype=float) / np.asarray(values["clock_hz"], dtype=float)
    bad = share >= 1
    if np.any(bad):
        first = float(np.broadcast_to(hz, bad.shape)[bad].flat[0])
        raise ParameterError(
            "host_timer_hz", first, "a tick rate whose world switches leave CPU time (host_timer_hz x "
            "world_switch_cycles / clock_hz < 1)", f"the ticks would take {float(np.max(share)):g} of the CPU")


@dataclass(frozen=True)
class HostedWorldSwitch:
    """Mixin: the world-switch cost and the host's tick rate of a hosted monitor (module docstring)."""

    world_switch_cycles: float = param(
        6670.0, unit="cycles", source="sugerman2001", latex=r"c_{\mathrm{ws}}",
        doc="cycles of one world-switch round trip between the VMM and the host OS, paid by a hosted monitor "
            "for every host interrupt and timer tick (a data-port IN/OUT that world-switched in VMware "
            "Workstation 2.0 took more than 10 x the 0.91 us of one handled in the VMM: 9.1 us x 733 MHz; "
            "derived, a lower bound; hosted path)")
    host_timer_hz: float = param(
        100.0, unit="1/s", source="kerrisk2010_jiffies", latex=r"f_{\mathrm{tick}}",
        doc="timer interrupts per second of the host OS under a hosted monitor (Linux/x86-32 up to 2.4: "
            "HZ = 100; hosted path)")


__all__ = ["HOSTED_PATHS", "HostedWorldSwitch", "applies", "check_ticks", "tick_share", "with_world_switches",
           "world_switch_time"]
