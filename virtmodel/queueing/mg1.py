"""M/G/1: Poisson arrivals, general service, one server, FCFS (Pollaczek-Khinchine)."""

from __future__ import annotations

from .._backend import kind_of
from .._validate import nonnegative, positive, same_shape
from ._moments import third_moment
from ._percentiles import GAMMA_FIT
from ._result import StationResult, build_gamma_fit_station, queueing_metrics
from ._stability import check_stability, quiet_numerics

MG1_PERCENTILE = (
    GAMMA_FIT + "; Var(W) from Takacs' second moment with E[S^3] of a gamma-distributed "
    "service time of the given SCV (exact third moment for M/M/1 and M/D/1)"
)


def mg1_formulas(lam, m, scv):
    """The Pollaczek-Khinchine mean values as one formula for all kinds.

    .. math::
        \\rho = \\lambda m,\\quad W = \\frac{\\rho\\, m\\,(1 + c_s^2)}{2(1-\\rho)},\\quad
        R = W + m,\\quad L = \\lambda R,\\quad L_q = \\lambda W
    """
    rho = lam * m
    return queueing_metrics(rho, lam, rho * m * (1 + scv) / (2 * (1 - rho)), m)


def mg1_response_variance(lam, m, scv, waiting):
    """:math:`\\mathrm{Var}(R) = \\mathrm{Var}(W) + \\mathrm{Var}(S)` for M/G/1 FCFS.

    Takacs: :math:`E[W^2] = 2W^2 + \\lambda E[S^3] / (3(1-\\rho))` with
    :math:`E[S^3] = m^3 (1 + c_s^2)(1 + 2c_s^2)` (gamma-distributed service).
    """
    rho = lam * m  # lambda E[S^3] = rho m^2 E[(S/m)^3]: no m^3 overflowing a float beyond a mean of 1e102
    var_w = waiting**2 + rho * m * m * third_moment(1, scv) / (3 * (1 - rho))
    return var_w + scv * m * m  # not m**2: 0 * inf at a mean beyond 1e154 with scv 0 (M/D/1) was NaN


MG1_INPUTS = ("arrival_rate", "mean_service_time", "service_scv")


def mg1_station(lam, m, scv, kind, model, inputs=MG1_INPUTS) -> StationResult:
    """Build the M/G/1 result from validated inputs (shared by :func:`mg1` and :func:`md1`)."""
    with quiet_numerics(kind):
        metrics = mg1_formulas(lam, m, scv)
        variance = mg1_response_variance(lam, m, scv, metrics["waiting_time"])
    stable = check_stability(metrics["utilization"], kind, model)
    return build_gamma_fit_station(model=model, kind=kind, metrics=metrics, variance=variance, stable=stable,
                                   capacity=1 / m, percentile_method=MG1_PERCENTILE, inputs=inputs)


def mg1(arrival_rate, mean_service_time, service_scv) -> StationResult:
    """M/G/1 queue, Pollaczek-Khinchine mean-value formula.

    .. math::
        \\rho = \\lambda m, \\qquad
        W = \\frac{\\lambda E[S^2]}{2(1-\\rho)} = \\frac{\\rho\\,m\\,(1+c_s^2)}{2(1-\\rho)},
        \\qquad R = W + m

    Assumptions: Poisson arrivals, i.i.d. service times of mean :math:`m` and
    squared coefficient of variation :math:`c_s^2`, one server, FCFS, infinite
    buffer; stable only for :math:`\\rho < 1`. ``service_scv = 1`` gives M/M/1,
    ``0`` gives M/D/1. Percentiles: a gamma fit to the exact mean and variance
    of the response time (see ``percentile_method``).

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    mean_service_time : float, array or SymPy expression
        :math:`m = E[S]`, seconds (> 0).
    service_scv : float, array or SymPy expression
        :math:`c_s^2 = \\mathrm{Var}(S)/m^2` (>= 0, dimensionless).

    Returns
    -------
    StationResult

    Examples
    --------
    ``mg1(0.5, 1.0, 0.0).waiting_time`` is 0.5 s (M/D/1 at half load).

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 1*, Wiley 1975, section 5.6
    (P-K mean value formula) and eq. 5.114 (Takacs' recurrence for the moments of W).
    """
    kind = kind_of(arrival_rate, mean_service_time, service_scv)
    same_shape(arrival_rate=arrival_rate, mean_service_time=mean_service_time, service_scv=service_scv)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    m = positive("mean_service_time", mean_service_time, kind, normal=True)
    scv = nonnegative("service_scv", service_scv, kind)
    return mg1_station(lam, m, scv, kind, "M/G/1")
