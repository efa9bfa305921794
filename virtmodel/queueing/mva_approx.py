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
    """Iterate the Schweitzer equations; return ``(X, R, converged, iterations, accuracy)``.

    ``D`` (K, C), ``Z`` (C,), ``delay`` (K,), ``Ns`` (C,). Vectorized over
    stations and classes. ``accuracy`` estimates the largest relative distance
    of the last ``R`` and ``X`` to the fixed point (see :func:`_distance_to_fixed_point`);
    the iteration stops when it is <= ``tol``.
    """
    queue_D = D * (~delay)[:, None]
    scale = np.maximum(Ns, 1).astype(float)
    Q = D / D.sum(axis=0) * Ns  # start: customers spread in proportion to demand
    converged, accuracy, previous = False, np.inf, np.inf
    X, R = np.zeros(Ns.shape), np.zeros(D.shape)
    for iteration in range(1, max_iter + 1):
        R_new = D + queue_D * (Q.sum(axis=1)[:, None] - Q / scale)  # Q_k(N - e_c) ~ Q_k - Q_kc / N_c
        X_new = Ns / (Z + R_new.sum(axis=0))
        change = max(_relative_change(R_new, R), _relative_change(X_new, X))
        X, R = X_new, R_new
        Q = X * R
        accuracy = _distance_to_fixed_point(change, previous)
        previous = change
        if accuracy <= tol:
            converged = True
            break
    return X, R, converged, iteration, accuracy


def _relative_change(new, old):
    """Largest :math:`|new - old| / new` over the positive entries."""
    positive = new > 0
    return float(np.max(np.abs(new - old)[positive] / new[positive], initial=0.0))


def _distance_to_fixed_point(change, previous):
    """Error bound of a linearly converging iteration from its last two steps.

    With contraction factor :math:`\\rho \\approx \\delta_i / \\delta_{i-1}` the
    distance left is :math:`\\sum_{j \\ge 1} \\rho^j \\delta_i = \\delta_i\\,\\rho/(1-\\rho)`;
    ``inf`` while the steps do not shrink. A step at rounding level (a few
    ulps) is its own bound: the iteration cannot get closer.
    """
    if change <= 8 * np.finfo(float).eps:
        return change
    rho = change / previous  # the first step has no previous one (inf): no estimate yet
    return change * rho / (1 - rho) if 0 < rho < 1 else np.inf


def mva_approx(demands, populations, think_times=0, method="schweitzer", tol=1e-8, max_iter=10000, *,
               servers=1, visits=None, stations=None, classes=None) -> ClosedNetworkResult:
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
    demands. The stopping rule is stated in the quantities users read: with
    :math:`\\delta_i` the largest relative change of any response time
    :math:`R_{kc}` or throughput :math:`X_c` in iteration i and
    :math:`\\rho = \\delta_i/\\delta_{i-1}` the observed contraction, the
    iteration stops when its estimated distance to the fixed point,
    :math:`\\delta_i\\,\\rho/(1-\\rho)`, is at most ``tol`` (reported as
    ``accuracy``, with ``iterations`` and ``converged``).
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
        Target relative accuracy of every response time and throughput against
        the fixed point of the equations (> 0); default :math:`10^{-8}`. (The
        fixed point's own error against exact MVA is the approximation's.)
    max_iter : int
        Largest number of iterations (>= 1).
    servers : 1, ``numpy.inf`` or array_like (K,) of them, optional, keyword only
        1 for a queueing station, ``numpy.inf`` for a delay station.
    visits : array_like, optional, keyword only
        Visit ratios, as in :func:`mva`.
    stations, classes : sequence, optional, keyword only
        Labels for :meth:`~ClosedNetworkResult.to_dataset` (class names: several classes only).

    Returns
    -------
    ClosedNetworkResult
        As :func:`mva` (one class) or :func:`mva_multiclass`, with
        ``converged`` (bool), ``iterations``, ``tol`` and ``accuracy`` (the
        estimated relative distance to the fixed point reached).

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
    V = visits_array(visits, (K,), kind, D[:, 0])[:, None] if single else \
        visits_array(visits, D.shape, kind, D)
    X, R, converged, iterations, accuracy = schweitzer_fixed_point(D, Z, np.isinf(c), Ns, tol, max_iter)
    return build_closed_network(
        model="approximate MVA (Bard-Schweitzer)", kind=kind, population=Ns, think_time=Z, demands=D,
        visits=V, servers=c, system_throughput=X, residence_time=R, converged=converged,
        iterations=iterations, tol=tol, accuracy=accuracy, station_labels=stations,
        class_labels=classes, single_class=single)
