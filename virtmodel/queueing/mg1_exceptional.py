"""M/G/1 with an exceptional first service in each busy period (Welch 1964): a server that wakes up."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, kind_of
from .._validate import nonnegative, positive, same_shape
from ._moments import second_moment
from ._result import StationResult, build_station, queueing_metrics
from ._stability import check_stability, quiet_numerics

EXCEPTIONAL_PERCENTILE = "not available (mean values only: Welch 1964 gives the means in closed form)"


def exceptional_formulas(lam, m, scv, m0, scv0):
    """Welch's mean values, one formula for every kind (see :func:`mg1_exceptional`).

    .. math::
        \\rho = \\lambda m,\\quad
        P_0 = \\frac{1-\\rho}{1-\\rho+\\lambda m_0},\\quad
        W = \\frac{\\lambda E[S^2]}{2(1-\\rho)} + \\frac{\\lambda (E[S_0^2]-E[S^2])}{2(1-\\rho+\\lambda m_0)},\\quad
        \\bar S = P_0 m_0 + (1-P_0) m
    """
    rho = lam * m
    denominator = 1 - rho + lam * m0
    idle = idle_fraction(lam, m, m0)
    waiting = lam * second_moment(m, scv) / (2 * (1 - rho)) + \
        lam * (second_moment(m0, scv0) - second_moment(m, scv)) / (2 * denominator)
    service = idle * m0 + (1 - idle) * m
    return queueing_metrics(1 - idle, lam, waiting, service)


def mg1_exceptional(arrival_rate, mean_service_time, service_scv, mean_first_service,
                    first_service_scv) -> StationResult:
    """M/G/1 FCFS whose first customer of every busy period has its own service time.

    The model of a server that halts when idle and pays a wake-up on the first
    arrival of a busy period (a halted vCPU, a sleeping back-end thread): the
    first customer's service :math:`S_0` (mean :math:`m_0`, SCV :math:`c_0^2`)
    is the ordinary service plus the wake-up; every other customer's is
    :math:`S` (mean :math:`m`, SCV :math:`c_s^2`). With :math:`\\rho = \\lambda m`:

    .. math::
        P_0 = \\frac{1-\\rho}{1-\\rho+\\lambda m_0},\\qquad
        W = \\frac{\\lambda E[S^2]}{2(1-\\rho)}
          + \\frac{\\lambda (E[S_0^2]-E[S^2])}{2(1-\\rho+\\lambda m_0)},\\qquad
        R = W + P_0 m_0 + (1-P_0) m

    :math:`P_0` is the probability that the server is idle, which (Poisson
    arrivals see time averages) is also the share of customers who start a
    busy period and pay :math:`S_0`; the reported utilization is the busy
    fraction :math:`1-P_0` (wake-ups included; at an unstable sweep point, the
    offered load :math:`\\rho`, as for the other stations); :math:`E[S^2] = m^2(1+c^2)`.
    Stable for :math:`\\rho < 1` (the exceptional service does not move the
    limit). :math:`S_0 = S` gives the Pollaczek-Khinchine M/G/1; with a setup
    :math:`S_0 = S + D` (:math:`D` independent) it is Takagi's M/G/1 with
    setup times, :math:`W + P_0 E[D] = W_{M/G/1} + (2E[D] + \\lambda E[D^2])/(2(1+\\lambda E[D]))`.
    At :math:`\\lambda \\to 0`: :math:`R \\to m_0` (every customer wakes the server);
    as :math:`\\rho \\to 1`: :math:`P_0 \\to 0` (the wake-ups vanish from the mean service).

    Percentiles: not available (mean values only).

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    mean_service_time, service_scv : float, array or SymPy expression
        :math:`m` (s, > 0) and :math:`c_s^2` (>= 0) of an ordinary service.
    mean_first_service, first_service_scv : float, array or SymPy expression
        :math:`m_0` (s, > 0) and :math:`c_0^2` (>= 0) of the first service of a busy period.

    Returns
    -------
    StationResult

    Examples
    --------
    >>> r = mg1_exceptional(0.5, 1.0, 0.0, 1.0, 0.0)  # S0 = S: the M/D/1, W = 0.5/(2*0.5)
    >>> round(r.waiting_time, 12)
    0.5

    References
    ----------
    P. D. Welch, "On a generalized M/G/1 queuing process in which the first
    customer of each busy period receives exceptional service", Oper. Res. 12
    (1964) 736-752; H. Takagi, *Queueing Analysis, Vol. 1*, North-Holland 1991,
    section 2.3 (setup times).
    """
    kind = kind_of(arrival_rate, mean_service_time, service_scv, mean_first_service, first_service_scv)
    same_shape(arrival_rate=arrival_rate, mean_service_time=mean_service_time, service_scv=service_scv,
               mean_first_service=mean_first_service, first_service_scv=first_service_scv)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    m = positive("mean_service_time", mean_service_time, kind, normal=True)
    scv = nonnegative("service_scv", service_scv, kind)
    m0 = positive("mean_first_service", mean_first_service, kind, normal=True)
    scv0 = nonnegative("first_service_scv", first_service_scv, kind)
    inputs = ("arrival_rate", "mean_service_time", "service_scv", "mean_first_service", "first_service_scv")
    model = "M/G/1 with exceptional first service"
    with quiet_numerics(kind):
        metrics = exceptional_formulas(lam, m, scv, m0, scv0)
    stable = check_stability(lam * m, kind, model)
    if kind != SYMBOLIC:  # past the limit the busy fraction 1 - P0 has no meaning: offered load, as the other stations
        metrics["utilization"] = np.where(stable, metrics["utilization"], lam * m)
    return build_station(model=model, kind=kind, metrics=metrics, stable=stable, capacity=1 / m,
                         percentile=None, percentile_method=EXCEPTIONAL_PERCENTILE, inputs=inputs)


def idle_fraction(arrival_rate, mean_service_time, mean_first_service):
    r"""Welch's :math:`P_0 = (1-\lambda m)/(1+\lambda (m_0-m))` (any kind, unvalidated).

    The share of time the server is idle, and of customers who start a busy
    period. Written with the wake-up :math:`b = m_0 - m` it is the fixed point
    :math:`p = (1-\lambda m)/(1+\lambda b)`: the wake-up itself adds busy time.

    >>> idle_fraction(0.5, 1.0, 1.0)   # S0 = S: the M/G/1's 1 - rho
    0.5
    """
    lam, m, m0 = arrival_rate, mean_service_time, mean_first_service
    return (1 - lam * m) / (1 + lam * (m0 - m))


def setup_delay(arrival_rate, mean_setup, setup_second_moment, setup_third_moment) -> tuple:
    r"""Mean and second moment of the extra delay :math:`Y` of an M/G/1 with setup times (any kind, unvalidated).

    A busy period starts with a setup :math:`U` (the server is not there yet:
    a halted vCPU's wake-up, a time-sliced vCPU waiting for its turn on a core).
    By the Fuhrmann-Cooper decomposition the wait is the M/G/1 wait plus an
    independent :math:`Y`: the whole setup :math:`U` for the customer who starts
    the busy period (probability :math:`1/(1+\lambda E[U])`) and otherwise the
    residual setup :math:`U_e` (moments :math:`E[U^2]/(2E[U])`, :math:`E[U^3]/(3E[U])`):

    .. math::
        E[Y] = \frac{2E[U] + \lambda E[U^2]}{2(1 + \lambda E[U])},\qquad
        E[Y^2] = \frac{E[U^2] + \lambda E[U^3]/3}{1 + \lambda E[U]}

    (the mean is Takagi's setup term of :func:`mg1_exceptional` with
    :math:`S_0 = S + U`). :math:`U = 0` gives :math:`Y = 0`.

    >>> setup_delay(0.0, 2.0, 4.0, 8.0)   # no queueing: every customer waits the whole (fixed) setup
    (2.0, 4.0)

    References
    ----------
    H. Takagi, *Queueing Analysis, Vol. 1*, North-Holland 1991, section 2.3 (setup times);
    S. W. Fuhrmann, R. B. Cooper, Oper. Res. 33 (1985) 1117-1129.
    """
    lam, u1, u2, u3 = arrival_rate, mean_setup, setup_second_moment, setup_third_moment
    denominator = 1 + lam * u1
    return (2 * u1 + lam * u2) / (2 * denominator), (u2 + lam * u3 / 3) / denominator

