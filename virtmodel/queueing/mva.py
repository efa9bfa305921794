"""Exact single-class Mean Value Analysis, with queueing, multi-server and delay stations."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from ._closed_network_input import (demands_array, network_kind, populations_array, think_times_array,
                                    visits_array)
from ._closed_network_result import ClosedNetworkResult, build_closed_network
from ._load_dependence import MAX_WORK, check_work, closed_stations
from ._mva_kernel import queueing_kernel


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


def mva_recursion(D, Z, stations, N, kind, history=False):
    """Run the exact MVA recursion for n = 1..N; return ``(X(N), R(N), p0(N), X(1..N) or None)``.

    ``D`` demands (K,), ``Z`` think time, ``stations`` a :class:`~._load_dependence.Stations`
    (rate multipliers :math:`\\alpha_k(j)` per station), ``N`` population.
    Vectorized over stations; the same loop runs over float arrays or over
    object arrays of SymPy expressions. ``p0`` holds :math:`p_k(0\\mid N)` of
    the load-dependent stations (in the order of ``stations.load_dependent``).

    With M load-dependent stations the network is solved together with its
    2**M sub-networks that lack some of them (a batch axis ``s``; bit ``i`` of
    ``s`` set = load-dependent station ``i`` removed), because
    :math:`p_k(0\\mid n) = p_k(0\\mid n-1)\\,X(n)/X_{-k}(n)` needs the throughput
    of the network without station k: a product of positive factors, stable.
    """
    number, tidy = exact_arithmetic(kind)
    dtype = object if kind == SYMBOLIC else float
    multi = stations.load_dependent
    M = multi.size
    S = 1 << M
    bits = (np.arange(S)[:, None] >> np.arange(M)[None, :]) & 1  # (S, M): 1 = removed
    present = np.ones((S, D.shape[0]), dtype=int)
    present[:, multi] = 1 - bits
    Ds = D[None, :] * present  # demands of every sub-network (S, K)
    queue_coef = Ds * stations.inverse_tail_rate(number, dtype)[None, :]  # D / alpha(L) (0 at a delay)
    base = np.where(stations.delay[None, :], Ds, queue_coef)
    Q = np.zeros(Ds.shape, dtype=dtype)
    Xs = np.empty(N, dtype=dtype) if history else None
    inv_rate, w_corr = stations.marginal_coefficients(number, dtype)  # (M, J) each
    inv_rate, w_corr = inv_rate[None], w_corr[None]
    complement = np.arange(S)[:, None] | (1 << np.arange(M))[None, :]  # (S, M): s without station i
    P = np.zeros((S, M, inv_rate.shape[2]), dtype=dtype)
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
        if history:
            Xs[n - 1] = X[0]
        if M:
            p0 = P[:, :, 0] * X[:, None] * inv_X[complement]
            P[:, :, 1:] = (X[:, None] * Dm)[:, :, None] * inv_rate[:, :, 1:] * P[:, :, :-1]
            P[:, :, 0] = p0
            if tidy is not None:
                P = tidy(P)
    return X[0], R[0], P[0, :, 0], Xs


def mva(demands, population, think_time=0, servers=1, *, visits=None, rates=None, history=False,
        max_work=MAX_WORK, stations=None) -> ClosedNetworkResult:
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

    A general load-dependent station (``rates``), served at :math:`\\alpha_k(j)`
    times the rate of one server with :math:`j` customers present (constant
    after the last given :math:`\\alpha_k(L)`), has
    :math:`R_k(n) = D_k \\sum_{j=1}^{n} \\frac{j}{\\alpha_k(j)}\\,p_k(j-1\\mid n-1)`,
    computed as :math:`\\frac{D_k}{\\alpha_k(L)}\\bigl(1 + Q_k(n-1) + \\sum_{i \\le L-2}
    (i+1)(\\frac{\\alpha_k(L)}{\\alpha_k(i+1)} - 1)\\,p_k(i\\mid n-1)\\bigr)`; the
    multi-server case is :math:`\\alpha_k(j) = \\min(j, c_k)`.

    For a multi-server station only the marginal probabilities of fewer than
    :math:`c_k` busy servers are kept:
    :math:`p_k(j\\mid n) = \\frac{D_k X(n)}{j}\\,p_k(j-1\\mid n-1)` for
    :math:`1 \\le j < c_k`, and :math:`p_k(0\\mid n)` comes from the identity
    :math:`\\sum_{j<c_k}(c_k-j)\\,p_k(j\\mid n) = c_k\\,(1-U_k(n))`, not from
    :math:`1-\\sum_{j \\ge 1} p_k(j\\mid n)` (the subtraction that makes the
    textbook load-dependent recursion unstable at large populations): for a
    general load-dependent station :math:`p_k(0\\mid n) = p_k(0\\mid n-1)\\,X(n)/X_{-k}(n)`
    with :math:`X_{-k}` the throughput of the network without station k (solved
    alongside, :math:`2^M` sub-networks for M load-dependent stations). A
    station with :math:`c_k \\ge N` servers is a delay station (no one waits).

    Assumptions: a closed product-form (BCMP) network with one class of
    :math:`N` statistically identical customers; each queueing or multi-server
    station FCFS with exponential service (or PS / LCFS-PR with any service
    distribution for single servers), delay stations with any distribution;
    service demand :math:`D_k = V_k S_k` (visits x mean service time) independent
    of the load. Cost: :math:`O(N K)` time and :math:`O(K)` memory
    (:math:`O(N)` more with ``history``); with M multi-server or load-dependent
    stations :math:`O(N\\,2^M (K + \\sum_k c_k))`. A run estimated above
    ``max_work`` steps (:math:`N (K + 40)`, or :math:`N (200 + 2^M (K + M \\max_k L_k))`)
    is refused before it starts: use :func:`mva_approx` for large populations.

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
        (multi-server), ``numpy.inf`` (delay station). Any :math:`c_k \\ge N`
        is a delay station at population :math:`N`.
    visits : array_like (K,), optional, keyword only
        Visit ratios :math:`V_k` (> 0), used only to report per-visit response
        times and station throughputs; the demands already include them.
        Default: one visit per station. A visit ratio of 0 (a station never
        visited) needs a demand of 0.
    rates : array_like (K, L), optional, keyword only
        Load-dependent service-rate multipliers :math:`\\alpha_k(1), \\dots,
        \\alpha_k(L)` (> 0) per station, :math:`\\alpha_k(j) = \\alpha_k(L)` for
        :math:`j > L`; a row of ones is a queueing station, ``min(j, c)`` a
        c-server station. ``servers`` then only marks delay stations (inf).
    history : bool, optional, keyword only
        Keep :math:`X(1..N)` as ``throughput_by_population`` (default: no).
    max_work : float or None, optional, keyword only
        Refuse runs estimated above this many steps (default 2e8, a few
        seconds); ``None`` for no limit.
    stations : sequence, optional, keyword only
        Labels for :meth:`~ClosedNetworkResult.to_dataset`.

    Returns
    -------
    ClosedNetworkResult
        Per-station ``throughput``, ``utilization``, ``number_in_system``,
        ``response_time`` (per visit) and ``residence_time`` (per request);
        ``system_throughput`` :math:`X(N)`, ``system_response_time``
        :math:`N/X - Z`, ``waiting_time`` (response time minus service time)
        and, with ``history``, ``throughput_by_population`` :math:`X(1..N)`.
        ``utilization`` is per server (:math:`X D_k / c_k`), the mean number
        of busy servers :math:`X D_k` at a delay station, and the probability
        :math:`1 - p_k(0)` of being busy at a general load-dependent station.

    Examples
    --------
    >>> r = mva([0.2, 0.1], 1, think_time=0.7)
    >>> round(r.system_throughput, 12), round(r.system_response_time, 12)
    (1.0, 0.3)
    >>> two_servers = mva([0.2, 0.1], 3, rates=[[1, 2], [1, 1]])
    >>> two = mva([0.2, 0.1], 3, servers=[2, 1])
    >>> bool(abs(two_servers.system_throughput - two.system_throughput) < 1e-12)
    True

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
    layout = closed_stations(servers, rates, D.shape[0], N, kind)
    V = visits_array(visits, D.shape, kind, demands=D)
    check_work("population", N, layout.work(N, D.shape[0]), max_work,
               "use mva_approx for large populations")
    if kind != SYMBOLIC and layout.load_independent:
        scaled = np.where(layout.delay, D, D * layout.inverse_tail_rate(float, float))  # D / alpha
        X, R, Xs = _load_independent(scaled, Z[0], layout.delay, N, history)
        p0 = np.zeros(0)
    else:
        X, R, p0, Xs = mva_recursion(D, Z[0], layout, N, kind, history)
    # the utilization of a station with rates: the probability 1 - p(0) that it is busy
    # (X D / alpha at a constant rate alpha)
    busy = {k: X * D[k] / a for k, a in layout.constant_rate().items()}
    busy.update({int(k): 1 - p0[i] for i, k in enumerate(layout.load_dependent) if rates is not None})
    return build_closed_network(
        model="exact MVA", kind=kind, population=np.array([N]), think_time=Z, demands=D[:, None],
        visits=V[:, None], servers=layout.servers, system_throughput=np.array([X]),
        residence_time=R[:, None],
        throughput_by_population=None if Xs is None else np.array(Xs, dtype=object if kind == SYMBOLIC
                                                                   else float),
        busy_probability=busy, service=(D / layout.first_rate())[:, None], station_labels=stations,
        single_class=True)


def _load_independent(D, Z, delay, N, history):
    """Queueing and delay stations only, floats: the fast kernel over the queueing stations."""
    queue = ~delay & (D > 0)
    X, Rq, Xs = queueing_kernel(D[queue], Z + D[delay].sum(), N, history) if queue.any() else \
        _delay_only(Z + D[delay].sum(), N, history)
    R = np.where(delay, D, 0.0)
    R[queue] = Rq
    return X, R, Xs


def _delay_only(Z, N, history):
    """No station queues: :math:`X(n) = n / (Z + \\sum_k D_k)`."""
    return N / Z, np.zeros(0), ([n / Z for n in range(1, N + 1)] if history else None)
