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
A scheduler that boosts a waking vCPU (Xen credit's BOOST, Linux CFS wake-up
preemption) skips the setup; this model does not (an upper bound for those).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._params import ParameterSet, param

#: Xen 1.0's scheduling slice, as Barham et al. (2003) describe it (Linux 2.4 gave processes 50 ms or more)
XEN_1_QUANTUM = 5e-3


@dataclass(frozen=True)
class TimeSlices(ParameterSet):
    """vCPU threads share the host's cores in slices of ``quantum`` seconds (see the module docstring)."""

    quantum: float = param(30e-3, unit="s", domain="positive", latex="Q", source="xen_credit_tslice",
                           doc="the hypervisor scheduler's time slice (Xen credit scheduler default: 30 ms)")


@dataclass(frozen=True)
class SliceWaits:
    """Moments of the setup :math:`U` and the round :math:`D` one vCPU sees (module docstring)."""

    setup: tuple    # (E[U], E[U^2])
    round: tuple    # (E[D], E[D^2])


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


def slice_waits(others, cores: int, quantum: float) -> SliceWaits:
    """The setup and round moments of a vCPU whose other vCPUs are ``others``.

    ``others``: ``[(u_j, count_j, E[L_j], E[L_j^2]), ...]`` (runnable share, how
    many such vCPUs, and their turn's moments, :func:`slice_length`).
    """
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


__all__ = ["TimeSlices", "SliceWaits", "core_share", "slice_waits", "slice_length", "quantum_ends_rate", "XEN_1_QUANTUM"]
