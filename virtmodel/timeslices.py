"""vCPU threads time-sliced on the host's cores: the scheduler quantum and the waits it causes.

With :class:`TimeSlices` a :class:`~virtmodel.host.Host` runs every VM's vCPU
thread on the platform's ``cores`` (today's model gives each vCPU a core of its
own). A round-robin scheduler with quantum :math:`Q` (Xen's credit scheduler:
30 ms by default; Xen 1.0 in Barham et al. 2003: 5 ms) lets a vCPU that has work
run for at most :math:`Q`; a vCPU that wakes up, or whose quantum ran out, goes to
the back of its core's run queue. Seen from one vCPU:

- the scheduler balances runnable vCPUs over the :math:`c` cores (an idle core
  takes work from a busy one): when this vCPU and :math:`K` others are runnable
  (:math:`u_j` below; :math:`K` a sum of independent Bernoulli variables), it
  shares its core with :math:`\\max(0, (1+K)/c - 1)` of them, each other vCPU
  with probability :math:`\\pi = E[\\max(0, (1+K)/c - 1)]/E[K]`
  (:func:`core_share`); no overcommit (:math:`N \\le c` vCPUs) gives
  :math:`\\pi = 0` and no wait at all, and a neighbour with no load changes nothing;
- another vCPU :math:`j` is runnable (has work, waiting for its turn included)
  with probability :math:`u_j`, independently, and on the core with
  probability :math:`\\pi u_j`; a turn lasts :math:`L_j = \\min(B_j, Q)`, the
  rest of its busy period of own work or a whole quantum (a CPU-bound
  neighbour: :math:`Q`; :func:`slice_length`);
- a vCPU whose quantum runs out with work left waits a *round*
  :math:`D = \\sum_j \\mathbb{1}_j L_j` (:math:`\\mathbb{1}_j \\sim \\mathrm{Bernoulli}(\\pi u_j)`):
  :math:`E[D] = \\sum_j \\pi u_j E[L_j]`,
  :math:`\\mathrm{Var}(D) = \\sum_j (\\pi u_j E[L_j^2] - (\\pi u_j E[L_j])^2)`;
- a vCPU that wakes up waits the *setup* :math:`U`: the round, less what of the
  turn in progress has already run. With :math:`P = P(\\text{some other runnable})`
  and :math:`\\delta = P\\,\\overline{(E[L] - E[L^2]/(2E[L]))}` (averaged over the
  others by their share of the core's time), :math:`E[U] = E[D] - \\delta` and
  :math:`E[U^2] = E[D^2] - 2\\delta E[D] + \\delta^2 + P\\delta^2/3`. For
  :math:`K` CPU-bound neighbours this is exact: :math:`U` = the rest of a uniform
  slice plus :math:`K - 1` slices, :math:`E[U] = (K - \\tfrac12)Q`; Quantum ends come once per
  :math:`Q` of running time within a busy period that started with a fresh
  quantum: with the busy period's work :math:`B` exponential of mean
  :math:`b = m/(1-\\lambda m)`, :math:`E\\lfloor B/Q\\rfloor = e^{-Q/b}/(1-e^{-Q/b})`
  ends per busy period, a rate :math:`\\eta = E\\lfloor B/Q\\rfloor / b` per second of
  work (:math:`1/Q` for a CPU-bound vCPU, about 0 when requests are much shorter
  than the quantum).

The model (:mod:`virtmodel.shared_host`) puts the rounds into the vCPU's service
(:func:`~virtmodel.queueing.interrupted_service.interrupted_service`) and the setup into its wait
(:func:`~virtmodel.queueing.mg1_exceptional.setup_delay`, the Fuhrmann-Cooper
extra delay of an M/G/1 with setup times). The time-slice simulation
(:func:`~virtmodel.simulate.simulate_time_slices`) runs the round-robin itself.

**Wake-up boost** (``TimeSlices(boost=...)``). A scheduler may let a vCPU that wakes
run ahead of the others (:func:`boosted_setup`): Xen 1.0's BVT puts a woken domain at
the head of the run queue once the running one has had its context-switch allowance
(Barham et al. 2003, Section 3.3.1: "virtual-time warping ... to favor recently-woken
domains"); Xen's credit scheduler gives a waking vCPU BOOST priority and Linux CFS
places a woken task at ``min_vruntime`` less a bonus, so both preempt the running
vCPU at once. With :math:`P` the probability that another vCPU runs on the core
when the request arrives:

- ``boost="none"`` (default): the setup :math:`U` above, :math:`(K-\\tfrac12)Q` behind
  :math:`K` CPU-bound neighbours;
- ``boost="next_slice"``: the woken vCPU runs next, when the turn in progress ends:
  :math:`U` is the rest of that turn (0 if the core is idle),
  :math:`E[U^k] = P\\,\\sum_j w_j E[L_j^{k+1}]/((k+1)E[L_j])`, :math:`w_j` the others'
  shares of the core's time (:math:`Q/2` behind CPU-bound neighbours, whatever :math:`K`);
- ``boost="preempt"``: it preempts the running vCPU at once and waits only the
  context switch :math:`c` (``switch_cost``): :math:`E[U^k] = P c^k`.

A vCPU that is always runnable (``VMGroup(..., background=True)``: a CPU-bound job
below its requests) never wakes, so no boost applies: a request that arrives while
the others hold the core waits the rest of their round, :math:`E[U^k] = E[D^{k+1}]/((k+1)(Q + E[D]))`
(:func:`next_turn_setup`; behind :math:`K` CPU-bound neighbours on one core
:math:`E[U] = K^2 Q/(2(K+1))`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc

from ._params import ParameterSet, flag, param

#: the wake-up boosts of :class:`TimeSlices` (module docstring)
BOOSTS = ("none", "next_slice", "preempt")

#: Xen 1.0's scheduling slice, as Barham et al. (2003) describe it (Linux 2.4 gave processes 50 ms or more)
XEN_1_QUANTUM = 5e-3


@dataclass(frozen=True)
class TimeSlices(ParameterSet):
    """vCPU threads share the host's cores in slices of ``quantum`` seconds (see the module docstring)."""

    quantum: float = param(30e-3, unit="s", domain="positive", latex="Q", source="xen_credit_tslice",
                           doc="the hypervisor scheduler's time slice (Xen credit scheduler default: 30 ms)")
    boost: str = flag("none", options=BOOSTS,
                      doc="what a vCPU that wakes gets: none (waits the others' slices), next_slice (runs when "
                          "the turn in progress ends), preempt (preempts at once, after switch_cost)")
    switch_cost: float = param(0.0, unit="s", latex="c", doc="the context switch a boosted wake-up that preempts "
                               "another vCPU waits (boost='preempt' only)")


