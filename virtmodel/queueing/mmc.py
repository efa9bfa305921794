"""M/M/c: Poisson arrivals, exponential service, c servers, FCFS, infinite buffer."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, kind_of
from .._validate import nonnegative, positive, same_shape, whole
from ..errors import SymbolicUnsupportedError
from ._result import StationResult, build_station, queueing_metrics
from ._stability import check_stability, quiet_numerics
from .erlang import MAX_SERVERS, erlang_c_value

MMC_PERCENTILE = (
    "exact (the closed-form CDF of W + S, W an atom 1 - C at 0 plus an exponential "
    "of rate c mu - lambda, S exponential of rate mu, inverted numerically by bisection)"
)


def mmc_formulas(lam, mu, c, kind):
    """The M/M/c metrics as one formula for numbers, arrays and symbols.

    .. math::
        a = \\lambda/\\mu,\\quad \\rho = a/c,\\quad W = \\frac{C(c, a)}{c\\mu-\\lambda},
        \\quad R = W + \\frac{1}{\\mu},\\quad L = \\lambda R,\\quad L_q = \\lambda W

    ``probability_of_waiting`` (the Erlang C value) is returned as well.
    """
    a = lam / mu
    pw = erlang_c_value(c, a, kind)
    return queueing_metrics(a / c, lam, pw / (c * mu - lam), 1 / mu), pw


def _tail_ratio(x):
    """:math:`(1 - e^{-x})/x` for :math:`x \\ge 0`, equal to 1 at 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 1e-8, -np.expm1(-x) / np.where(x > 0, x, 1.0), 1.0 - x / 2)


def mmc_response_survival(t, mu, theta, pw):
    """:math:`P(R > t)` for M/M/c FCFS, with :math:`\\theta = c\\mu - \\lambda`.

    .. math::
        P(R > t) = e^{-\\mu t} + C\\,\\mu\\,\\frac{e^{-\\mu t} - e^{-\\theta t}}{\\theta - \\mu}

    written with the smaller and larger of the two rates so that it neither
    overflows nor cancels when :math:`\\theta \\approx \\mu`.
    """
    low, high = np.minimum(mu, theta), np.maximum(mu, theta)
    return np.exp(-mu * t) + pw * mu * t * np.exp(-low * t) * _tail_ratio((high - low) * t)


def bisect_quantile(survival, p, upper, iterations=80):
    """Vectorized bisection for :math:`t` with ``survival(t) = 1 - p`` on ``[0, upper]``."""
    lo = np.zeros(np.broadcast(upper, p).shape)
    hi = np.broadcast_to(upper, lo.shape).astype(float)
    target = 1 - np.asarray(p, dtype=float)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        above = survival(mid) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def mmc_response_quantile(mu, theta, pw, p, kind):
    """The exact ``p``-quantile of the M/M/c response time (numeric only)."""
    if kind == SYMBOLIC:
        raise SymbolicUnsupportedError(
            "the M/M/c response-time percentile has no closed form; call mmc with numbers"
        )
    mu, theta, pw = (np.asarray(v, dtype=float) for v in (mu, theta, pw))
    # P(W + S > t) <= P(W > t/2) + P(S > t/2) <= 2 exp(-min(mu, theta) t / 2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        upper = 2 * np.log(2 / (1 - np.asarray(p))) / np.minimum(mu, theta)
        upper = np.where(np.isfinite(upper) & (upper > 0), upper, 1.0)
        return bisect_quantile(lambda t: mmc_response_survival(t, mu, theta, pw), p, upper)


def mmc_waiting_quantile(lam, mu, servers, p):
    """The exact ``p``-quantile of the M/M/c waiting time (closed form, numeric).

    .. math::
        t_p = \\max\\Bigl(0, \\frac{\\ln\\bigl(C/(1-p)\\bigr)}{c\\mu - \\lambda}\\Bigr)

    since :math:`P(W > t) = C\\,e^{-(c\\mu-\\lambda)t}`.
    """
    result = mmc(lam, mu, servers)
    c = whole("servers", servers, maximum=MAX_SERVERS)
    pw = np.asarray(result.waiting_time) * (c * np.asarray(mu) - np.asarray(lam))
    with np.errstate(divide="ignore"):
        t = np.log(pw / (1 - np.asarray(p))) / (c * np.asarray(mu) - np.asarray(lam))
    return np.where(np.asarray(result.stable), np.maximum(t, 0.0), np.inf)


def mmc(arrival_rate, service_rate, servers) -> StationResult:
    """M/M/c queue (Erlang C).

    .. math::
        a = \\frac{\\lambda}{\\mu},\\quad \\rho = \\frac{a}{c},\\quad
        W = \\frac{C(c, a)}{c\\mu - \\lambda},\\quad R = W + \\frac{1}{\\mu},\\quad
        L = \\lambda R = a + \\frac{\\rho\\,C(c, a)}{1 - \\rho}

    with :math:`C(c, a)` the Erlang C probability of waiting
    (:func:`~virtmodel.queueing.erlang_c`). Assumptions: Poisson arrivals,
    exponential service, ``servers`` identical servers, FCFS, infinite buffer.
    Stable only for :math:`\\rho < 1`. With one server it is M/M/1.

    Response-time percentiles are exact: the waiting time has an atom
    :math:`1 - C` at 0 and an exponential tail of rate :math:`c\\mu-\\lambda`,
    so :math:`P(R > t)` has a closed form that is inverted numerically.

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    service_rate : float, array or SymPy expression
        :math:`\\mu`, requests per second per server (> 0).
    servers : int or SymPy integer symbol
        :math:`c` (>= 1).

    Returns
    -------
    StationResult
        Floats, arrays (broadcast) or SymPy expressions, following the inputs.

    Examples
    --------
    ``mmc(1.0, 1.0, 2).response_time`` is 4/3 s (W = 1/3 s, S = 1 s).

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 1*, Wiley 1975, section 3.5;
    D. Gross et al., *Fundamentals of Queueing Theory*, 4th ed., section 2.3.
    """
    kind = kind_of(arrival_rate, service_rate, servers)
    same_shape(arrival_rate=arrival_rate, service_rate=service_rate)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind, normal=True)
    c = whole("servers", servers, maximum=MAX_SERVERS)
    with quiet_numerics(kind):
        metrics, pw = mmc_formulas(lam, mu, c, kind)
    stable = check_stability(metrics["utilization"], kind, f"M/M/{c}")
    with quiet_numerics(kind):
        theta, capacity = c * mu - lam, c * mu
    return build_station(
        model=f"M/M/{c}",
        kind=kind,
        metrics=metrics,
        stable=stable,
        capacity=capacity,
        percentile=lambda p: mmc_response_quantile(mu, theta, pw, p, kind),
        percentile_method=MMC_PERCENTILE,
        inputs=("arrival_rate", "service_rate", "servers"),
    )
