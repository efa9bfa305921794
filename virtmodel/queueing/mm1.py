"""M/M/1: Poisson arrivals, exponential service, one server, FCFS, infinite buffer."""

from __future__ import annotations

from .._backend import kind_of, ops_for
from .._validate import nonnegative, positive, same_shape
from ._percentiles import EXPONENTIAL, exponential_quantile
from ._result import StationResult, build_station
from ._stability import check_stability, quiet_numerics


def mm1_formulas(lam, mu, ops):
    """The M/M/1 metrics as one formula for numbers, arrays and symbols.

    .. math::
        \\rho = \\lambda/\\mu,\\quad R = \\frac{1}{\\mu-\\lambda},\\quad
        W = \\frac{\\rho}{\\mu-\\lambda},\\quad L = \\lambda R,\\quad L_q = \\lambda W
    """
    rho = lam / mu
    response = 1 / (mu - lam)
    waiting = rho / (mu - lam)
    return dict(
        utilization=rho,
        throughput=lam,
        response_time=response,
        waiting_time=waiting,
        number_in_system=lam * response,
        number_in_queue=lam * waiting,
    )


def mm1(arrival_rate, service_rate) -> StationResult:
    """M/M/1 queue.

    .. math::
        \\rho = \\frac{\\lambda}{\\mu}, \\qquad R = \\frac{1}{\\mu - \\lambda}, \\qquad
        W = \\frac{\\rho}{\\mu - \\lambda}, \\qquad L = \\frac{\\rho}{1-\\rho}

    Assumptions: Poisson arrivals, exponential service times, one server, FCFS
    (any work-conserving order gives the same means), infinite buffer. Stable
    only for :math:`\\rho < 1`. The response time is exponential with rate
    :math:`\\mu - \\lambda`, so percentiles are exact:
    :math:`t_p = -\\ln(1-p)/(\\mu-\\lambda)`.

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0; 0 is the no-load limit).
    service_rate : float, array or SymPy expression
        :math:`\\mu`, requests per second (> 0).

    Returns
    -------
    StationResult
        Floats, arrays (broadcast) or SymPy expressions, following the inputs.

    Examples
    --------
    >>> mm1(0.5, 1.0).response_time
    2.0

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 1*, Wiley 1975, section 3.2.
    """
    kind = kind_of(arrival_rate, service_rate)
    same_shape(arrival_rate=arrival_rate, service_rate=service_rate)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind, normal=True)
    ops = ops_for(kind)
    with quiet_numerics(kind):
        metrics = mm1_formulas(lam, mu, ops)
    stable = check_stability(metrics["utilization"], kind, "M/M/1")
    response = metrics["response_time"]
    return build_station(
        model="M/M/1",
        kind=kind,
        metrics=metrics,
        stable=stable,
        capacity=mu,
        percentile=lambda p: exponential_quantile(response, p, kind),
        percentile_method=EXPONENTIAL,
        inputs=("arrival_rate", "service_rate"),
    )
