"""How variable the flows of a closed cycle are: QNA's linking equations around a fixed route.

A request of a closed network crosses its stations in a fixed order and comes back (after its
think time, if any). The stream that leaves one station is the stream that reaches the next, so
each station's *arrival* squared coefficient of variation (SCV) :math:`c_a^2` follows from the
previous station's *departure* SCV :math:`c_d^2`, around the cycle. Two-moment approximations,
one per kind of stage:

- **A queue** of :math:`c` servers at per-server utilization :math:`\\rho` with service SCV
  :math:`c_s^2` (Whitt's QNA, 1983, eq. 4.10 with one class):

  .. math::
      c_d^2 = 1 + (1-\\rho^2)(c_a^2-1) + \\rho^2\\,\\frac{c_s^2-1}{\\sqrt{c}}.

  A busy server passes on its own service pattern, an idle one its arrivals'.
- **An infinite server** (a delay or think stage; mean :math:`m`, SCV :math:`c_s^2`, arrival
  rate :math:`\\lambda`): each request leaves its arrival time shifted by an independent delay,
  which leaves a stream as it is where the delays are equal (:math:`c_s = 0`) and makes it Poisson
  where they spread over many inter-arrival times (the displacement theorem); between the two

  .. math::
      c_d^2 = 1 + \\frac{c_a^2 - 1}{1 + \\lambda\\,m\\,c_s}.

- **Alternatives** (a request visits one of a group's stations with probabilities :math:`v_k`):
  random splitting gives member :math:`k` the arrival SCV :math:`v_k c_a^2 + 1 - v_k`, and the
  merged departures :math:`\\sum_k v_k c_{d,k}^2` (QNA's splitting and superposition).

Every stage is affine in its arrival SCV, so one pass around the cycle is an affine map
:math:`x \\mapsto a x + b` of the SCV entering the route, with :math:`0 \\le a \\le 1`;
:func:`cycle_arrival_scvs` takes its fixed point :math:`b/(1-a)` from two passes (and 1 where no
stage changes a stream's SCV, :math:`a = 1`: the cycle does not set it). All-exponential networks
(every :math:`c_s^2 = 1`, think time exponential) give :math:`c_a^2 = 1` everywhere, exactly.

Assumptions: renewal streams (QNA's), a fixed route with one visit per station (or per group);
the utilizations are the caller's (the closed model's, from MVA). Used by
:mod:`.mva_response_variance` to shape each station's queue-length distribution.

References: W. Whitt, "The Queueing Network Analyzer", Bell System Technical Journal 62(9), 1983;
for the displacement limit, e.g. D. J. Daley and D. Vere-Jones, *An Introduction to the Theory of
Point Processes*, vol. I, 2nd ed., Springer 2003, sec. 11.4.
"""

from __future__ import annotations

import numpy as np

from .._backend import ARRAY
from .._validate import nonnegative, positive, probability
from ..errors import ParameterError

_UNSET = 1e-9  # 1 - a below this: the cycle leaves the SCV where it finds it


def queue_departure_scv(arrival_scv, utilization, service_scv, servers):
    """:math:`c_d^2` of a queue of ``servers`` at per-server ``utilization`` (module docstring)."""
    rho2 = min(float(utilization), 1.0) ** 2
    return 1.0 + (1.0 - rho2) * (arrival_scv - 1.0) + rho2 * (service_scv - 1.0) / np.sqrt(servers)


def delay_departure_scv(arrival_scv, rate, mean, service_scv):
    """:math:`c_d^2` of an infinite-server stage (module docstring): the arrivals' SCV moved toward 1
    by the spread of the delays, in inter-arrival times."""
    return 1.0 + (arrival_scv - 1.0) / (1.0 + rate * mean * np.sqrt(service_scv))


def cycle_arrival_scvs(means, servers, scv, throughput, *, visits=None, groups=None, think_time=0.0):
    """``(arrival SCV per station, arrival SCV of the think stage)`` around the cycle (module docstring).

    ``means``: service time per visit; ``servers``: per station (``inf``: an infinite server);
    ``scv``: service SCV per station; ``throughput``: requests per unit time through the cycle;
    ``visits``/``groups`` as :func:`~.mva_response_variance.response_moments` takes them; the think
    stage exponential (an infinite server of mean ``think_time``, none if 0). Bad values (negative,
    NaN, servers below 1, visits outside (0, 1], a label count that is not the stations') raise
    :class:`~virtmodel.errors.ParameterError` naming the parameter."""
    m = np.atleast_1d(nonnegative("means", means, ARRAY))
    K = m.size
    c = np.broadcast_to(positive("servers", servers, ARRAY, allow_inf=True), (K,))
    if np.any(c < 1):
        raise ParameterError("servers", c.tolist(), ">= 1 (inf: an infinite server)")
    s2 = np.broadcast_to(nonnegative("scv", scv, ARRAY), (K,))
    v = np.ones(K) if visits is None else np.broadcast_to(probability("visits", visits, ARRAY, closed=True), (K,))
    if np.any(v <= 0):
        raise ParameterError("visits", v.tolist(), "in (0, 1]")
    labels = list(range(K)) if groups is None else list(groups)
    if len(labels) != K:
        raise ParameterError("groups", labels, f"one label per station ({K})")
    route = [[k for k in range(K) if labels[k] == g] for g in dict.fromkeys(labels)]
    X = float(nonnegative("throughput", throughput, ARRAY))
    think_time = float(nonnegative("think_time", think_time, ARRAY))

    def leave(k, arriving):
        rate = X * v[k]
        if m[k] <= 0:
            return arriving
        if not np.isfinite(c[k]):
            return delay_departure_scv(arriving, rate, m[k], s2[k])
        return queue_departure_scv(arriving, rate * m[k] / c[k], s2[k], c[k])

    def around(entering):
        arrivals, flow = np.ones(K), entering
        for members in route:
            if len(members) == 1:
                arrivals[members[0]] = flow
                flow = leave(members[0], flow)
            else:
                split = [v[k] * flow + 1.0 - v[k] for k in members]
                arrivals[members] = split
                flow = float(sum(v[k] * leave(k, a) for k, a in zip(members, split)))
        back = delay_departure_scv(flow, X, think_time, 1.0) if think_time > 0 else flow
        return arrivals, flow, back

    b = around(0.0)[2]
    a = around(1.0)[2] - b
    arrivals, to_think, _ = around(b / (1.0 - a) if 1.0 - a > _UNSET else 1.0)
    return arrivals, to_think


__all__ = ["cycle_arrival_scvs", "delay_departure_scv", "queue_departure_scv"]
