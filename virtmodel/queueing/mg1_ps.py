"""M/G/1-PS: Poisson arrivals, general service, one processor-sharing server."""

from __future__ import annotations

from .._backend import kind_of
from .._validate import nonnegative, positive
from ._percentiles import exponential_quantile
from ._result import StationResult, build_station, queueing_metrics
from ._stability import check_stability, quiet_numerics

PS_PERCENTILE = (
    "approximation: exponential distribution with the exact mean response time "
    "(exact only for exponential service)"
)


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
    Percentiles: an exponential with the exact mean (approximate).

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
    ``mg1_ps(0.5, 1.0).response_time`` is 2.0 s.

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 2*, Wiley 1976, section 4.4;
    M. Harchol-Balter, *Performance Modeling and Design of Computer Systems*,
    Cambridge 2013, chapter 22.
    """
    kind = kind_of(arrival_rate, mean_service_time)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    m = positive("mean_service_time", mean_service_time, kind)
    with quiet_numerics(kind):
        metrics = mg1_ps_formulas(lam, m)
    stable = check_stability(metrics["utilization"], kind, "M/G/1-PS")
    response = metrics["response_time"]
    return build_station(
        model="M/G/1-PS",
        kind=kind,
        metrics=metrics,
        stable=stable,
        capacity=1 / m,
        percentile=lambda p: exponential_quantile(response, p, kind),
        percentile_method=PS_PERCENTILE,
    )
