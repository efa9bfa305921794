"""G/G/c approximations: Allen-Cunneen and Sakasegawa."""

from __future__ import annotations

from .._backend import ops_for
from .._validate import choice, whole
from ._result import StationResult
from .erlang import MAX_SERVERS, erlang_c_value
from .gg1 import gg_inputs, gg_station


def _erlang_c_pwait(kind):
    return lambda a, c: erlang_c_value(c, a, kind)


def _sakasegawa_pwait(kind):
    sqrt = ops_for(kind).sqrt
    return lambda a, c: (a / c) ** (sqrt(2 * (c + 1)) - 1)


_METHODS = {"allen-cunneen": _erlang_c_pwait, "sakasegawa": _sakasegawa_pwait}


def ggc(arrival_rate, mean_service_time, servers, arrival_scv, service_scv, method="allen-cunneen") -> StationResult:
    """G/G/c queue, Allen-Cunneen (default) or Sakasegawa approximation.

    .. math::
        \\rho = \\frac{\\lambda m}{c},\\qquad
        W \\approx P_w\\,\\frac{m}{c(1-\\rho)}\\,\\frac{c_a^2 + c_s^2}{2},\\qquad R = W + m

    with :math:`P_w = C(c, \\lambda m)` the Erlang C probability
    (Allen-Cunneen: the M/M/c waiting time scaled by :math:`(c_a^2+c_s^2)/2`)
    or :math:`P_w = \\rho^{\\sqrt{2(c+1)}-1}` (Sakasegawa's fit of it).
    Assumptions: renewal arrivals (SCV :math:`c_a^2`), i.i.d. service (mean
    :math:`m`, SCV :math:`c_s^2`), ``servers`` identical servers, FCFS;
    stable only for :math:`\\rho < 1`. Allen-Cunneen is exact for M/M/c and,
    with one server, equals Kingman's formula (:func:`gg1`).

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    mean_service_time : float, array or SymPy expression
        :math:`m`, seconds (> 0).
    servers : int or SymPy integer symbol
        :math:`c` (>= 1).
    arrival_scv, service_scv : float, array or SymPy expression
        Squared coefficients of variation (>= 0).
    method : {"allen-cunneen", "sakasegawa"}

    Returns
    -------
    StationResult
        Percentiles by a documented approximation (``percentile_method``).

    Examples
    --------
    ``ggc(1.0, 1.0, 2, 1.0, 1.0).waiting_time`` is 1/3 s (M/M/2).

    References
    ----------
    A. O. Allen, *Probability, Statistics, and Queueing Theory*, 2nd ed.,
    Academic Press 1990, section 6.3; H. Sakasegawa, "An approximation formula
    L_q = alpha rho^beta/(1-rho)", Ann. Inst. Statist. Math. 29 (1977) 67-75;
    W. J. Hopp, M. L. Spearman, *Factory Physics*, 3rd ed., 2008, eq. 8.10.
    """
    choice("method", method, tuple(_METHODS))
    kind, lam, m, ca2, cs2 = gg_inputs(arrival_rate, mean_service_time, arrival_scv, service_scv, servers)
    c = whole("servers", servers, maximum=MAX_SERVERS)
    return gg_station(lam, m, c, ca2, cs2, _METHODS[method](kind), kind, f"G/G/{c}")
