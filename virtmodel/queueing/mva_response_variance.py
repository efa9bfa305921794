"""The response-time variance of a closed network, from exact MVA and the arrival theorem.

Exact MVA (:func:`virtmodel.queueing.mva`) gives means. For a variance, a request's
residence at each station is built from what it finds there:

1. **Arrival theorem.** A request arriving at station :math:`k` of a closed product-form
   network of :math:`N` customers sees the network in equilibrium with :math:`N-1`: it finds
   :math:`j` customers with the marginal probability :math:`p_k(j\\mid N-1)` of exact MVA,

   .. math::
       p_k(j\\mid n) = \\frac{D_k\\,X(n)}{\\alpha_k(j)}\\,p_k(j-1\\mid n-1),\\quad j \\ge 1,
       \\qquad \\alpha_k(j) = \\min(j, c_k),

   with :math:`X(n)` MVA's throughput at population :math:`n`, written as the product
   :math:`p_k(j\\mid N-1) = p_k(0\\mid N-1-j)\\prod_{i=0}^{j-1} D_k X(N-1-i)/\\alpha_k(i+1)`
   (in logarithms); :math:`p_k(0\\mid n) = 1 - D_k X(n)` at a single server, and at
   :math:`c_k` servers from the identity
   :math:`\\sum_{j<c_k}(c_k-j)\\,p_k(j\\mid n) = c_k - D_k X(n)` (as :func:`~virtmodel.queueing.mva`
   does, not :math:`1 - \\sum_{j\\ge 1}`).
2. **Residence given j found** (service time :math:`S` per visit, mean :math:`m`, SCV
   :math:`c_s^2`; :math:`S_e` the stationary excess, mean :math:`e_1 = m(1+c_s^2)/2`, variance
   :math:`e_1^2(r-1)` with :math:`r` :func:`~._moments.excess_ratio` of a gamma-distributed
   :math:`S`): with :math:`j < c_k` it is its own service; with :math:`j \\ge c_k` it waits for
   :math:`j-c_k+1` departures, the first the excess of the servers' work :math:`S_e/c_k`, the
   others :math:`S/c_k` each, then its own service:

   .. math::
       E[T\\mid j] = m + \\frac{e_1 + (j-c_k)\\,m}{c_k},\\qquad
       \\mathrm{Var}(T\\mid j) = c_s^2 m^2 + \\frac{\\mathrm{Var}(S_e) + (j-c_k)\\,c_s^2 m^2}{c_k^2};

   a delay station (:math:`c_k \\ge N` or infinite) gives :math:`T = S`. Then
   :math:`E[T^2] = \\sum_j p_k(j\\mid N-1)\\,(\\mathrm{Var}(T\\mid j) + E[T\\mid j]^2)`.
3. **Stations summed as independent** (the open model's assumption too): the request's
   response-time variance is :math:`\\sum_k \\mathrm{Var}(T_k)` per cycle, stations of one
   ``group`` being alternatives (a request visits one of them, with probabilities ``visits``
   summing to at most 1: second moment :math:`\\sum v_k E[T_k^2]`, mean :math:`\\sum v_k E[T_k]`).

Exact for exponential service at single-server and delay stations of one station plus think
time (the M/M/1//N loop: the residence given :math:`j` is then Erlang, and the arrival theorem
exact); with several queueing stations the residences of one request are correlated (a request
that found a long queue at one station is followed by few at the next), which the sum ignores.
For non-exponential service the product form, the marginals and the excess at an arrival are
approximations; the means here then differ from MVA's (which take :math:`e_1 = m`), and the
closed model uses MVA's mean with this variance. Measured against
the event engine of :mod:`virtmodel.simulate` with a request's fixed route (1-3 stations, SCV 0.25, 1
and 4, N = 1-64; ``tests/queueing/test_mva_response_variance.py``, table in
:mod:`virtmodel.model.closed`): one exponential station within the simulation's noise (4%); the
variance high with several queueing stations (up to +60% at SCV 1, +254% at SCV 0.25, where the
residences' negative correlation matters most), the p99 of the gamma fit -3% to +29%.

References: M. Reiser and S. S. Lavenberg, J. ACM 27(2), 1980 (MVA, the arrival theorem);
K. C. Sevcik and I. Mitrani, J. ACM 28(2), 1981 (the arrival theorem); G. Bolch et al.,
*Queueing Networks and Markov Chains*, 2nd ed., Wiley 2006, sec. 8.2 (marginal probabilities
of load-dependent MVA).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from ._moments import excess_ratio, second_moment, third_moment
from .mva import mva

@dataclass(frozen=True)
class ResponseMoments:
    """Per-visit residence moments per station and the cycle's response-time variance."""

    mean: np.ndarray      # (K,) E[T_k] per visit
    second: np.ndarray    # (K,) E[T_k^2] per visit
    variance: float       # Var of the response time per cycle (stations independent, groups alternatives)


