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

   *Step 1b, shaped by the flows* (where a service or the stream reaching a station is not
   exponential). The product form gives every queue the spread of an exponential service fed by a
   Poisson stream; a constant-time bottleneck feeds the rest of the cycle a nearly regular stream,
   and nobody's queue spreads as much. With the arrival SCVs :math:`c_a^2` around the cycle
   (:func:`~virtmodel.queueing.flow_scv.cycle_arrival_scvs`, QNA's linking equations at MVA's
   throughput :math:`X(N)`), each station's factor of the product form is reshaped by an exponent
   :math:`\\alpha_k` (:func:`_weights`): a queue keeps :math:`f_k(n)` up to its :math:`c_k` servers
   and continues geometrically with ratio :math:`(D_k\\theta/c_k)^{\\alpha_k}`,
   :math:`\\alpha_k = 2/(c_{a,k}^2 + c_{s,k}^2)` (the heavy-traffic queue grows as
   :math:`(c_a^2+c_s^2)/2` times the exponential one: Kingman's scaling); an infinite server takes
   :math:`f_k(n)^{\\alpha_k}`, :math:`\\alpha_k = 1/(c_a^2 + c_s^2 (1-c_a^2)/2)` (its count's
   dispersion: Poisson's 1 under Poisson arrivals, :math:`c_a^2` for equal delays), the think stage
   likewise with :math:`c_s^2 = 1`. The marginals are then the shaped product form's,
   :math:`p_k(j\\mid N-1) \\propto f_k(j)\\,G_{-k}(N-1-j)` (tilt :math:`\\theta = X(N-1)`), and step 4
   uses the same factors. A diffusion-style product form in the manner of Kobayashi (1974) and Reiser
   and Kobayashi (1974), with QNA's flows; where every service is exponential every
   :math:`\\alpha_k = 1` and nothing changes (step 1 as it is).
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
4. **Plus the residences' covariance.** The residences of one request are not independent: one
   that found a long queue at one station finds few customers at the next. In a closed network of
   exponential single servers that a request crosses in a fixed order (an overtake-free path), the
   sojourn times have a product form (Schassberger and Daduna 1983; Boxma, Kelly and Konheim 1984):
   given the state :math:`n` that the request finds as it sets out, distributed as the network with
   :math:`N-1` customers, its residences are independent, the one at station :math:`k` depending on
   :math:`n_k` only. Hence, with :math:`h_k(j) = v_k(E[T_k\\mid j] - m_k)` and
   :math:`H_g = \\sum_{k\\in g} h_k(n_k)` per group,

   .. math::
       \\mathrm{Var}(T) = \\text{step 3} + \\mathrm{Var}\\Big(\\sum_g H_g\\Big) - \\sum_g \\mathrm{Var}(H_g),

   the covariances :math:`2\\sum_{g<g'}\\mathrm{Cov}(H_g, H_{g'})` under the product form
   :math:`\\pi_{N-1}(n) \\propto \\prod_k f_k(n_k)`, :math:`f_k(n) = D_k^n/\\beta_k(n)`,
   :math:`\\beta_k(n) = \\prod_{i\\le n}\\min(i, c_k)` (the think time a delay, :math:`Z^n/n!`).
   :math:`\\mathrm{Var}(\\sum_g H_g)` comes from one pass of convolutions of the triples
   :math:`(f_k, f_k h_k, f_k h_k^2)` (Leibniz' rule), each :math:`f_k` tilted by :math:`X(N-1)^n`
   and scaled to a maximum of 1 (a common factor of every state); a one-station group's
   :math:`\\mathrm{Var}(H_g)` from its marginal. If the constant still cannot be represented the
   correction is left out (step 3 alone). Cost :math:`O(K N^2)`: 0.15 ms at N = 200 and 0.1 s at
   5,000 for four stations.

Exact for exponential service at single-server and delay stations crossed in a fixed order, any
number of them, with or without think time (``tests/queueing/test_mva_response_variance.py``
enumerates the product form's states). For multi-server stations (which can be overtaken in) and
non-exponential service the product form, its shaping (step 1b), the excess at an arrival and step
4's conditional independence are approximations; the means here then differ from MVA's (which take
:math:`e_1 = m`), and the closed model uses MVA's mean with this variance. Measured against the
event engine of :mod:`virtmodel.simulate` with a request's fixed route (1-3 stations, one of them
with two servers, N = 1-64, with and without think time), model / simulation - 1:

==========  ====================  ====================  ====================
service     variance, step 1b     variance, before 1b   p99 (gamma fit)
SCV                                                     with 1b (before)
==========  ====================  ====================  ====================
1           -5%..+7%              the same              -2%..+6% (the same)
0.25        -5%..+15%             0..+34%               -2%..+10% (+13%)
4           -13%..+31%            -11%..+31%            -9%..+14% (+13%)
0.02        -13%..+206%           up to +617%           0..+26% (+42%)
==========  ====================  ====================  ====================

What is left is largest with no think time and few customers (three stations, SCV 0.02, 4
customers: variance +136%, p99 +26%): a nearly deterministic loop with a few customers falls into a
nearly periodic pattern, which no product form describes. With the stations independent (steps
1-3 only) the variance was up to +60% (SCV 1) and +254% (SCV 0.25) and the p99 up to +29%.

References: M. Reiser and S. S. Lavenberg, J. ACM 27(2), 1980 (MVA, the arrival theorem);
H. Kobayashi, J. ACM 21(2), 1974, and M. Reiser and H. Kobayashi, IBM J. Res. Dev. 18(2), 1974
(diffusion approximations: a product form of per-station two-moment queue-length distributions);
W. Whitt, Bell System Technical Journal 62(9), 1983 (QNA's flows);
K. C. Sevcik and I. Mitrani, J. ACM 28(2), 1981 (the arrival theorem); G. Bolch et al.,
*Queueing Networks and Markov Chains*, 2nd ed., Wiley 2006, sec. 8.2 (marginal probabilities
of load-dependent MVA); R. Schassberger and H. Daduna, J. ACM 30(1), 1983, and O. J. Boxma, F. P.
Kelly and A. G. Konheim, J. ACM 31(1), 1984 (the product form of sojourn times along an
overtake-free path).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from ._moments import excess_ratio, second_moment, third_moment
from .flow_scv import cycle_arrival_scvs
from .mva import mva

#: shape exponents this close to 1 are 1 (the exponential network, exactly)
_EXPONENTIAL = 1e-9
#: the narrowest spread a stage's SCVs may give (1/alpha)
_NARROWEST = 1e-3

@dataclass(frozen=True)
class ResponseMoments:
    """Per-visit residence moments per station and the cycle's response-time variance."""

    mean: np.ndarray      # (K,) E[T_k] per visit
    second: np.ndarray    # (K,) E[T_k^2] per visit
    variance: float       # Var of the response time per cycle (with the residences' covariance, groups alternatives)


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
        ``throughput_by_population``), spared a run of :func:`~virtmodel.queueing.mva`; with
        :math:`n \\ge N` the flows of step 1b are taken at :math:`X(N)`, else at :math:`X(N-1)`.
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
    found, weights, labels = {}, None, list(range(K)) if groups is None else list(groups)
    if queue.any():
        if throughputs is not None:
            X = np.asarray(throughputs, dtype=float)[:N]
        else:
            X = mva(D, N, think_time, c, history=True).throughput_by_population
        shape = None
        if N > 1:
            at = np.where(queue, c, np.inf)
            shape = _shape_exponents(m, at, s2, v, labels, X[min(N, X.size) - 1], think_time)
            weights = _product_form(D, at, N - 1, think_time, X[N - 2], shape)
        for k in np.flatnonzero(queue):
            p = None if shape is None else _shaped_marginal(weights, k)
            found[k] = p = marginals(D[k], c[k], X[:N - 1]) if p is None else p
            mean[k], second[k] = _given_found(p, m[k], s2[k], c[k])
    variance = 0.0
    for label in dict.fromkeys(labels):
        at = np.array([g == label for g in labels])
        variance += float(np.sum(v[at] * second[at]) - np.sum(v[at] * mean[at]) ** 2)
    if N > 1 and len({labels[k] for k in found}) > 1:
        variance += _covariance_terms(weights, m, s2, c, v, labels, found, N - 1)
    return ResponseMoments(mean, second, max(variance, 0.0))


def _weights(demand, servers, population, theta, shape=1.0):
    """:math:`f(n)`, :math:`n = 0..`\\ ``population``, scaled to a maximum of 1 (steps 1b and 4).

    The product form's :math:`f(n) = (D\\theta)^n/\\beta(n)`, :math:`\\beta(n) = \\prod_{i\\le n}\\min(i, c)`
    (a delay, ``servers`` inf, :math:`n!`), with the shape exponent :math:`\\alpha` (``shape``, step 1b):
    a queue's tail beyond its :math:`c` servers :math:`f(c)\\,(D\\theta/c)^{\\alpha(n-c)}`, a delay's
    :math:`f(n)^{\\alpha}`; :math:`\\alpha = 1` is the product form itself."""
    n = np.arange(population + 1)
    if demand <= 0:
        return (n == 0).astype(float)
    rates = np.minimum(n[1:], servers) if np.isfinite(servers) else n[1:]
    logs = n * np.log(demand * theta) - np.concatenate(([0.0], np.cumsum(np.log(rates))))
    if shape != 1.0:
        if np.isfinite(servers):
            c = int(servers)
            logs[c + 1:] = logs[c] + shape * (n[c + 1:] - c) * np.log(demand * theta / servers)
        else:
            logs = shape * logs
    return np.exp(logs - logs.max())


def _shape_exponents(means, servers, scv, visits, labels, throughput, think):
    """Step 1b: :math:`\\alpha_k` per station and :math:`\\alpha_Z` of the think stage, or None where
    every one is 1 (the exponential network: the product form as it is).

    From the arrival SCVs around the cycle (:func:`~.flow_scv.cycle_arrival_scvs`): a queue
    :math:`\\alpha = 2/(c_a^2 + c_s^2)`, a delay :math:`1/(c_a^2 + c_s^2 (1 - c_a^2)/2)`, the
    exponential think stage the same with :math:`c_s^2 = 1`."""
    arrivals, to_think = cycle_arrival_scvs(means, servers, scv, throughput, visits=visits, groups=labels,
                                            think_time=think)
    delay = ~np.isfinite(servers)
    spread = np.where(delay, arrivals + scv * (1 - arrivals) / 2, (arrivals + scv) / 2)
    exponents = np.append(1.0 / np.maximum(spread, _NARROWEST), 1.0 / max((1 + to_think) / 2, _NARROWEST))
    exponents[np.abs(exponents - 1.0) < _EXPONENTIAL] = 1.0
    return None if np.all(exponents == 1.0) else exponents


def _product_form(D, servers, population, think, theta, shape):
    """The weights of the stations a customer can be at (the think stage last), ``population``
    customers, each tilted by :math:`\\theta^n` (steps 1b and 4)."""
    alpha = np.ones(D.size + 1) if shape is None else shape
    theta = theta if theta > 0 else 1.0  # any tilt theta^n leaves an unshaped product form as it is
    weights = [_weights(D[k], servers[k], population, theta, alpha[k]) for k in range(D.size)]
    if think > 0:
        weights.append(_weights(think, np.inf, population, theta, alpha[-1]))
    return weights


def _shaped_marginal(weights, k):
    """:math:`p_k(j\\mid N-1) \\propto f_k(j)\\,G_{-k}(N-1-j)` of the shaped product form (step 1b), or
    None if it cannot be represented (the caller falls back to step 1's marginal)."""
    L = weights[k].size
    others = np.zeros(L)
    others[0] = 1.0
    for i, f in enumerate(weights):
        if i != k:
            others = np.convolve(others, f)[:L]
            others /= others.max()
    p = weights[k] * others[::-1]
    total = p.sum()
    return p / total if np.isfinite(total) and total > 0 else None  # None: under- or overflow, step 1 instead


def _sum_variance(weights, waits, population):
    """:math:`\\mathrm{Var}(\\sum_k h_k(n_k))` under the product form at ``population`` (step 4); NaN if
    the normalising constant under- or overflows.

    Convolves per station the triple :math:`(f, f h, f h^2)` by Leibniz' rule, so that at index
    ``population`` it holds :math:`G`, :math:`G\\,E[S]` and :math:`G\\,E[S^2]` of
    :math:`S = \\sum_k h_k(n_k)`."""
    L = population + 1

    def conv(x, y):
        return np.convolve(x, y)[:L]

    total = None
    for f, h in zip(weights, waits):
        triple = (f, f * h, f * h * h) if h is not None else (f, None, None)
        if total is None:
            total = triple
        elif triple[1] is None:
            total = tuple(None if t is None else conv(t, f) for t in total)
        elif total[1] is None:
            total = (conv(total[0], f), conv(total[0], triple[1]), conv(total[0], triple[2]))
        else:
            a0, a1, a2 = total
            b0, b1, b2 = triple
            total = (conv(a0, b0), conv(a1, b0) + conv(a0, b1), conv(a2, b0) + 2 * conv(a1, b1) + conv(a0, b2))
    g = total[0][population]
    if total[1] is None:
        return 0.0
    if not (np.isfinite(g) and g > 0):
        return float("nan")
    s1, s2 = total[1][population] / g, total[2][population] / g
    return float(s2 - s1 * s1)


def _waits(p, m, scv, c, v):
    """:math:`h(j) = v\\,(E[T\\mid j] - m)`, :math:`j = 0..`\\ ``p.size - 1``: the part of a visit's
    expected residence that depends on the customers found (module step 2)."""
    j = np.arange(p.size)
    e1 = m * (1 + scv) / 2
    return v * np.where(j >= c, (e1 + np.maximum(j - c, 0) * m) / c, 0.0)


def _covariance_terms(weights, m, scv, c, v, labels, found, population):
    """:math:`2\\sum_{g<g'}\\mathrm{Cov}(H_g, H_{g'})`, the residences' correlation across groups (step 4):
    :math:`\\mathrm{Var}(\\sum_g H_g) - \\sum_g \\mathrm{Var}(H_g)`, the first by convolution of the
    product form's ``weights`` (:func:`_product_form`: one per station, the think stage last), each
    :math:`\\mathrm{Var}(H_g)` of a one-station group from its marginal :math:`p_k(\\cdot\\mid N-1)`.
    Zero (the stations independent) if the product form's constant cannot be represented."""
    held = [k for k in range(m.size) if m[k] > 0]  # the stations customers can be at (the think time last)
    waits = [_waits(found[k], m[k], scv[k], c[k], v[k]) if k in found else None for k in held]
    weights = [weights[k] for k in held] + weights[m.size:]
    waits += [None] * (len(weights) - len(held))
    together = _sum_variance(weights, waits, population)
    apart = 0.0
    for label in dict.fromkeys(labels[k] for k in found):
        members = [k for k in found if labels[k] == label]
        if len(members) == 1:
            k = members[0]
            p = found[k] / found[k].sum()
            h = _waits(p, m[k], scv[k], c[k], v[k])
            apart += float(p @ (h * h) - (p @ h) ** 2)
        else:
            only = [w if k in members else None for k, w in zip(held, waits)] + waits[len(held):]
            apart += _sum_variance(weights, only, population)
    correction = together - apart
    return correction if np.isfinite(correction) else 0.0


def _given_found(p, m, scv, c):
    """``(E[T], E[T^2])`` of one visit from the marginal ``p`` (module step 2)."""
    j = np.arange(p.size)
    e1 = m * (1 + scv) / 2
    var_e = e1**2 * (excess_ratio(m, second_moment(m, scv), third_moment(m, scv)) - 1) if m > 0 else 0.0
    mean = m + _waits(p, m, scv, c, 1.0)
    var = scv * m**2 + np.where(j >= c, (var_e + np.maximum(j - c, 0) * scv * m**2) / c**2, 0.0)
    total = p.sum()
    return float(p @ mean) / total, float(p @ (var + mean**2)) / total


__all__ = ["ResponseMoments", "marginals", "response_moments"]
