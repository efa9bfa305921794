"""Exact multi-class Mean Value Analysis, one population level at a time."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from ._closed_network_input import (demands_array, network_kind, populations_array, think_times_array,
                                    visits_array)
from ._closed_network_result import ClosedNetworkResult, build_closed_network
from ._load_dependence import MAX_WORK, check_work, closed_stations
from .mva import exact_arithmetic


def multiclass_recursion(D, Z, stations, populations, kind):
    """Exact multi-class MVA; return ``(X, R, p0)`` at the full population.

    ``D`` demands (K, C), ``Z`` think times (C,), ``stations`` a
    :class:`~._load_dependence.Stations`, ``populations`` (C,) ints. The
    population vectors :math:`\\vec n \\le \\vec N` are numbered in mixed radix
    and processed by level :math:`|\\vec n|`: a level's vectors are solved
    together (one array expression per level, no loop per vector), reading
    their predecessors :math:`\\vec n - \\vec e_c` from the previous level.
    With M load-dependent stations every array has a sub-network axis of
    :math:`2^M` (as in :func:`~.mva.mva_recursion`): :math:`p_k(0\\mid\\vec n)
    = p_k(0\\mid\\vec n - \\vec e_c)\\,X_c(\\vec n)/X_{-k,c}(\\vec n)` for a class c
    present that visits station k. ``p0`` holds :math:`p_k(0\\mid\\vec N)` of
    the load-dependent stations.
    """
    number, tidy = exact_arithmetic(kind)
    dtype = object if kind == SYMBOLIC else float
    K, C = D.shape
    multi = stations.load_dependent
    M = multi.size
    S = 1 << M
    bits = (np.arange(S)[:, None] >> np.arange(M)[None, :]) & 1  # (S, M): 1 = removed
    present = np.ones((S, K), dtype=int)
    present[:, multi] = 1 - bits
    Ds = D.T[None] * present[:, None, :]  # (S, C, K)
    # D / alpha(L), 0 at a delay station; (S, 1, C, K)
    coef = (Ds * stations.inverse_tail_rate(number, dtype)[None, None, :])[:, None]
    base = np.where(stations.delay[None, None, None, :], Ds[:, None], coef)  # (S, 1, C, K)
    inv_rate, w_corr = stations.marginal_coefficients(number, dtype)  # (M, J)
    complement = np.arange(S)[:, None] | (1 << np.arange(M))[None, :]  # (S, M): s without station i
    radix = populations + 1
    strides = np.array([int(np.prod(radix[c + 1:])) for c in range(C)])
    grid = np.indices(radix).reshape(C, -1).T  # row i is the vector with index i
    level = grid.sum(axis=1)
    order = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[order], np.arange(level.max() + 2))
    Q_total = np.zeros((S, grid.shape[0], K), dtype=dtype)  # sub-network first: no transposes
    P = np.zeros((S, grid.shape[0], M, inv_rate.shape[1]), dtype=dtype)
    P[..., 0] = 1
    visits = (D[multi] != 0).T  # (C, M): class c visits load-dependent station i
    for L in range(1, level.max() + 1):
        idx = order[bounds[L]:bounds[L + 1]]
        n = grid[idx]
        pred = np.where(n > 0, idx[:, None] - strides[None, :], 0)  # n - e_c (empty vector if n_c = 0)
        Qp = Q_total[:, pred]  # (S, m, C, K): Q_k(n - e_c)
        R = base + coef * Qp  # R_kc(n) = D_kc (1 + Q_k(n - e_c)) at a queueing station
        if M:
            Pp = P[:, pred]  # (S, m, C, M, J): p_k(j | n - e_c)
            R[..., multi] += coef[..., multi] * (w_corr * Pp).sum(axis=-1)
        den = Z[None, None, :] + R.sum(axis=-1)  # (S, m, C); 0 only in a sub-network without class c
        nc = n[None].astype(dtype)
        X = np.where(den == 0, 0, nc / np.where(den == 0, 1, den))
        if tidy is not None:
            X, R = tidy(X), tidy(R)
        Q = (X[..., None] * R).sum(axis=2)
        Q_total[:, idx] = Q if tidy is None else tidy(Q)
        if M:
            P[:, idx] = _marginals(n, X, den, Pp, Ds[:, :, multi], inv_rate, visits, complement, tidy)
    p0 = P[0, order[-1], :, 0] if M else np.zeros(0)
    return X[0, 0], R[0, 0].T, p0


def _marginals(n, X, den, Pp, Dm, inv_rate, visits, complement, tidy):
    """:math:`p_k(j\\mid\\vec n)` of the load-dependent stations for one level, (S, m, M, J).

    :math:`p(j) = \\frac{1}{\\alpha(j)}\\sum_c D_c X_c\\,p(j-1\\mid\\vec n - \\vec e_c)`;
    :math:`p(0)` from the throughput ratio with the first present class visiting
    the station (none: the station stays empty, :math:`p(0)` as before).
    """
    S, m, C = X.shape
    M = Dm.shape[2]
    out = np.empty(Pp.shape[:2] + Pp.shape[3:], dtype=Pp.dtype)  # (S, m, M, J)
    XD = X[..., None] * Dm[:, None]  # (S, m, C, M)
    out[..., 1:] = (XD[..., None] * Pp[..., :-1]).sum(axis=2) * inv_rate[None, None, :, 1:]
    usable = (n[:, :, None] > 0) & visits[None]  # (m, C, M)
    chosen = np.argmax(usable, axis=1)  # (m, M): the first usable class
    any_usable = usable.any(axis=1)
    fallback = np.argmax(n > 0, axis=1)  # a present class (its predecessor is as good as any)
    c = np.where(any_usable, chosen, fallback[:, None])  # (m, M)
    sub = np.arange(S)[:, None, None]
    rows = np.arange(m)[None, :, None]
    st = np.arange(M)[None, None, :]
    cc = c[None]  # (1, m, M)
    prev = Pp[sub, rows, cc, st, 0]  # (S, m, M)
    inv_X_without = den[complement[:, None, :], rows, cc] / n[np.arange(m)[:, None], c][None]
    ratio = X[sub, rows, cc] * inv_X_without
    out[..., 0] = np.where(any_usable[None], prev * ratio, prev)
    return out if tidy is None else tidy(out)


def mva_multiclass(demands, populations, think_times=0, servers=1, *, visits=None, rates=None,
                   stations=None, classes=None, max_work=MAX_WORK) -> ClosedNetworkResult:
    """Exact multi-class Mean Value Analysis of a closed product-form network.

    With :math:`Q_k(\\vec 0) = 0`, for every population vector
    :math:`\\vec n \\le \\vec N` in order of :math:`|\\vec n|`:

    .. math::
        R_{kc}(\\vec n) = \\begin{cases}
          D_{kc}\\,\\bigl(1 + Q_k(\\vec n - \\vec e_c)\\bigr) & \\text{queueing station}\\\\
          D_{kc} \\sum_{j \\ge 1} \\frac{j}{\\alpha_k(j)}\\,p_k(j-1\\mid\\vec n - \\vec e_c)
            & \\text{load-dependent (c servers: } \\alpha_k(j) = \\min(j, c)\\text{)}\\\\
          D_{kc} & \\text{delay station}
        \\end{cases}, \\qquad
        X_c(\\vec n) = \\frac{n_c}{Z_c + \\sum_k R_{kc}(\\vec n)}, \\qquad
        Q_k(\\vec n) = \\sum_c X_c(\\vec n)\\,R_{kc}(\\vec n)

    with, at a load-dependent station,
    :math:`p_k(j\\mid\\vec n) = \\frac{1}{\\alpha_k(j)}\\sum_c D_{kc} X_c(\\vec n)\\,
    p_k(j-1\\mid\\vec n-\\vec e_c)`
    and :math:`p_k(0\\mid\\vec n) = p_k(0\\mid\\vec n-\\vec e_c)\\,X_c(\\vec n)/X_{-k,c}(\\vec n)`
    (the network without station k solved alongside: stable, no subtraction).

    Assumptions: a closed product-form (BCMP) network with C classes of
    :math:`N_c` customers each; single-server stations PS or LCFS-PR (any
    service distribution), or FCFS with exponential service times equal for all
    classes at the station (also for multi-server and load-dependent stations,
    whose rates depend only on the total number present); delay stations with
    any distribution. Cost: :math:`O(K C \\prod_c (N_c+1))` time and
    :math:`O(K \\prod_c (N_c+1))` memory, times :math:`2^M (1 + \\max_k L_k)`
    with M load-dependent stations: exponential in the number of classes. A run
    estimated above ``max_work`` steps is refused before it starts: use
    :func:`mva_approx` for large populations.

    Parameters
    ----------
    demands : array_like (K, C), floats or SymPy expressions
        Service demand :math:`D_{kc}` of a class-c request at station k (s),
        >= 0, each class with a positive total.
    populations : array_like (C,) of int
        Customers per class :math:`N_c` (>= 0, total >= 1).
    think_times : float or array_like (C,), optional
        Think time :math:`Z_c` per class (s), >= 0.
    servers : int, ``numpy.inf`` or array_like (K,) of them, optional
        Servers per station: 1 (queueing), an integer > 1 (multi-server),
        ``numpy.inf`` (delay station).
    visits : array_like (K, C), optional, keyword only
        Visit ratios (>= 0; 0 where the class never visits, with demand 0),
        only to report per-visit response times and station throughputs.
        Default: 1.
    rates : array_like (K, L), optional, keyword only
        Load-dependent rate multipliers :math:`\\alpha_k(1..L)`, as in :func:`mva`.
    stations, classes : sequence, optional, keyword only
        Labels for :meth:`~ClosedNetworkResult.to_dataset`.
    max_work : float or None, optional, keyword only
        As in :func:`mva` (default 2e8 steps).

    Returns
    -------
    ClosedNetworkResult
        Per-station metrics as (K, C) arrays (stations x classes; sum over
        axis 1 for station totals), ``system_throughput`` and
        ``system_response_time`` (think time excluded) per class, shape (C,);
        ``to_dataset()`` labels them by station and class. ``utilization`` is
        per server (:math:`X_c D_{kc}/c_k`), :math:`X_c D_{kc}` at a delay
        station, and at a station with ``rates`` the class's share
        :math:`(1 - p_k(0))\\,X_c D_{kc} / \\sum_{c'} X_{c'} D_{kc'}` of its busy probability.

    Examples
    --------
    >>> r = mva_multiclass([[1.0, 2.0]], [1, 0])
    >>> r.system_throughput.tolist()
    [1.0, 0.0]
    >>> r = mva_multiclass([[0.2, 0.4], [0.3, 0.1]], [2, 1], servers=[2, 1],
    ...                    stations=["cpu", "disk"], classes=["web", "batch"])
    >>> ds = r.to_dataset()
    >>> bool(ds.utilization.sel(station="cpu", **{"class": "web"}) == r.utilization[0, 0])
    True

    References
    ----------
    M. Reiser and S. S. Lavenberg, "Mean-value analysis of closed multichain
    queuing networks", J. ACM 27(2), 1980. E. D. Lazowska et al., *Quantitative
    System Performance*, Prentice-Hall 1984, ch. 7.
    """
    kind = network_kind(demands, think_times)
    D = demands_array(demands, kind, ndim=2)
    K, C = D.shape
    Ns = populations_array("populations", populations, C, minimum=0)
    Z = think_times_array("think_times", think_times, kind, C)
    layout = closed_stations(servers, rates, K, int(Ns.sum()), kind)
    V = visits_array(visits, D.shape, kind, D)
    check_work("populations", Ns.tolist(), multiclass_work(layout, Ns, K), max_work,
               "use mva_approx for large populations")
    X, R, p0 = multiclass_recursion(D, Z, layout, Ns, kind)
    busy = {k: X * D[k] / a for k, a in layout.constant_rate().items()}
    if rates is not None:  # each class's share of the busy probability 1 - p(0)
        for i, k in enumerate(layout.load_dependent):
            work = X * D[k]
            busy[int(k)] = (1 - p0[i]) * work / work.sum()
    return build_closed_network(
        model="exact multi-class MVA", kind=kind, population=Ns, think_time=Z, demands=D, visits=V,
        servers=layout.servers, system_throughput=X, residence_time=R, busy_probability=busy,
        service=D / layout.first_rate()[:, None],
        station_labels=stations, class_labels=classes)


def multiclass_work(stations, populations, K):
    """Estimated steps of :func:`multiclass_recursion`: vectors x sub-networks x (C K + C M J)."""
    vectors = float(np.prod(populations.astype(float) + 1))
    M = stations.load_dependent.size
    J = max((len(stations.rates[k]) for k in stations.load_dependent), default=1)
    return vectors * (1 << M) * populations.size * (K + M * J)