def marginals(demand, servers, throughputs):
    """:math:`p_k(j\\mid n)`, :math:`j = 0..n`, for :math:`n = ` ``len(throughputs)`` (module step 1).

    ``throughputs``: :math:`X(1..n)` of the network (MVA's ``throughput_by_population``);
    ``servers``: :math:`c_k` (finite, >= 1)."""
    X = np.concatenate(([0.0], np.asarray(throughputs, dtype=float)))  # X(0..n)
    n, c, D = X.size - 1, int(servers), float(demand)
    p0 = np.empty(n + 1)
    if c == 1:
        p0[:] = 1 - D * X
    else:  # q = p(0..c-1 | m), stepped with p(j|m) = D X(m)/j p(j-1|m-1) (j < c)
        j = np.arange(1, c)
        inv_j, weight = 1.0 / j, (c - j) / c
        q, p0[0] = np.zeros(c), 1.0
        q[0] = 1.0
        for m in range(1, n + 1):
            q[1:] = q[:-1] * inv_j * (D * X[m])
            q[0] = p0[m] = 1 - D * X[m] / c - float(weight @ q[1:])
    np.maximum(p0, 0.0, out=p0)
    j = np.arange(1, n + 1)
    with np.errstate(divide="ignore"):
        logs = np.concatenate(([0.0], np.cumsum(np.log(D * X[n:0:-1]) - np.log(np.minimum(j, c)))))
        return np.exp(logs + np.log(p0[n::-1]))


def response_moments(demands, population, think_time=0.0, servers=1, scv=1.0, *, visits=None,
                     groups=None, throughputs=None) -> ResponseMoments:
    """Per-visit residence moments and the response-time variance (module docstring).

    Parameters
    ----------
    demands : array_like (K,)
        :math:`D_k` per request (s), >= 0 (``visits`` x the service time per visit).
    population : int
        :math:`N` >= 1.
    think_time : float
        :math:`Z` >= 0 (not part of the response time).
    servers : int, inf or array_like (K,)
        :math:`c_k` per station (inf: a delay station).
    scv : float or array_like (K,)
        SCV of the service time per visit (0 for a constant delay).
    visits : array_like (K,), optional
        Visit probability per request (<= 1; default 1): the service time per visit is
        :math:`D_k / v_k`.
    groups : sequence (K,), optional
        Labels: stations with one label are alternatives of one request (module step 3);
        default every station its own.
    throughputs : array_like, optional
        :math:`X(1..n)`, :math:`n \\ge N-1`, of this network (an MVA run's
        ``throughput_by_population``), spared a run of :func:`~virtmodel.queueing.mva`.
    """
    D = np.atleast_1d(np.asarray(demands, dtype=float))
    K = D.size
    c = np.broadcast_to(np.asarray(servers, dtype=float), (K,))
    s2 = np.broadcast_to(np.asarray(scv, dtype=float), (K,))
    v = np.ones(K) if visits is None else np.broadcast_to(np.asarray(visits, dtype=float), (K,))
    N = int(population)
    if N != population or N < 1:
        raise ParameterError("population", population, "a whole number >= 1")
    for name, a, ok in (("demands", D, D >= 0), ("scv", s2, s2 >= 0), ("visits", v, (v > 0) & (v <= 1)),
                        ("servers", c, c >= 1)):
        if not np.all(ok & ~np.isnan(a)):
            raise ParameterError(name, a.tolist(), {"demands": ">= 0", "scv": ">= 0", "visits": "in (0, 1]",
                                                    "servers": ">= 1 (inf: a delay)"}[name])
    m = D / v
    queue = (c < N) & (D > 0)
    mean, second = m.copy(), second_moment(m, s2)
    if queue.any():
        if throughputs is not None:
            X = np.asarray(throughputs, dtype=float)[:N - 1]
        else:
            X = mva(D, N - 1, think_time, c, history=True).throughput_by_population if N > 1 else []
        for k in np.flatnonzero(queue):
            p = marginals(D[k], c[k], X)
            mean[k], second[k] = _given_found(p, m[k], s2[k], c[k])
    labels = list(range(K)) if groups is None else list(groups)
    variance = 0.0
    for label in dict.fromkeys(labels):
        at = np.array([g == label for g in labels])
        variance += float(np.sum(v[at] * second[at]) - np.sum(v[at] * mean[at]) ** 2)
    return ResponseMoments(mean, second, max(variance, 0.0))


def _given_found(p, m, scv, c):
    """``(E[T], E[T^2])`` of one visit from the marginal ``p`` (module step 2)."""
    j = np.arange(p.size)
    e1 = m * (1 + scv) / 2
    var_e = e1**2 * (excess_ratio(m, second_moment(m, scv), third_moment(m, scv)) - 1) if m > 0 else 0.0
    waits = j >= c
    extra = np.maximum(j - c, 0)
    mean = m + np.where(waits, (e1 + extra * m) / c, 0.0)
    var = scv * m**2 + np.where(waits, (var_e + extra * scv * m**2) / c**2, 0.0)
    total = p.sum()
    return float(p @ mean) / total, float(p @ (var + mean**2)) / total


__all__ = ["ResponseMoments", "marginals", "response_moments"]
