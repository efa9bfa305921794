"""M/G/1-PS: Poisson arrivals, general service, one processor-sharing server."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, kind_of
from .._validate import nonnegative, positive, same_shape
from ..errors import SymbolicUnsupportedError
from ._percentiles import gamma_quantile
from ._ps_sojourn import EXACT_MAX_POINTS, EXACT_MAX_RHO, ps_quantiles
from ._result import StationResult, build_station, queueing_metrics
from ._stability import check_stability, quiet_numerics

PS_PERCENTILE = (
    f"exact for exponential service (M/M/1-PS: the tagged job's absorption time, uniformized) "
    f"at loads rho <= {EXACT_MAX_RHO} and up to {EXACT_MAX_POINTS} distinct points per call; "
    "elsewhere a gamma distribution fitted to the exact M/M/1-PS mean m/(1-rho) and "
    "SCV (2+rho)/(2-rho). Other service distributions: an approximation (the law is not insensitive)"
)


def ps_response_scv(rho):
    """SCV of the M/M/1-PS sojourn time, :math:`(2+\\rho)/(2-\\rho)` (Coffman, Muntz, Trotter 1970)."""
    return (2 + rho) / (2 - rho)


def ps_response_quantile(m, rho, p, kind):
    """The ``p``-quantile of the M/M/1-PS response time (see ``PS_PERCENTILE``); numeric only."""
    if kind == SYMBOLIC:
        raise SymbolicUnsupportedError(
            "the M/G/1-PS response-time percentile has no closed form; call mg1_ps with numbers")
    m, rho, p = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (m, rho, p)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mean = m / (1 - rho)
        out = np.asarray(gamma_quantile(mean, ps_response_scv(rho) * mean**2, p, kind), dtype=float)
    exact = (rho <= EXACT_MAX_RHO) & np.isfinite(m)
    if exact.any() and len(set(zip(rho[exact].tolist(), p[exact].tolist()))) <= EXACT_MAX_POINTS:
        out = np.array(out, dtype=float, copy=True).reshape(rho.shape)
        out[exact] = m[exact] * ps_quantiles(rho[exact], p[exact])
    return np.where(rho < 1, out, np.inf)


def mg1_ps_formulas(lam, m):
    """M/G/1-PS mean values (insensitive to the service distribution).

    .. math::
        \\rho = \\lambda m,\\quad R = \\frac{m}{1-\\rho},\\quad W = R - m,\\quad
        L = \\lambda R = \\frac{\\rho}{1-\\rho},\\quad L_q = \\lambda W
    """
    rho = lam * m
    return queueing_metrics(rho, lam, rho * m / (1 - rho), m)


def mg1_ps(arrival_rate, mean_service_time) -> StationResult:
    """M/G/1 processor-sharing queue (egalitarian time slicing, e.g. a vCPU scheduler).

    .. math::
        \\rho = \\lambda m, \\qquad R = \\frac{m}{1-\\rho}, \\qquad
        L = \\frac{\\rho}{1-\\rho}

    Assumptions: Poisson arrivals, i.i.d. service requirements of mean :math:`m`
    and any distribution (the means are insensitive to it), one server shared
    equally among all jobs present, infinite buffer; stable only for
    :math:`\\rho < 1`. A job of size :math:`x` has mean response :math:`x/(1-\\rho)`.
    ``waiting_time`` is the mean slowdown delay :math:`R - m` and
    ``number_in_queue`` is :math:`\\lambda (R - m)`; there is no queue as such.
    Percentiles (``percentile_method``): the exact M/M/1-PS sojourn-time law
    (exponential service), computed numerically (:mod:`._ps_sojourn`); it is
    not exponential (SCV :math:`(2+\\rho)/(2-\\rho)`). For other service
    distributions the percentile law is not insensitive and this is an approximation.

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    mean_service_time : float, array or SymPy expression
        :math:`m`, mean work per request in seconds (> 0).

    Returns
    -------
    StationResult

    Examples
    --------
    >>> mg1_ps(0.5, 1.0).response_time
    2.0
    >>> round(mg1_ps(0.8, 1.0).response_time_percentile(0.99), 2)
    36.94

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 2*, Wiley 1976, section 4.4;
    Mor Harchol-Balter, *Performance Modeling and Design of Computer Systems*,
    Cambridge 2013, chapter 22.
    """
    kind = kind_of(arrival_rate, mean_service_time)
    same_shape(arrival_rate=arrival_rate, mean_service_time=mean_service_time)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    m = positive("mean_service_time", mean_service_time, kind, normal=True)
    with quiet_numerics(kind):
        metrics = mg1_ps_formulas(lam, m)
    stable = check_stability(metrics["utilization"], kind, "M/G/1-PS")
    return build_station(
        model="M/G/1-PS",
        kind=kind,
        metrics=metrics,
        stable=stable,
        capacity=1 / m,
        percentile=lambda p: ps_response_quantile(m, metrics["utilization"], p, kind),
        percentile_method=PS_PERCENTILE,
        inputs=("arrival_rate", "mean_service_time"),
    )
