"""Interrupts and wake-ups: notifications and halts per request as closed forms of the load.

A halt of an idle vCPU, and a kick to an idle back-end, cost only when the
receiving side is idle: a busy vCPU does not halt, a busy back-end is already
draining the ring (virtio event index). A device interrupt to the guest costs
unless the guest's receive path is polling: NAPI suppresses interrupts from the
interrupt until the poll finds the ring empty, not while the vCPU runs the
application (:mod:`virtmodel.techniques.interrupt_window`; the formulas below are
the back-end's, and the vCPU's with its receive work equal to all its work). With Poisson arrivals the share of requests that
find a server idle is its idle probability (PASTA). A request that finds the
receiver idle pays :math:`B` (mean :math:`b`) before its ordinary work
(mean :math:`a`): the wake-up, and the notifications that suppression removes
under load. The receiver's cost per request and its busy fraction are

.. math::
    D = a + b\\,p, \\qquad \\rho = \\lambda' D, \\qquad p = 1 - \\rho

(:math:`\\lambda'` the arrivals per server). The fixed point is linear in
:math:`p` and has the closed form

.. math::
    p = \\frac{1 - \\lambda' a}{1 + \\lambda' b}

with no division by :math:`\\lambda'`: at :math:`\\lambda' = 0`, :math:`p = 1`
(every request pays the full wake-up); as :math:`\\lambda' a \\to 1`,
:math:`p \\to 0` (the wake-up terms vanish); past it the fixed point's :math:`p` is
negative, and the model takes :math:`\\max(0, p)`: a saturated receiver is never idle
(no wake-ups, and no negative host cores); :math:`\\rho < 1` exactly when
:math:`\\lambda' a < 1`: a station saturates at its ordinary work :math:`a`
(for the guest, whose interrupts are paid by the share :math:`q \\ge p` of requests
that find its poll inactive, the ordinary work grows with the load,
:math:`a + \\lambda'(a - r)e`, and the vCPU saturates where :math:`p = 0`:
:mod:`virtmodel.techniques.interrupt_window`; between the first model's capacity
and that of suppression for as long as the vCPU is busy). This :math:`p` is the idle probability of Welch's M/G/1 with an
exceptional first service :math:`S + B`
(:mod:`virtmodel.queueing.mg1_exceptional`), whose mean response time is the
ordinary M/G/1's plus Takagi's setup term

.. math::
    \\Delta = \\frac{2b + \\lambda' E[B^2]}{2(1 + \\lambda' b)}

(:math:`\\Delta = b` at :math:`\\lambda' = 0`). So the model keeps each
station's queue at its ordinary work :math:`a` and adds :math:`\\Delta` to the
request's delay: exact for one server (one vCPU), an approximation with
:math:`\\lambda'` per server for several (vCPUs, host cores). The work
:math:`b\\,p` per request is counted in the CPU metrics (``guest_cores``,
``host_cores``, ``cpu_per_request``) through :meth:`Wakeups.off_queue_work`.

Modes (the technique flag ``wakeups``; the default ``on`` is the validation's reported model,
docs/preregistered.md):

``off``        the first model (no wake-up terms, interrupts at their calibrated count);
``on``         (default) the guest vCPU halts when idle: a request that finds it idle pays
               the HLT exit + IPI + host scheduler wake-up (``vcpu_wake_time``, host
               CPU) and its device-interrupt exits (guest CPU); a request that finds it
               busy pays the interrupt exits in its queue unless NAPI's poll window is open
               (:mod:`virtmodel.techniques.interrupt_window`); a request that finds its back-end thread idle
               (the vhost worker of its queue, the QEMU I/O thread: that one-server
               station's idle probability; netback and other back-ends on the host's
               cores: a host core's) pays ``backend_wake_time`` (host CPU);
``halt_poll``  as ``on``, and KVM polls for up to ``halt_poll_time`` before it
               halts a vCPU: an arrival within the window (probability
               :math:`1-e^{-\\lambda' P}`, exponential idle periods) finds it
               polling and pays no wake-up; the polling burns
               :math:`c_{\\mathrm{vcpu}}\\, p\\,(1 - e^{-\\lambda' P})` host cores per VM
               (idle periods per second :math:`\\lambda' p` times their polled part
               :math:`E[\\min(I, P)] = (1-e^{-\\lambda' P})/\\lambda'`), in ``host_cores``;
``busy_poll``  as ``on`` for the guest, and the back-end polls its rings on
               ``polling_cores`` dedicated host cores: no back-end wake-ups, and each
               polling core is a whole core in ``host_cores`` at every load.

Assumptions: the receiver of a back-end notification is the path's back-end
thread when the model has it as a station of its own (vhost worker per queue, I/O
thread: :func:`~virtmodel.techniques.io_paths.backend_receiver`), otherwise a host
core (its idle probability per core stands for the back-end thread's); one halt per idle
period of a vCPU; :math:`B` independent of the ordinary work; the wake-up a
fixed time (halt polling: paid with probability :math:`e^{-\\lambda' P}`);
interrupt exits with APICv / posted interrupts: the technique's own
``exits_per_interrupt`` and ``posted_interrupts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .._params import flag, param
from ._base import Demands, Load, of_structure
from ..queueing.mg1_exceptional import idle_fraction, setup_delay
from .interrupt_window import WakeTerms, never_negative, receive_work, window_terms
from .io_paths import backend_receiver

WAKEUP_MODES = ("off", "on", "halt_poll", "busy_poll")


def idle_probability(arrivals_per_server, base, wake):
    """The receiver's idle probability at the fixed point: :math:`p = \\max(0, (1-\\lambda' a)/(1+\\lambda' b))`.

    ``base`` (:math:`a`) is the work paid by every request, ``wake``
    (:math:`b`) the work paid only by requests that find the receiver idle
    (module docstring). Exact at :math:`\\lambda' = 0` (:math:`p = 1`). It is Welch's
    :math:`P_0` with first service :math:`a + b` (:func:`~virtmodel.queueing.mg1_exceptional.idle_fraction`).
    """
    return never_negative(idle_fraction(arrivals_per_server, base, base + wake))


def poll_miss(arrivals_per_server, window):
    """Share of idle periods longer than the halt-polling window: :math:`e^{-\\lambda' P}`."""
    return sp.exp(-arrivals_per_server * window)


def receiver_terms(arrivals_per_server, base_mean, guest_part: Load, host_part: Load) -> WakeTerms:
    """:math:`p`, :math:`\\Delta` and the work :math:`b\\,p` (guest CPU, host CPU) of a receiver
    whose idle server pays ``guest_part + host_part`` (mean, variance) before ``base_mean``."""
    b = guest_part.mean + host_part.mean
    second = guest_part.var + host_part.var + b**2
    p = idle_probability(arrivals_per_server, base_mean, b)
    delay, _ = setup_delay(arrivals_per_server, b, second, 0)  # the mean needs no third moment
    return WakeTerms(p, delay, p * guest_part.mean, p * host_part.mean)


@lru_cache(maxsize=256)
def _wake_terms(structure: tuple, s):
    """:meth:`Wakeups.wake_terms` of a technique structure (the class and flags select the formulas, as
    :func:`virtmodel.model._derive.derive`'s key does) in the symbols ``s``
    (:func:`virtmodel.symbols.symbols_for`, one per class): SymPy expressions of the symbols, never of
    the fields' values, so the technique of the structure (:func:`~._base.of_structure`) builds them."""
    return of_structure(structure)._build_wake_terms(s)


@dataclass(frozen=True)
class Wakeups:
    """Mixin: the ``wakeups`` flag and the costs of halts, wake-ups and polling (module docstring).

    A technique that uses it implements ``first_model(s)``: its demands in the
    first model and the part of the guest's load that only an idle vCPU pays
    (its device-interrupt exits), and returns ``self.with_wakeups(s)`` from
    ``demands(s)``.
    """

    wakeups: str = flag("on", doc="interrupts and wake-ups: on (the default and reported model), off (first model), halt_poll, busy_poll",
                        options=WAKEUP_MODES)
    vcpu_wake_time: float = param(
        4e-6, unit="s", source="kvm_halt_polling_doc", latex=r"t_{\mathrm{wake}}",
        doc="HLT exit + IPI + host scheduler wake-up of an idle vCPU "
            "(the scheduler trip halt polling saves: 'a few micro-seconds'; approx.)")
    backend_wake_time: float = param(
        4e-6, unit="s", source="kvm_halt_polling_doc", latex=r"t_{\mathrm{bwake}}",
        doc="wake-up of an idle back-end thread by the host scheduler (vhost worker, I/O thread, netback; "
            "approx.: one scheduler trip, as for a vCPU)")
    halt_poll_time: float = param(
        200e-6, unit="s", source="linux_kvm_halt_poll_default", latex=r"P_{\mathrm{poll}}",
        doc="KVM halt-polling window (halt_poll_ns; x86 default 200 us; halt_poll mode only)")
    polling_cores: int = param(
        1, unit="count", domain="count", latex=r"c_{\mathrm{poll}}",
        doc="host cores dedicated to busy-polling back-ends (vhost-user/DPDK; busy_poll mode only; assumption)")

    def wake_terms(self, s):
        """``(demands, suppressed, guest WakeTerms, host WakeTerms or None)`` of this mode: the first
        model's demands and its ``suppressed`` load, then the receivers' terms.

        Built once per technique structure (class and flags) and symbols: a model's derivation asks
        for them two or three times (the demands, the off-queue work, the polling cores; :func:`_wake_terms`).
        """
        return _wake_terms(self.structure(), s)

    def _build_wake_terms(self, s):
        demands, suppressed = self.first_model(s)
        lam_vcpu = s.arrival_rate / s.vcpus
        wake = sp.Integer(1) if self.wakeups != "halt_poll" else poll_miss(lam_vcpu, s.halt_poll_time)
        guest_base = demands.guest.mean - suppressed.mean
        guest = window_terms(lam_vcpu, guest_base, receive_work(s), suppressed,
                             Load(wake * s.vcpu_wake_time, wake * (1 - wake) * s.vcpu_wake_time**2))
        host = None
        receiver = backend_receiver(self, s, demands) if self.wakeups != "busy_poll" else None
        if receiver is not None:  # the back-end's thread (vhost worker, I/O thread) or the host's cores
            host = receiver_terms(*receiver, Load(), Load(s.backend_wake_time, 0))
        return demands, suppressed, guest, host

    def with_wakeups(self, s) -> Demands:
        """The first model's demands with this mode's halts, wake-ups and suppressed notifications.

        ``off`` returns the first model's demands unchanged. Otherwise the
        guest's queue keeps the work every request pays (the first model's
        less ``suppressed``), and the request's delay gains the setup terms
        :math:`\\Delta` of the vCPU and of the back-end (module docstring).
        """
        if self.wakeups == "off":
            return self.first_model(s)[0]
        demands, suppressed, guest, host = self.wake_terms(s)
        loads = dict(demands.loads)
        first = loads.pop("guest")
        guest_load = Load(first.mean - suppressed.mean, first.var - suppressed.var) + guest.queued
        delay = demands.delay + guest.delay + (0 if host is None else host.delay)
        return Demands(guest_load, delay, **loads)

    def off_queue_work(self, s) -> dict:
        """CPU seconds per request paid off the queues, ``{"guest": ..., "host": ...}`` (the
        :math:`b\\,p` terms), for ``guest_cores``, ``host_cores`` and ``cpu_per_request``."""
        if self.wakeups == "off":
            return {}
        _, _, guest, host = self.wake_terms(s)
        return {"guest": guest.guest_work,
                "host": guest.host_work + (0 if host is None else host.host_work)}

    def polling_host_cores(self, s):
        """Host cores burnt polling, at any load (``host_cores`` adds them).

        ``halt_poll``: :math:`V c_{\\mathrm{vcpu}}\\, p\\,(1 - e^{-\\lambda' P})` with
        :math:`\\lambda' = \\lambda / c_{\\mathrm{vcpu}}`; ``busy_poll``: :math:`c_{\\mathrm{poll}}`;
        otherwise 0.
        """
        if self.wakeups == "busy_poll":
            return s.polling_cores
        if self.wakeups == "halt_poll":
            _, _, guest, _ = self.wake_terms(s)
            lam_vcpu = s.arrival_rate / s.vcpus
            return s.vms * s.vcpus * guest.idle * (1 - poll_miss(lam_vcpu, s.halt_poll_time))
        return sp.Integer(0)
