"""Exact single-class Mean Value Analysis, with queueing, multi-server and delay stations."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from ._closed_network_input import (demands_array, network_kind, populations_array, servers_array,
                                    think_times_array, visits_array)
from ._closed_network_result import ClosedNetworkResult, build_closed_network


def exact_arithmetic(kind):
    """``(number, tidy)`` for a kind: how to write constants and how to tidy each step.

    Numeric: floats, nothing to tidy. Symbolic: SymPy rationals, and ``cancel``
    per element so that every metric stays one rational function.
    """
    if kind != SYMBOLIC:
        return float, None
    import sympy as sp

    cancel = np.vectorize(sp.cancel, otypes=[object])
    return sp.Rational, cancel


def mva_recursion(D, Z, c, N, kind):
    """Run the exact MVA recursion for n = 1..N; return ``(X(1..N), R(N))``.

    ``D`` demands (K,), ``Z`` think time, ``c`` servers (K,) as floats (``inf``
    for delay), ``N`` population. Vectorized over stations; the same loop runs
    over float arrays or over object arrays of SymPy expressions.

    With M multi-server stations the network is solved together with its
    2**M sub-networks that lack some of them (a batch axis ``s``; bit ``i`` of
    ``s`` set = multi-server station ``i`` removed), because
    :math:`p_k(0\\mid n) = p_k(0\\mid n-1)\\,X(n)/X_{-k}(n)` needs the throughput
    of the network without station k: a product of positive factors, stable.
    """
    number, tidy = exact_arithmetic(kind)
    dtype = object if kind == SYMBOLIC else float
    multi = np.flatnonzero(np.isfinite(c) & (c > 1))
    M = multi.size
    S = 1 << M
    bits = (np.arange(S)[:, None] >> np.arange(M)[None, :]) & 1  # (S, M): 1 = removed
    present = np.ones((S, D.shape[0]), dtype=int)
    present[:, multi] = 1 - bits
    Ds = D[None, :] * present  # demands of every sub-network (S, K)
    per_server = np.array([number(1) / number(v) if np.isfinite(v) else 0 for v in c], dtype=dtype)
    queue_coef = Ds * per_server[None, :]  # D/c (0 at a delay station)
    base = Ds.copy()
    Q = np.zeros(Ds.shape, dtype=dtype)
    Xs = np.empty(N, dtype=dtype)
    cm = c[multi].astype(int)
    j = np.arange(max(cm, default=1))
    live = (j[None, :] >= 1) & (j[None, :] < cm[:, None])
    ratio = np.vectorize(lambda a, b: number(int(a)) / number(int(b)), otypes=[dtype])
    inv_j = ratio(live, np.maximum(j, 1)[None, :])[None]  # 1/j for 1 <= j < c, else 0
    w_corr = ratio(np.maximum(cm[:, None] - 1 - j[None, :], 0), 1)[None]  # c - 1 - j for j <= c - 2
    complement = np.arange(S)[:, None] | (1 << np.arange(M))[None, :]  # (S, M): s without station i
    P = np.zeros((S, M, j.size), dtype=dtype)
    P[:, :, 0] = 1  # p(0 | 0) = 1
    Dm, coef_m = Ds[:, multi], queue_coef[:, multi]
    # an empty sub-network has inv_X = Z/n: below 1/(float max) its 1/inv_X overflows to inf, and
    # inf * 0 (its R = 0) is NaN. Only a think time under N/(float max) gets there: checked once.
    tiny_z = dtype is float and 0 < Z < N / np.finfo(float).max
    for n in range(1, N + 1):
        if M:
            base[:, multi] = coef_m * (1 + (w_corr * P).sum(axis=2))
        R = base + queue_coef * Q
        inv_X = (Z + R.sum(axis=1)) / n  # 0 only for an empty sub-network
        if tiny_z:  # inv_X >= Z/n > 0, and 1/inv_X may overflow: keep X finite (its X * R is 0 there)
            with np.errstate(over="ignore"):
                X = np.minimum(1 / inv_X, np.finfo(float).max)
        else:
            X = 1 / np.where(inv_X == 0, 1, inv_X)
        if tidy is not None:
            X, R, inv_X = tidy(X), tidy(R), tidy(inv_X)
        Q = X[:, None] * R
        Xs[n - 1] = X[0]
        if M:
            p0 = P[:, :, 0] * X[:, None] * inv_X[complement]
            P[:, :, 1:] = (X[:, None] * Dm)[:, :, None] * inv_j[:, :, 1:] * P[:, :, :-1]
            P[:, :, 0] = p0
            if tidy is not None:
                P = tidy(P)
    return Xs, R[0]


def mva(demands, population, think_time=0, servers=1, *, visits=None) -> ClosedNetworkResult:
    """Exact Mean Value Analysis of a closed single-class product-form network.

    With :math:`Q_k(0) = 0`, for :math:`n = 1, \\dots, N`:

    .. math::
        R_k(n) = \\begin{cases}
          D_k\\,\\bigl(1 + Q_k(n-1)\\bigr) & \\text{queueing station } (c_k = 1)\\\\
          \\dfrac{D_k}{c_k}\\Bigl(1 + Q_k(n-1) + \\sum_{j=0}^{c_k-2}(c_k-1-j)\\,p_k(j\\mid n-1)\\Bigr)
            & \\text{multi-server station}\\\\
          D_k & \\text{delay station } (c_k = \\infty)
        \\end{cases}

    .. math::
        X(n) = \\frac{n}{Z + \\sum_k R_k(n)}, \\qquad Q_k(n) = X(n)\\,R_k(n)

    For a multi-server station only the marginal probabilities of fewer than
    :math:`c_k` busy servers are kept:
    :math:`p_k(j\\mid n) = \\frac{D_k X(n)}{j}\\,p_k(j-1\\mid n-1)` for
    :math:`1 \\le j < c_k`, and :math:`p_k(0\\mid n)` comes from the identity
    :math:`\\sum_{j<c_k}(c_k-j)\\,p_k(j\\mid n) = c_k\\,(1-U_k(n))`, not from
    :math:`1-\\sum_{j \\ge 1} p_k(j\\mid n)` (the subtraction that makes the
    textbook load-dependent recursion unstable at large populations).

    Assumptions: a closed product-form (BCMP) network with one class of
    :math:`N` statistically identical customers; each queueing or multi-server
    station FCFS with exponential service (or PS / LCFS-PR with any service
    distribution for single servers), delay stations with any distribution;
    service demand :math:`D_k = V_k S_k` (visits x mean service time) independent
    of the load. Cost: :math:`O(N K)` time (:math:`O(N \\sum_k c_k)` with
    multi-server stations), :math:`O(K + N)` memory.

    Parameters
    ----------
    demands : array_like (K,), floats or SymPy expressions
        Service demand :math:`D_k` of one request at each station (s), >= 0
        with a positive total. SymPy rationals or symbols give exact rational
        functions (keep :math:`N` small: the expressions grow with it).
    population : int
        Number of customers :math:`N` (>= 1).
    think_time : float or SymPy expression, optional
        Think time :math:`Z` at the terminals (s), >= 0.
    servers : int, ``numpy.inf`` or array_like (K,) of them, optional
        Servers :math:`c_k` per station: 1 (queueing), an integer > 1
        (multi-server), ``numpy.inf`` (delay station).
    visits : array_like (K,), optional, keyword only
        Visit ratios :math:`V_k` (> 0), used only to report per-visit response
        times and station throughputs; the demands already include them.
        Default: one visit per station.

    Returns
    -------
    ClosedNetworkResult
        Per-station ``throughput``, ``utilization``, ``number_in_system``,
        ``response_time`` (per visit) and ``residence_time`` (per request);
        ``system_throughput`` :math:`X(N)`, ``system_response_time``
        :math:`N/X - Z`, and ``throughput_by_population`` :math:`X(1..N)`.

    Examples
    --------
    >>> r = mva([0.2, 0.1], 1, think_time=0.7)
    >>> round(r.system_throughput, 12), round(r.system_response_time, 12)
    (1.0, 0.3)

    References
    ----------
    M. Reiser and S. S. Lavenberg, "Mean-value analysis of closed multichain
    queuing networks", J. ACM 27(2), 1980. E. D. Lazowska, J. Zahorjan,
    G. S. Graham and K. C. Sevcik, *Quantitative System Performance*,
    Prentice-Hall 1984, ch. 6 and 20. G. Bolch, S. Greiner, H. de Meer and
    K. S. Trivedi, *Queueing Networks and Markov Chains*, 2nd ed., Wiley 2006,
    sec. 8.2 (load-dependent MVA).
    """
    kind = network_kind(demands, think_time)
    D = demands_array(demands, kind, ndim=1)
    N = int(populations_array("population", population, 1, minimum=1)[0])
    Z = think_times_array("think_time", think_time, kind, 1)
    c = servers_array(servers, D.shape[0])
    V = visits_array(visits, D.shape, kind)
    Xs, R = mva_recursion(D, Z[0], c, N, kind)
    return build_closed_network(
        model="exact MVA", kind=kind, population=np.array([N]), think_time=Z, demands=D[:, None],
        visits=V[:, None], servers=c, system_throughput=Xs[-1:], residence_time=R[:, None],
        throughput_by_population=Xs, single_class=True)
