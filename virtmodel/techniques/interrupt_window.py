"""The interrupt window: device interrupts suppressed only while the guest's receive path polls.

Linux's NAPI masks a queue's interrupt when the interrupt schedules the poll and
unmasks it only when the poll finds the ring empty ("Drivers should keep the
interrupts masked after scheduling the NAPI instance - until NAPI polling
finishes any further interrupts are unnecessary", Documentation/networking/napi.rst;
virtio-net's ``skb_recv_done`` disables the queue's callbacks when it schedules
NAPI, ``virtnet_poll`` re-enables them when it completes under budget; virtio's
``used_event`` tells the device how far it may go before the next notification,
virtio specification, "Used Buffer Notification Suppression"). A poll that uses
its whole budget (64 packets, ``NAPI_POLL_WEIGHT``) is "serviced/polled again
(without the need to be scheduled)", so the budget ends no window and does not
enter the count. NAPI does no software coalescing by default
(``gro_flush_timeout`` and ``napi_defer_hard_irqs`` are opt-in), and virtio-net
does no interrupt coalescing by default: neither enters either.

So a request pays its device interrupts (the technique's ``suppressed`` load,
mean :math:`e`) when it finds the *poll* inactive, share :math:`q`, not only when
it finds the vCPU idle, share :math:`p`. The poll is a sub-station of the vCPU
(a softirq preempts the application) busy for the receive-path work of the
requests of its window. That work, per request, is the guest kernel's share of
the request's native work,

.. math:: r = f_{\\mathrm{k}}\\, t_{\\mathrm{cpu}}

(``kernel_fraction`` times ``cpu_time``): the driver's poll, GRO and the
protocol's receive processing run in the kernel; the application's own work does
not. It is an upper bound of the window's work (the kernel share also holds the
send path and the system calls), so the model's interrupt count is a lower bound
of the mechanism's. With :math:`a` the vCPU's ordinary work per request,
:math:`w` the wake-up of a halted vCPU and :math:`\\lambda'` the arrivals per vCPU
(:mod:`virtmodel.queueing.polled_receiver`):

.. math::
    p = \\frac{1 - \\lambda' a - \\lambda'^2 e\\,(a - r)}{1 + \\lambda'(w + e)},\\qquad
    q = p + \\lambda'(a - r)

A request that finds the vCPU idle pays :math:`e + w` as a setup before its
service (the delay :math:`\\Delta` of :mod:`virtmodel.techniques.notifications`,
unchanged; its work :math:`p\\,e` guest, :math:`p\\,w` host, off the queue); one that
finds it busy but the poll inactive, share :math:`q - p = \\lambda'(a - r)`, pays
:math:`e` as work in the vCPU's queue, which is therefore
:math:`a + \\lambda'(a - r)\\,e` per request (mean; variance the interrupts' times
the same share), linear in the load, and saturates at
:math:`\\lambda' (a + \\lambda'(a-r)e) = 1` (:func:`~virtmodel.queueing.polled_receiver.saturation_rate`).
Past that point the vCPU is never idle: the formula's :math:`p` would go negative (and the
off-queue work :math:`p\\,e`, :math:`p\\,w` with it, host cores below zero), so the model takes
:math:`\\max(0, p)` (:func:`never_negative`): no halts, no wake-ups at a saturated vCPU.

Limits: :math:`r = a` is the previous ``wakeups="on"`` (suppression while the vCPU
is busy) exactly; :math:`r = e = w = 0` pays an interrupt on every request (the
first model's count); :math:`\\lambda' \\to 0` gives :math:`p = q = 1`. The
back-end's kicks are not changed: a back-end thread is busy exactly while it drains
its ring, so its idle probability is already the share of kicks that wake it.
Assumptions: one poll (one queue's interrupt) per vCPU, fed :math:`\\lambda'`; a
request's interrupts all paid or all suppressed; the closed model (``users`` > 0) evaluates the
load-dependent term at the workload's ``arrival_rate``, as it does the setup delay, not at the closed
loop's own throughput; only the means of the receive work,
the interrupts and the wake-up enter :math:`p` and :math:`q` (the balances hold for any distribution).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._base import Load
from ..queueing.mg1_exceptional import setup_delay
from ..queueing.polled_receiver import polled_idle


@dataclass(frozen=True)
class WakeTerms:
    """One receiver's terms: idle probability ``idle``, extra ``delay``, off-queue CPU per request,
    the work it adds to its own queue (``queued``) and the share of requests that pay its
    notifications (``notified``: the idle share, or the poll-inactive share of a polled receiver)."""

    idle: object
    delay: object
    guest_work: object
    host_work: object
    queued: Load = Load()
    notified: object = None


def receive_work(s):
    """The receive path's work per request: :math:`r = f_{\\mathrm{k}} t_{\\mathrm{cpu}}` (module docstring)."""
    return s.kernel_fraction * s.cpu_time


def never_negative(idle):
    """A receiver's idle probability clamped at 0, :math:`\\max(0, p)`: past its saturation the
    fixed point's :math:`p` is negative, but a saturated receiver is never idle (module docstring).

    The same expression as ``sympy.Max(0, p)``, built without SymPy's search for an argument that
    dominates the other (``Max._find_localzeros``: comparisons of :math:`p` with 0, then again after
    ``factor_terms``, half of a model's first derivation) where that search can find none: :math:`p`
    has free symbols, its sign is not known from their assumptions (a fixed point's :math:`p` is
    :math:`(1 - \\lambda' a)/(\\ldots)`) and it is no ``Max``/``Min`` itself. Anything else, and a
    number put in later (``subs``, ``xreplace``), goes through ``sympy.Max`` as before.
    """
    idle = sp.sympify(idle)
    if (not idle.free_symbols or isinstance(idle, (sp.Max, sp.Min))
            or idle.is_extended_nonnegative is not None or idle.is_extended_nonpositive is not None):
        return sp.Max(0, idle)
    return sp.Max(0, idle, evaluate=False)


def window_terms(arrivals_per_vcpu, work, poll_work, interrupts: Load, wake: Load) -> WakeTerms:
    """A vCPU's terms when its interrupts are suppressed only inside the poll's window (module formula).

    ``work`` :math:`a` the vCPU's ordinary work per request, ``poll_work`` :math:`r`,
    ``interrupts`` the load paid by a request that finds the poll inactive (guest CPU),
    ``wake`` the load paid by one that finds the vCPU halted (host CPU).
    """
    lam = arrivals_per_vcpu
    e, w = interrupts.mean, wake.mean
    p, q = polled_idle(lam, work, poll_work, e, w)
    p = never_negative(p)
    b = e + w
    delay, _ = setup_delay(lam, b, interrupts.var + wake.var + b**2, 0)  # the mean needs no third moment
    busy_share = lam * (work - poll_work)  # q - p: the poll inactive while the vCPU runs the application
    return WakeTerms(p, delay, p * e, p * w, Load(busy_share * e, busy_share * interrupts.var), q)


__all__ = ["WakeTerms", "never_negative", "receive_work", "window_terms"]
