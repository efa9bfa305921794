"""M/D/1: Poisson arrivals, deterministic service, one server (M/G/1 with SCV 0)."""

from __future__ import annotations

from .._backend import kind_of
from .._validate import nonnegative, positive, same_shape
from ._result import StationResult
from .mg1 import mg1_station


def md1(arrival_rate, service_rate) -> StationResult:
    """M/D/1 queue: the Pollaczek-Khinchine formula with :math:`c_s^2 = 0`.

    .. math::
        \\rho = \\frac{\\lambda}{\\mu},\\qquad W = \\frac{\\rho}{2\\mu(1-\\rho)},\\qquad
        R = W + \\frac{1}{\\mu}

    Assumptions: Poisson arrivals, every service takes exactly :math:`1/\\mu`,
    one server, FCFS, infinite buffer; stable only for :math:`\\rho < 1`.
    Percentiles: gamma fit to the exact mean and variance (see
    :func:`~virtmodel.queueing.mg1`).

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    service_rate : float, array or SymPy expression
        :math:`\\mu`, requests per second (> 0); the service time is :math:`1/\\mu`.

    Returns
    -------
    StationResult

    Examples
    --------
    ``md1(0.5, 1.0).response_time`` is 1.5 s.

    References
    ----------
    D. Gross et al., *Fundamentals of Queueing Theory*, 4th ed., section 6.1.
    """
    kind = kind_of(arrival_rate, service_rate)
    same_shape(arrival_rate=arrival_rate, service_rate=service_rate)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind, normal=True)
    return mg1_station(lam, 1 / mu, 0 * mu, kind, "M/D/1", ("arrival_rate", "service_rate"))