@dataclass(frozen=True)
class SliceWaits:
    """Moments of the setup :math:`U` and the round :math:`D` one vCPU sees (module docstring)."""

    setup: tuple    # (E[U], E[U^2])
    round: tuple    # (E[D], E[D^2])
    setup_third: float | None = None   # E[U^3] where known in closed form (None: a gamma fit of the two)


def slice_length(arrival_rate: float, mean_service: float, quantum: float) -> tuple:
    r""":math:`(E[L], E[L^2])` of one turn on the core, :math:`L = \min(B, Q)` (module docstring).

    :math:`B` the vCPU's busy period of own work, exponential of mean
    :math:`b = m/(1-\lambda m)`: :math:`E[L] = b(1-e^{-Q/b})`,
    :math:`E[L^2] = 2b^2(1 - e^{-Q/b}(1 + Q/b))`; a saturated vCPU takes the whole quantum.
    """
    load = arrival_rate * mean_service
    if load >= 1:
        return quantum, quantum**2
    b = mean_service / (1 - load)
    x = quantum / b
    if x < 1e-6:
        return quantum, quantum**2
    return -b * math.expm1(-x), 2 * b**2 * (1 - math.exp(-x) * (1 + x))


def core_share(others, cores: int) -> float:
    """:math:`\\pi`: the probability that a runnable other vCPU is on this vCPU's core (module docstring).

    :math:`K` the number of other runnable vCPUs (a sum of binomials, one per
    group), :math:`\\pi = E[\\max(0, (1+K)/c - 1)]/E[K]`.
    """
    pmf = np.ones(1)
    for u, count, *_ in others:
        p = float(np.clip(u, 0.0, 1.0))
        n = int(count)
        if n == 0 or p == 0.0:
            continue
        k = np.arange(n + 1)
        logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k]
        with np.errstate(divide="ignore"):
            group = np.exp(np.array(logs) + k * np.log(p) + (n - k) * np.log1p(-p)) if p < 1 else (k == n) * 1.0
        pmf = np.convolve(pmf, group)
    k = np.arange(pmf.size)
    mean_k = float(pmf @ k)
    if mean_k <= 0:
        return 0.0
    return float(pmf @ np.maximum(0.0, (1 + k) / cores - 1)) / mean_k


