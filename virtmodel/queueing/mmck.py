"""M/M/c/K: Poisson arrivals, exponential service, c servers, room for K in total."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, as_output, kind_of
from .._validate import nonnegative, positive, whole
from ..errors import ParameterError, SymbolicUnsupportedError
from ._percentiles import GAMMA_FIT
from ._result import StationResult, build_gamma_fit_station, queueing_metrics
from ._stability import quiet_numerics

MMCK_PERCENTILE = (
    GAMMA_FIT + "; mean and variance exact from the mixture: an accepted arrival that "
    "finds n >= c jobs waits Erlang(n - c + 1, c mu)"
)


def state_probabilities(a, c, K, kind):
    """:math:`p_0, \\dots, p_K` of the M/M/c/K birth-death chain, as a list.

    Symbolic: exact expressions (:math:`p_n \\propto a^n/n!` for :math:`n \\le c`,
    :math:`a^c/c!\\,(a/c)^{n-c}` above). Numeric: computed in log space and
    normalized by the largest term, so large loads and capacities do not overflow.
    """
    if kind == SYMBOLIC:
        import sympy as sp

        weights = [a**n / sp.factorial(n) if n <= c else a**c / sp.factorial(c) * (a / c) ** (n - c)
                   for n in range(K + 1)]
        total = sum(weights)
        return [w / total for w in weights]
    from scipy.special import gammaln

    a = np.asarray(a, dtype=float)[..., None]
    n = np.arange(K + 1)
    log_divisor = np.where(n <= c, gammaln(n + 1), gammaln(c + 1) + (n - c) * np.log(c))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_w = np.where(n == 0, 0.0, n * np.log(a)) - log_divisor
    w = np.exp(log_w - log_w.max(axis=-1, keepdims=True))
    p = w / w.sum(axis=-1, keepdims=True)
    return [p[..., i] for i in range(K + 1)]


def mmck_formulas(lam, mu, c, probabilities):
    """M/M/c/K metrics from the state probabilities, one formula for all kinds.

    An accepted arrival (probability :math:`1 - p_K`) that finds :math:`n \\ge c`
    jobs waits an Erlang(:math:`n-c+1`, :math:`c\\mu`) time, so

    .. math::
        W = \\sum_{n=c}^{K-1} \\frac{p_n}{1-p_K}\\,\\frac{n-c+1}{c\\mu},\\quad
        E[W^2] = \\sum_{n=c}^{K-1} \\frac{p_n}{1-p_K}\\,\\frac{(n-c+1)(n-c+2)}{(c\\mu)^2}

    and :math:`R = W + 1/\\mu`, :math:`X = \\lambda(1 - p_K)`, :math:`L = XR`.
    Returns the metrics, the blocking probability and :math:`\\mathrm{Var}(R)`.
    """
    K = len(probabilities) - 1
    blocking = probabilities[K]
    accepted = 1 - blocking
    waiting = sum((probabilities[n] * (n - c + 1) for n in range(c, K)), 0 * blocking) / accepted / (c * mu)
    second = sum((probabilities[n] * (n - c + 1) * (n - c + 2) for n in range(c, K)), 0 * blocking)
    variance = second / accepted / (c * mu) ** 2 - waiting**2 + 1 / mu**2
    throughput = lam * accepted
    return queueing_metrics(throughput / (c * mu), throughput, waiting, 1 / mu), blocking, variance


def mmck(arrival_rate, service_rate, servers, capacity) -> StationResult:
    """M/M/c/K queue: finite room, arrivals that find it full are lost.

    .. math::
        p_n = p_0 \\frac{a^n}{n!}\\ (n \\le c),\\quad
        p_n = p_0 \\frac{a^c}{c!}\\Bigl(\\frac{a}{c}\\Bigr)^{n-c}\\ (c < n \\le K),\\quad
        P_{\\mathrm{block}} = p_K,\\quad X = \\lambda (1 - p_K)

    with :math:`a = \\lambda/\\mu`; :math:`L = X R`, :math:`L_q = X W` (Little,
    with the effective throughput). Assumptions: Poisson arrivals, exponential
    service, ``servers`` servers, at most ``capacity`` jobs in the system
    (in service plus waiting), FCFS, blocked arrivals lost. Always stable:
    ``utilization`` is the carried per-server load :math:`X/(c\\mu) < 1` at
    every load. ``capacity == servers`` is the Erlang B loss system.

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, offered requests per second (>= 0).
    service_rate : float, array or SymPy expression
        :math:`\\mu`, requests per second per server (> 0).
    servers : int
        :math:`c` (>= 1).
    capacity : int
        :math:`K`, the most jobs in the system (>= ``servers``). Symbolic
        calls need concrete integers for ``servers`` and ``capacity``.

    Returns
    -------
    StationResult
        With ``blocking_probability`` set; ``throughput`` is the carried rate.

    Examples
    --------
    ``mmck(1.0, 1.0, 1, 1).blocking_probability`` is 0.5.

    References
    ----------
    D. Gross et al., *Fundamentals of Queueing Theory*, 4th ed., Wiley 2008,
    section 2.5; L. Kleinrock, *Queueing Systems, Vol. 1*, section 3.6.
    """
    kind = kind_of(arrival_rate, service_rate, servers, capacity)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind)
    c = whole("servers", servers)
    K = whole("capacity", capacity)
    if not (isinstance(c, int) and isinstance(K, int)):
        raise SymbolicUnsupportedError("mmck needs concrete integers for servers and capacity")
    if K < c:
        raise ParameterError("capacity", capacity, f">= servers = {c}")
    with quiet_numerics(kind):
        metrics, blocking, variance = mmck_formulas(lam, mu, c, state_probabilities(lam / mu, c, K, kind))
    return build_gamma_fit_station(
        model=f"M/M/{c}/{K}", kind=kind, metrics=metrics, variance=variance, stable=True, capacity=c * mu,
        percentile_method=MMCK_PERCENTILE,
        blocking_probability=blocking if kind == SYMBOLIC else as_output(blocking, kind))
