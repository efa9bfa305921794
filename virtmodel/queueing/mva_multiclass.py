"""Exact multi-class Mean Value Analysis, one population level at a time."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from ._closed_network_input import (demands_array, network_kind, populations_array, servers_array,
                                    think_times_array, visits_array)
from ._closed_network_result import ClosedNetworkResult, build_closed_network
from .mva import exact_arithmetic


def multiclass_recursion(D, Z, delay, populations, kind):
    """Exact multi-class MVA; return ``(X, R)`` at the full population.

    ``D`` demands (K, C), ``Z`` think times (C,), ``delay`` (K,) True at delay
    stations, ``populations`` (C,) ints. The population vectors
    :math:`\\vec n \\le \\vec N` are numbered in mixed radix and processed by
    level :math:`|\\vec n|`: a level's vectors are solved together (one array
    expression per level, no loop per vector), reading the total queue lengths
    of their predecessors :math:`\\vec n - \\vec e_c` from the previous level.
    """
    _, tidy = exact_arithmetic(kind)
    dtype = object if kind == SYMBOLIC else float
    K, C = D.shape
    radix = populations + 1
    strides = np.array([int(np.prod(radix[c + 1:])) for c in range(C)])
    grid = np.indices(radix).reshape(C, -1).T  # row i is the vector with index i
    level = grid.sum(axis=1)
    order = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[order], np.arange(level.max() + 2))
    queue_D = (D * (~delay).astype(int)[:, None]).T[None]  # (1, C, K): demand that queues
    all_D = D.T[None]
    Q_total = np.zeros((grid.shape[0], K), dtype=dtype)
    for L in range(1, level.max() + 1):
        idx = order[bounds[L]:bounds[L + 1]]
        n = grid[idx]
        pred = np.where(n > 0, idx[:, None] - strides[None, :], 0)  # n - e_c (empty vector if n_c = 0)
        R = all_D + queue_D * Q_total[pred]  # (m, C, K): R_kc(n) = D_kc (1 + Q_k(n - e_c))
        X = n.astype(dtype) / (Z[None, :] + R.sum(axis=2))
        if tidy is not None:
            X, R = tidy(X), tidy(R)
        Q = (X[:, :, None] * R).sum(axis=1)
        Q_total[idx] = Q if tidy is None else tidy(Q)
    return X[0], R[0].T


def mva_multiclass(demands, populations, think_times=0, servers=1, *, visits=None) -> ClosedNetworkResult:
    """Exact multi-class Mean Value Analysis of a closed product-form network.

    With :math:`Q_k(\\vec 0) = 0`, for every population vector
    :math:`\\vec n \\le \\vec N` in order of :math:`|\\vec n|`:

    .. math::
        R_{kc}(\\vec n) = \\begin{cases}
          D_{kc}\\,\\bigl(1 + Q_k(\\vec n - \\vec e_c)\\bigr) & \\text{queueing station}\\\\
          D_{kc} & \\text{delay station}
        \\end{cases}, \\qquad
        X_c(\\vec n) = \\frac{n_c}{Z_c + \\sum_k R_{kc}(\\vec n)}, \\qquad
        Q_k(\\vec n) = \\sum_c X_c(\\vec n)\\,R_{kc}(\\vec n)

    Assumptions: a closed product-form (BCMP) network with C classes of
    :math:`N_c` customers each; single-server stations PS or LCFS-PR (any
    service distribution), or FCFS with exponential service times equal for all
    classes at the station; delay stations with any distribution. Cost:
    :math:`O(K C \\prod_c (N_c+1))` time and :math:`O(K \\prod_c (N_c+1))` memory,
    exponential in the number of classes: use :func:`mva_approx` for large
    populations.

    Parameters
    ----------
    demands : array_like (K, C), floats or SymPy expressions
        Service demand :math:`D_{kc}` of a class-c request at station k (s),
        >= 0, each class with a positive total.
    populations : array_like (C,) of int
        Customers per class :math:`N_c` (>= 0, total >= 1).
    think_times : float or array_like (C,), optional
        Think time :math:`Z_c` per class (s), >= 0.
    servers : 1, ``numpy.inf`` or array_like (K,) of them, optional
        1 for a queueing station, ``numpy.inf`` for a delay station.
    visits : array_like (K, C), optional, keyword only
        Visit ratios (> 0), only to report per-visit response times and station
        throughputs. Default: 1.

    Returns
    -------
    ClosedNetworkResult
        Per-station metrics as (K, C) arrays (stations x classes; sum over
        axis 1 for station totals), ``system_throughput`` and
        ``system_response_time`` (think time excluded) per class, shape (C,).

    Examples
    --------
    >>> r = mva_multiclass([[1.0, 2.0]], [1, 0])
    >>> r.system_throughput.tolist()
    [1.0, 0.0]

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
    c = servers_array(servers, K, multi_server=False)
    V = visits_array(visits, D.shape, kind, D)
    X, R = multiclass_recursion(D, Z, np.isinf(c), Ns, kind)
    return build_closed_network(
        model="exact multi-class MVA", kind=kind, population=Ns, think_time=Z, demands=D, visits=V,
        servers=c, system_throughput=X, residence_time=R)