def slice_moments(arrival_rate: float, mean_service: float, quantum: float, orders: int = 4) -> tuple:
    r""":math:`(E[L], \ldots, E[L^n])` of one turn :math:`L = \min(B, Q)` (:func:`slice_length` for the first two).

    With :math:`B` exponential of mean :math:`b`,
    :math:`E[\min(B, Q)^n] = n!\,b^n\,P(n, Q/b)` (:math:`P` the regularized lower
    incomplete gamma function: :math:`E[X^n] = \int_0^Q n t^{n-1} e^{-t/b}\,dt`); a
    saturated vCPU takes the whole quantum, :math:`Q^n`.

    >>> [round(x / 5e-3**n, 12) for n, x in enumerate(slice_moments(2000.0, 1e-3, 5e-3), 1)]  # saturated
    [1.0, 1.0, 1.0, 1.0]
    """
    first = slice_length(arrival_rate, mean_service, quantum)
    load = arrival_rate * mean_service
    b = mean_service / (1 - load) if load < 1 else math.inf
    if not quantum / b >= 1e-6:
        return first + tuple(quantum**n for n in range(3, orders + 1))
    return first + tuple(math.factorial(n) * b**n * float(gammainc(n, quantum / b)) for n in range(3, orders + 1))


def _cumulants(mu):
    m1, m2, m3, m4 = mu
    return (m1, m2 - m1**2, m3 - 3 * m2 * m1 + 2 * m1**3,
            m4 - 4 * m3 * m1 - 3 * m2**2 + 12 * m2 * m1**2 - 6 * m1**4)


def round_moments(others, cores: int) -> tuple:
    r""":math:`(E[D], E[D^2], E[D^3], E[D^4])` of the round :math:`D = \sum_j \mathbb{1}_j L_j` (module docstring).

    ``others`` as for :func:`slice_waits`, with the turns' first four moments. The
    terms are independent, so their cumulants add (each term's from its raw moments
    :math:`\pi u_j E[L_j^k]`).
    """
    share = core_share(others, cores)
    k = [0.0] * 4
    for u, count, *turn in others:
        p = share * float(np.clip(u, 0.0, 1.0))
        k = [a + count * c for a, c in zip(k, _cumulants([p * x for x in turn[:4]]))]
    k1, k2, k3, k4 = k
    return (k1, k2 + k1**2, k3 + 3 * k2 * k1 + k1**3, k4 + 4 * k3 * k1 + 3 * k2**2 + 6 * k2 * k1**2 + k1**4)


def next_turn_setup(round_moments_: tuple, quantum: float) -> tuple:
    r""":math:`(E[U], E[U^2], E[U^3])` for an always-runnable vCPU: the rest of the others' round, if they hold the core.

    The vCPU runs :math:`Q`, then waits a round :math:`D`; a request arriving at a random
    time finds the others on the core with probability :math:`E[D]/(Q + E[D])` and then
    waits the residual round: :math:`E[U^k] = E[D^{k+1}]/((k+1)(Q + E[D]))`. No boost
    applies (the vCPU never sleeps). Behind :math:`K` CPU-bound neighbours on one core
    (:math:`D = KQ`) :math:`E[U] = K^2 Q/(2(K+1))`.

    >>> [round(x, 12) for x in next_turn_setup((3.0, 9.0, 27.0, 81.0), 1.0)]   # three hogs, Q = 1
    [1.125, 2.25, 5.0625]
    """
    d1 = round_moments_[0]
    return tuple(round_moments_[k] / ((k + 1) * (quantum + d1)) for k in (1, 2, 3))


def boosted_setup(others, cores: int, boost: str, switch_cost: float = 0.0) -> tuple:
    r""":math:`(E[U], E[U^2], E[U^3])` of a woken vCPU's setup under a wake-up boost (module docstring).

    With :math:`P` the probability that another vCPU is on the core:
    ``"next_slice"``: the rest of the turn in progress,
    :math:`E[U^k] = P \sum_j n_j \pi u_j E[L_j^{k+1}] / ((k+1) \sum_j n_j \pi u_j E[L_j])`;
    ``"preempt"``: the context switch :math:`c`, :math:`E[U^k] = P c^k`. ``others`` as for
    :func:`slice_waits`, with the turns' first four moments for ``"next_slice"``.

    >>> q = 5e-3   # three CPU-bound neighbours on one core: half a slice, whatever their number
    >>> u = boosted_setup([(1.0, 3, q, q**2, q**3, q**4)], 1, "next_slice")
    >>> [round(x / q**k, 12) for k, x in enumerate(u, 1)]   # E[U^k] = Q^k/(k+1): uniform on (0, Q)
    [0.5, 0.333333333333, 0.25]
    """
    from ._validate import choice

    choice("boost", boost, BOOSTS[1:])
    share = core_share(others, cores)
    log_none, time_weight, residual = 0.0, 0.0, [0.0, 0.0, 0.0]
    for u, count, *turn in others:
        p = share * float(np.clip(u, 0.0, 1.0))
        log_none += count * (math.log1p(-p) if p < 1 else -math.inf)
        if boost == "next_slice":
            time_weight += count * p * turn[0]
            residual = [r + count * p * turn[k] / (k + 1) for r, k in zip(residual, (1, 2, 3))]
    some = 1 - math.exp(log_none)
    if boost == "preempt":
        return tuple(some * switch_cost**k for k in (1, 2, 3))
    return tuple(some * r / time_weight if time_weight > 0 else 0.0 for r in residual)


