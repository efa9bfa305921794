"""M/M/inf: Poisson arrivals, exponential service, a server for every job (no waiting)."""

from __future__ import annotations

from .._backend import kind_of
from .._validate import nonnegative, positive, same_shape
from ._percentiles import EXPONENTIAL, exponential_quantile
from ._result import StationResult, build_station, queueing_metrics
from ._stability import quiet_numerics


def mminf(arrival_rate, service_rate) -> StationResult:
    """M/M/inf queue (infinite servers: a pure delay, e.g. think time or an elastic pool).

    .. math::
        R = \\frac{1}{\\mu},\\qquad W = 0,\\qquad L = a = \\frac{\\lambda}{\\mu},\\qquad
        p_n = e^{-a}\\frac{a^n}{n!}

    The number in system is Poisson with mean :math:`a` (by insensitivity, for any
    service distribution of mean :math:`1/\\mu`: M/G/inf). Always stable.
    ``utilization`` is the per-server load :math:`a/c = 0` with infinitely many
    servers; the mean number of busy servers is ``number_in_system`` (:math:`a`;
    GNU Octave's ``qsmminf`` reports it as U). The response time is the service
    time, exponential: percentiles exact.

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    service_rate : float, array or SymPy expression
        :math:`\\mu`, requests per second per server (> 0).

    Returns
    -------
    StationResult

    Examples
    --------
    >>> mminf(2.0, 1.0).number_in_system
    2.0

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 1*, Wiley 1975, section 3.4;
    D. Gross et al., *Fundamentals of Queueing Theory*, 4th ed., section 2.7.
    """
    kind = kind_of(arrival_rate, service_rate)
    same_shape(arrival_rate=arrival_rate, service_rate=service_rate)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind, normal=True)
    with quiet_numerics(kind):
        metrics = queueing_metrics(0 * lam, lam, 0 * lam, 1 / mu)
    return build_station(model="M/M/inf", kind=kind, metrics=metrics, stable=True, capacity=float("inf"),
                         percentile=lambda p: exponential_quantile(1 / mu, p, kind),
                         percentile_method=EXPONENTIAL, inputs=("arrival_rate", "service_rate"))
