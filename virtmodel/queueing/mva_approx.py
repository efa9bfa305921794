"""Approximate Mean Value Analysis (Bard-Schweitzer) for large populations."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from .._validate import choice, positive, whole
from ..errors import SymbolicUnsupportedError
from ._closed_network_input import (demands_array, network_kind, populations_array, servers_array,
                                    think_times_array, visits_array)
from ._closed_network_result import ClosedNetworkResult, build_closed_network

METHODS = ("schweitzer",)


def schweitzer_fixed_point(D, Z, delay, Ns, tol, max_iter):
    """Iterate the Schweitzer equations; return ``(X, R, converged, iterations)``.

    ``D`` (K, C), ``Z`` (C,), ``delay`` (K,), ``Ns`` (C,). Vectorized over
    stations and classes; stops when no queue length moved by more than
    ``tol`` times its class population in one iteration.
    """
    queue_D = D * (~delay)[:, None]
    scale = np.maximum(Ns, 1).astype(float)
    Q = D / D.sum(axis=0) * Ns  # start: customers spread in proportion to demand
    converged = False
    for iteration in range(1, max_iter + 1):
        R = D + queue_D * (Q.sum(axis=1)[:, None] - Q / scale)  # Q_k(N - e_c) ~ Q_k - Q_kc / N_c
        X = Ns / (Z + R.sum(axis=0))
        Q_new = X * R
        change = np.max(np.abs(Q_new - Q) / scale)
        Q = Q_new
        if change <= tol:
            converged = True
            break
    return X, R, converged, iteration


def mva_approx(demands, populations, think_times=0, method="schweitzer", tol=1e-8, max_iter=10000, *,
               servers=1, visits=None) -> ClosedNetworkResult:
    """Approximate MVA (Bard-Schweitzer) of a closed product-form network.

    Exact MVA needs the queue lengths at population :math:`\\vec N - \\vec e_c`;
    Schweitzer's approximation takes them from the population :math:`\\vec N`
    itself, assuming that one customer fewer of class c reduces only class c's
    queue, in proportion:

    .. math::
        Q_k(\\vec N - \\vec e_c) \\approx Q_k(\\vec N) - \\frac{Q_{kc}(\\vec N)}{N_c},\\qquad
        R_{kc} = D_{kc}\\bigl(1 + Q_k(\\vec N - \\vec e_c)\\bigr),\\qquad
        X_c = \\frac{N_c}{Z_c + \\sum_k R_{kc}},\\qquad Q_{kc} = X_c R_{kc}

    solved by fixed-point iteration from queue lengths proportional to the
    demands, until :math:`\\max_{k,c} |\\Delta Q_{kc}| / N_c \\le` ``tol``.
    Cost per iteration :math:`O(KC)`, independent of the populations. The
    error against exact MVA is typically a few percent at most, largest at
    small and intermediate populations near the knee, and vanishes as the
    populations grow (both tend to the asymptotic bounds); it is exact for one
    customer in one class. Same assumptions as :func:`mva_multiclass`.

    Parameters
    ----------
    demands : array_like (K,) or (K, C)
        Service demands (s), >= 0, each class with a positive total; 1-D for one class.
    populations : int or array_like (C,) of int
        Customers per class (>= 0, total >= 1; >= 1 for one class).
    think_times : float or array_like (C,), optional
        Think time per class (s), >= 0.
    method : {"schweitzer"}
        The approximation (Bard-Schweitzer).
    tol : float
        Stopping tolerance on the largest queue-length change per iteration,
        relative to the class population (> 0).
    max_iter : int
        Largest number of iterations (>= 1).
    servers : 1, ``numpy.inf`` or array_like (K,) of them, optional, keyword only
        1 for a queueing station, ``numpy.inf`` for a delay station.
    visits : array_like, optional, keyword only
        Visit ratios, as in :func:`mva`.

    Returns
    -------
    ClosedNetworkResult
        As :func:`mva` (one class) or :func:`mva_multiclass`, with
        ``converged`` (bool), ``iterations`` and ``tol``.

    Examples
    --------
    >>> r = mva_approx([0.2, 0.1], 1, think_times=0.7)
    >>> r.converged, round(r.system_throughput, 9)
    (True, 1.0)

    References
    ----------
    P. Schweitzer, "Approximate analysis of multiclass closed networks of
    queues", Proc. Int. Conf. on Stochastic Control and Optimization,
    Amsterdam 1979. Y. Bard, "Some extensions to multiclass queueing network
    analysis", in Performance of Computer Systems, North-Holland 1979.
    E. D. Lazowska et al., *Quantitative System Performance*, 1984, sec. 6.4.2.
    """
    choice("method", method, METHODS)
    tol = float(positive("tol", tol, "scalar"))
    max_iter = whole("max_iter", max_iter, minimum=1)
    kind = network_kind(demands, think_times)
    if kind == SYMBOLIC:
        raise SymbolicUnsupportedError(
            "mva_approx is a numerical fixed-point iteration: pass numbers (use mva or mva_multiclass "
            "for exact symbolic results)")
    single = np.ndim(demands) <= 1
    D = demands_array(demands, kind, ndim=1)[:, None] if single else demands_array(demands, kind, ndim=2)
    K, C = D.shape
    Ns = populations_array("populations", populations, C, minimum=1 if single else 0)
    Z = think_times_array("think_times", think_times, kind, C)
    c = servers_array(servers, K, multi_server=False)
    V = visits_array(visits, (K,), kind, D[:, 0])[:, None] if single else visits_array(visits, D.shape, kind, D)
    X, R, converged, iterations = schweitzer_fixed_point(D, Z, np.isinf(c), Ns, tol, max_iter)
    return build_closed_network(
        model="approximate MVA (Bard-Schweitzer)", kind=kind, population=Ns, think_time=Z, demands=D,
        visits=V, servers=c, system_throughput=X, residence_time=R, converged=converged,
        iterations=iterations, tol=tol, single_class=single)