def slice_waits(others, cores: int, quantum: float, boost: str = "none", switch_cost: float = 0.0,
                runnable: bool = False) -> SliceWaits:
    """The setup and round moments of a vCPU whose other vCPUs are ``others``.

    ``others``: ``[(u_j, count_j, E[L_j], E[L_j^2], ...), ...]`` (runnable share, how
    many such vCPUs, and their turn's moments, :func:`slice_length`; the boosts and
    ``runnable`` need the first four, :func:`slice_moments`). ``boost``: a waking
    vCPU's boost (:func:`boosted_setup`); ``runnable``: the vCPU is always runnable
    (:func:`next_turn_setup`; no boost). ``setup_third`` is set for those two.
    """
    if runnable or boost != "none":
        plain = slice_waits([o[:4] for o in others], cores, quantum)
        third = next_turn_setup(round_moments(others, cores), quantum) if runnable else \
            boosted_setup(others, cores, boost, switch_cost)
        return SliceWaits(setup=third[:2], round=plain.round, setup_third=third[2])
    others = [o[:4] for o in others]
    share = core_share(others, cores)
    mean_d, var_d, log_none, time_weight, shortfall = 0.0, 0.0, 0.0, 0.0, 0.0
    for u, count, l1, l2 in others:
        p = share * float(np.clip(u, 0.0, 1.0))
        mean_d += count * p * l1
        var_d += count * (p * l2 - (p * l1) ** 2)
        log_none += count * (math.log1p(-p) if p < 1 else -math.inf)
        time_weight += count * p * l1
        shortfall += count * p * l1 * (l1 - l2 / (2 * l1))  # a full turn minus the rest of a turn in progress
    some = 1 - math.exp(log_none)
    delta = some * shortfall / time_weight if time_weight > 0 else 0.0
    d2 = var_d + mean_d**2
    setup1 = max(0.0, mean_d - delta)
    setup2 = max(setup1**2, d2 - 2 * delta * mean_d + delta**2 + some * delta**2 / 3)
    return SliceWaits(setup=(setup1, setup2), round=(mean_d, d2))


def quantum_ends_rate(arrival_rate: float, mean_service: float, quantum: float) -> float:
    """:math:`\\eta`, quantum ends per second of a vCPU's work (module docstring)."""
    load = arrival_rate * mean_service
    if load >= 1:
        return 1 / quantum
    busy = mean_service / (1 - load)
    x = math.exp(-quantum / busy)
    return x / ((1 - x) * busy) if x > 0 else 0.0


def runnable_quantum_ends_rate(arrival_rate: float, mean_service: float, quantum: float, mean_round: float) -> float:
    r""":math:`\eta` of an always-runnable vCPU's requests: quantum ends per second of their work.

    The vCPU runs :math:`Q`, then waits a round (mean :math:`E[D]`), whether it has requests
    or not. A busy period of requests that starts while the others hold the core (probability
    :math:`E[D]/(Q + E[D])`) starts with the vCPU's fresh quantum: :math:`\eta_0`
    (:func:`quantum_ends_rate`); one that starts while the vCPU runs meets a uniformly
    spread rest of its quantum: :math:`1/Q` per second of work. So
    :math:`\eta = (1 + E[D]\,\eta_0)/(Q + E[D])`: :math:`1/(Q + E[D])` for requests much
    shorter than :math:`Q`, :math:`1/Q` as the requests saturate the vCPU (its capacity is
    then :math:`Q/(Q + E[D])` of the core's time). Requests much shorter than :math:`Q` that
    start a turn are almost never cut; a quantum end during a request costs a round.

    >>> runnable_quantum_ends_rate(1.0, 1e-6, 1.0, 3.0)   # tiny requests: one quantum end per cycle of 4
    0.25
    """
    return (1 + mean_round * quantum_ends_rate(arrival_rate, mean_service, quantum)) / (quantum + mean_round)


__all__ = ["TimeSlices", "SliceWaits", "core_share", "slice_waits", "slice_length", "quantum_ends_rate", "XEN_1_QUANTUM",
           "BOOSTS", "runnable_quantum_ends_rate", "slice_moments", "round_moments", "next_turn_setup", "boosted_setup"]
