"""M/G/1 with server vacations (multiple or single), by the decomposition property."""

from __future__ import annotations

from .._backend import SYMBOLIC, kind_of, ops_for
from .._validate import choice, nonnegative, positive, same_shape
from ._moments import second_moment, third_moment
from ._percentiles import GAMMA_FIT
from ._result import StationResult, build_gamma_fit_station, queueing_metrics
from ._stability import check_stability, quiet_numerics
from .mg1 import mg1_formulas, mg1_response_variance

VACATION_PERCENTILE = (
    GAMMA_FIT + "; exact two moments: W is the M/G/1 wait plus an independent extra delay Y, the "
    "residual vacation (moments E[V^2]/(2E[V]), E[V^3]/(3E[V])) - for single vacations only with "
    "probability q = lambda E[V]/(lambda E[V] + E[exp(-lambda V)]), else 0; service and vacation "
    "times gamma-distributed for the third moments"
)


def _vacation_transform(lam, v, scv, kind):
    """:math:`E[e^{-\\lambda V}]` of a gamma vacation (deterministic when the SCV is 0)."""
    ops = ops_for(kind)
    gamma_lst = (1 + lam * v * scv) ** (-1 / scv) if kind == SYMBOLIC else None
    if kind == SYMBOLIC:
        return ops.where(scv > 0, gamma_lst, ops.exp(-lam * v))
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(scv > 0, scv, 1.0)
        return np.where(scv > 0, np.exp(-np.log1p(lam * v * safe) / safe), np.exp(-lam * v))


def mg1_vacations(arrival_rate, mean_service_time, service_scv, mean_vacation, vacation_scv,
                  policy="multiple") -> StationResult:
    """M/G/1 FCFS whose server takes vacations when it finds the system empty.

    Multiple vacations (the server keeps taking i.i.d. vacations until it returns
    to a waiting customer) and single vacations (one vacation per idle period,
    then it waits idle):

    .. math::
        W^{\\mathrm{mult}} = W_{M/G/1} + \\frac{E[V^2]}{2E[V]},\\qquad
        W^{\\mathrm{single}} = W_{M/G/1} + \\frac{\\lambda E[V^2]}{2(\\lambda E[V] + V^*(\\lambda))}

    with :math:`W_{M/G/1} = \\lambda E[S^2]/(2(1-\\rho))`, :math:`E[V^2] =
    v^2(1+c_v^2)` and :math:`V^*(\\lambda) = E[e^{-\\lambda V}]` (the probability
    that no one arrives during a vacation; gamma-distributed vacations:
    :math:`(1+\\lambda v c_v^2)^{-1/c_v^2}`). Stable for :math:`\\rho = \\lambda m < 1`.
    A vacation length of 0 gives :func:`~virtmodel.queueing.mg1`.

    Percentiles: a gamma fit to the exact first two moments. By the
    Fuhrmann-Cooper decomposition the wait is the M/G/1 wait plus an independent
    extra delay :math:`Y`: the residual vacation (multiple vacations); for
    single vacations the residual vacation with probability
    :math:`q = \\lambda E[V]/(\\lambda E[V] + V^*(\\lambda))` (the fraction of the
    non-serving time spent on vacation rather than idle) and 0 otherwise, which
    reproduces the mean above.

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    mean_service_time, service_scv : float, array or SymPy expression
        :math:`m` (s, > 0) and :math:`c_s^2` (>= 0).
    mean_vacation, vacation_scv : float, array or SymPy expression
        :math:`v = E[V]` (s, >= 0) and :math:`c_v^2` (>= 0) of a vacation.
    policy : {"multiple", "single"}

    Returns
    -------
    StationResult

    Examples
    --------
    >>> mg1_vacations(0.5, 1.0, 1.0, 2.0, 0.0).waiting_time  # 1 + 4/(2*2)
    2.0

    References
    ----------
    S. W. Fuhrmann, R. B. Cooper, "Stochastic decompositions in the M/G/1 queue
    with generalized vacations", Oper. Res. 33 (1985) 1117-1129; H. Takagi,
    *Queueing Analysis, Vol. 1: Vacation and Priority Systems*, North-Holland 1991,
    sections 2.2-2.3; B. T. Doshi, "Queueing systems with vacations - a survey",
    Queueing Systems 1 (1986) 29-66.
    """
    choice("policy", policy, ("multiple", "single"))
    kind = kind_of(arrival_rate, mean_service_time, service_scv, mean_vacation, vacation_scv)
    same_shape(arrival_rate=arrival_rate, mean_service_time=mean_service_time, service_scv=service_scv,
               mean_vacation=mean_vacation, vacation_scv=vacation_scv)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    m = positive("mean_service_time", mean_service_time, kind, normal=True)
    scv = nonnegative("service_scv", service_scv, kind)
    v = nonnegative("mean_vacation", mean_vacation, kind, normal=True)
    cv = nonnegative("vacation_scv", vacation_scv, kind)
    inputs = ("arrival_rate", "mean_service_time", "service_scv", "mean_vacation", "vacation_scv")
    model = f"M/G/1 with {policy} vacations"
    with quiet_numerics(kind):
        base = mg1_formulas(lam, m, scv)
        residual, residual2 = residual_vacation(v, cv, kind)
        if policy == "single":  # the residual vacation only with probability q, else no extra delay
            share = lam * v / (lam * v + _vacation_transform(lam, v, cv, kind))
            residual, residual2 = share * residual, share * residual2
        variance = mg1_response_variance(lam, m, scv, base["waiting_time"]) + residual2 - residual**2
        metrics = queueing_metrics(base["utilization"], lam, base["waiting_time"] + residual, m)
    stable = check_stability(metrics["utilization"], kind, model)
    return build_gamma_fit_station(model=model, kind=kind, metrics=metrics, variance=variance,
                                   stable=stable, capacity=1 / m, percentile_method=VACATION_PERCENTILE,
                                   inputs=inputs)


def residual_vacation(mean_vacation, vacation_scv, kind):
    """Mean and second moment of the residual vacation an arrival waits out (multiple vacations).

    :math:`E[Y] = E[V^2]/(2E[V])` and :math:`E[Y^2] = E[V^3]/(3E[V])` (the
    stationary-excess distribution of :math:`V`, gamma-distributed for the third
    moment), both 0 for a vacation of length 0. This is the Fuhrmann-Cooper extra
    delay of :func:`mg1_vacations` (``policy="multiple"``), for callers that add
    it to another station (:mod:`virtmodel.shared_host`); inputs are not validated.
    """
    v, cv = mean_vacation, vacation_scv
    return (_safe_ratio(second_moment(v, cv), 2 * v, kind),   # E[V^2]/(2E[V])
            _safe_ratio(third_moment(v, cv), 3 * v, kind))    # E[V^3]/(3E[V])


def _safe_ratio(a, b, kind):
    """``a / b`` with 0 where ``b`` is 0 (no vacation: no residual)."""
    if kind == SYMBOLIC:
        if b.is_zero:
            return 0 * b
        return a / b if b.is_positive else ops_for(kind).where(b > 0, a / b, 0)
    import numpy as np

    return np.where(np.asarray(b) > 0, a / np.where(np.asarray(b) > 0, b, 1.0), 0.0)
