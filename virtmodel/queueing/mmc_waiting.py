"""The M/M/c waiting-time distribution: service level :math:`P(W \\le t)`."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, as_output, kind_of, ops_for
from .._validate import nonnegative, positive, same_shape, whole
from ._stability import check_stability, quiet_numerics
from .erlang import MAX_SERVERS, erlang_c_value


def mmc_service_level(arrival_rate, service_rate, servers, target_time):
    """Service level of an M/M/c FCFS queue: :math:`P(W \\le t)`, the waiting-time CDF (exact).

    .. math::
        P(W \\le t) = 1 - C(c, a)\\,e^{-(c\\mu - \\lambda)\\,t},\\qquad t \\ge 0

    with :math:`C` the Erlang C probability of waiting and :math:`a = \\lambda/\\mu`
    (the waiting time has an atom :math:`1 - C` at 0 and an exponential tail).
    Assumptions as :func:`~virtmodel.queueing.mmc`; stable only for
    :math:`\\lambda < c\\mu` (a scalar raises UnstableError; in an array the
    service level is 0 there: waits grow without bound).

    Parameters
    ----------
    arrival_rate, service_rate : float, array or SymPy expression
        :math:`\\lambda` (>= 0) and :math:`\\mu` (> 0) per second.
    servers : int
        :math:`c` (>= 1).
    target_time : float, array or SymPy expression
        :math:`t`, the answer-time target in seconds (>= 0; 0 gives :math:`1 - C`).

    Returns
    -------
    float, ndarray or SymPy expression

    Examples
    --------
    >>> round(mmc_service_level(1.0, 1.0, 2, 0.0), 6)  # 1 - C(2, 1) = 2/3
    0.666667

    References
    ----------
    D. Gross et al., *Fundamentals of Queueing Theory*, 4th ed., Wiley 2008, eq. 2.37;
    G. Koole, *Call Center Optimization*, MG books 2013, section 5.2.
    """
    kind = kind_of(arrival_rate, service_rate, servers, target_time)
    same_shape(arrival_rate=arrival_rate, service_rate=service_rate, target_time=target_time)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind, normal=True)
    c = whole("servers", servers, maximum=MAX_SERVERS)
    t = nonnegative("target_time", target_time, kind)
    with quiet_numerics(kind):
        value = 1 - erlang_c_value(c, lam / mu, kind) * ops_for(kind).exp(-(c * mu - lam) * t)
        rho = lam / (c * mu)
    stable = check_stability(rho, kind, f"M/M/{c}")
    if kind == SYMBOLIC:
        return value
    return as_output(np.where(stable, np.clip(value, 0.0, 1.0), 0.0), kind)
