"""M/M/c/K: Poisson arrivals, exponential service, c servers, room for K in total."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, as_output, kind_of
from .._validate import nonnegative, positive, same_shape, whole
from ..errors import ParameterError, SymbolicUnsupportedError
from ._percentiles import GAMMA_FIT
from ._result import StationResult, build_gamma_fit_station, build_station, queueing_metrics
from ._stability import quiet_numerics

#: the most states (capacity + 1) times sweep points the O(K) numeric solver takes
MAX_STATES = 10**7
MMCK_INPUTS = ("arrival_rate", "service_rate", "servers", "capacity")
#: the most states a symbolic call builds
SYMBOLIC_STATES = 300
#: the exact response-time mixture is used up to this many waiting places (K - c); above, the gamma fit
MIXTURE_MAX_QUEUE = 2000

MMCK_PERCENTILE = (
    "exact: the response time of an accepted arrival is a mixture over the state n it finds "
    "(PASTA, conditioned on acceptance) of Exp(mu) (n < c) and Erlang(n - c + 1, c mu) + Exp(mu) "
    f"(n >= c), inverted numerically; for more than {MIXTURE_MAX_QUEUE} waiting places: "
    + GAMMA_FIT + " (mean and variance exact from the same mixture)"
)


def state_probabilities(lam, mu, c, K, kind):
    """:math:`p_0, \\dots, p_K` of the M/M/c/K birth-death chain.

    Symbolic: a list of exact expressions (:math:`p_n \\propto a^n/n!` for
    :math:`n \\le c`, :math:`a^c/c!\\,(a/c)^{n-c}` above, :math:`a = \\lambda/\\mu`).
    Numeric: an array with the states on the last axis, computed in log space
    (:math:`\\ln a = \\ln\\lambda - \\ln\\mu`) and normalized by the largest
    term, so large loads and capacities neither overflow nor lose the ratio.
    """
    if kind == SYMBOLIC:
        import sympy as sp

        a = lam / mu
        weights = [a**n / sp.factorial(n) if n <= c else a**c / sp.factorial(c) * (a / c) ** (n - c)
                   for n in range(K + 1)]
        total = sp.Add(*weights)
        return [w / total for w in weights]
    from scipy.special import gammaln

    with np.errstate(divide="ignore", invalid="ignore"):
        log_a = (np.log(np.asarray(lam, dtype=float)) - np.log(np.asarray(mu, dtype=float)))[..., None]
    n = np.arange(K + 1, dtype=float)
    log_divisor = np.where(n <= c, gammaln(n + 1), gammaln(c + 1) + (n - c) * np.log(c))
    with np.errstate(invalid="ignore"):
        log_w = np.where(n == 0, 0.0, n * log_a) - log_divisor
    w = np.exp(log_w - log_w.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def mmck_formulas(lam, mu, c, probabilities):
    """M/M/c/K metrics from the symbolic state probabilities (a list :math:`p_0..p_K`).

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
    accepted = sum(probabilities[:K], 0 * blocking)  # not 1 - p_K: no cancellation when p_K ~ 1
    waiting = sum((probabilities[n] * (n - c + 1) for n in range(c, K)), 0 * blocking) / accepted / (c * mu)
    second = sum((probabilities[n] * (n - c + 1) * (n - c + 2) for n in range(c, K)), 0 * blocking)
    variance = second / accepted / (c * mu) ** 2 - waiting**2 + 1 / mu**2
    throughput = lam * accepted
    return queueing_metrics(throughput / (c * mu), throughput, waiting, 1 / mu), blocking, variance


def mmck_numeric(lam, mu, c, p):
    """The same metrics for numbers and arrays, from the state array ``p`` (states on the last axis).

    The carried load is :math:`\\lambda(1-p_K)` with :math:`1 - p_K` summed
    directly; where :math:`\\lambda/(c\\mu)` overflows it comes from the balance
    equations, :math:`\\lambda(1-p_K) = \\mu\\sum_n \\min(n, c)\\,p_n`, which
    stay in [0, 1] at any load. Also returns the probabilities
    :math:`q_n` that an accepted arrival finds :math:`n` jobs.
    """
    K = p.shape[-1] - 1
    n = np.arange(K + 1)
    accepted = p[..., :K].sum(axis=-1)
    q = p[..., :K] / accepted[..., None]
    j = np.arange(1, K - c + 1)  # the Erlang phase count n - c + 1 for n = c .. K-1
    theta = c * np.asarray(mu, dtype=float)
    waiting_phases = (q[..., c:] * j).sum(axis=-1) / c  # W in units of the mean service time 1/mu
    waiting = waiting_phases / np.asarray(mu, dtype=float)
    variance = ((q[..., c:] * j * (j + 1)).sum(axis=-1) / c**2 - waiting_phases**2 + 1) / np.asarray(mu) ** 2
    direct = np.asarray(lam) * accepted / theta
    utilization = np.where(np.isfinite(direct), direct, (p * np.minimum(n, c)).sum(axis=-1) / c)
    throughput = theta * utilization
    return queueing_metrics(utilization, throughput, waiting, 1 / mu), p[..., K], variance, q


def mmck_response_survival(t, mu, c, q):
    """:math:`P(R > t)` of an accepted arrival: the Erlang mixture (``q`` on the last axis).

    With :math:`\\theta = c\\mu` and :math:`k = n - c + 1` phases of waiting,
    :math:`P(E_k(\\theta) + S > t) = P(E_k(\\theta) > t) + e^{-\\mu t}
    \\bigl(\\tfrac{\\theta}{\\theta-\\mu}\\bigr)^k P(E_k(\\theta-\\mu) \\le t)`
    for :math:`c > 1` and :math:`P(E_{k+1}(\\mu) > t)` for :math:`c = 1`
    (:math:`E_k(r)` an Erlang of :math:`k` phases of rate :math:`r`), the last
    factor taken in log form.
    """
    from scipy.special import gammainc, gammaincc

    t = np.asarray(t, dtype=float)[..., None]
    mu = np.asarray(mu, dtype=float)[..., None]
    k = np.arange(1, q.shape[-1] - c + 1, dtype=float)
    survival = q[..., :c].sum(axis=-1) * np.exp(-mu[..., 0] * t[..., 0])
    if k.size:
        theta = c * mu
        if c == 1:
            tail = gammaincc(k + 1, mu * t)
        else:
            with np.errstate(divide="ignore", under="ignore"):
                tail = gammaincc(k, theta * t) + np.exp(
                    k * np.log(c / (c - 1)) - mu * t + np.log(gammainc(k, (theta - mu) * t)))
        survival = survival + (q[..., c:] * tail).sum(axis=-1)
    return survival


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
    same_shape(arrival_rate=arrival_rate, service_rate=service_rate)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind, normal=True)
    c = whole("servers", servers)
    K = whole("capacity", capacity, maximum=MAX_STATES)
    if not (isinstance(c, int) and isinstance(K, int)):
        raise SymbolicUnsupportedError("mmck needs concrete integers for servers and capacity")
    if K < c:
        raise ParameterError("capacity", capacity, f">= servers = {c}")
    if kind == SYMBOLIC:
        if K > SYMBOLIC_STATES:
            raise ParameterError("capacity", capacity, f"<= {SYMBOLIC_STATES} for symbolic input",
                                 "an expression with that many states is of no use; call mmck with numbers")
        metrics, blocking, variance = mmck_formulas(lam, mu, c, state_probabilities(lam, mu, c, K, kind))
        return build_gamma_fit_station(
            model=f"M/M/{c}/{K}", kind=kind, metrics=metrics, variance=variance, stable=True,
            capacity=c * mu, percentile_method=MMCK_PERCENTILE, blocking_probability=blocking)
    points = np.broadcast(np.asarray(lam), np.asarray(mu)).size
    if (K + 1) * points > MAX_STATES:
        raise ParameterError("capacity", capacity, f"<= {MAX_STATES // points - 1} for {points} point(s)",
                             f"the M/M/c/K solver holds all K + 1 states; at most {MAX_STATES:.0e} "
                             "states times points (for a practically infinite room use mmc)")
    with quiet_numerics(kind):
        metrics, blocking, variance, q = mmck_numeric(lam, mu, c, state_probabilities(lam, mu, c, K, kind))
    if K - c > MIXTURE_MAX_QUEUE:
        return build_gamma_fit_station(
            model=f"M/M/{c}/{K}", kind=kind, metrics=metrics, variance=variance, stable=True,
            capacity=c * mu, percentile_method=MMCK_PERCENTILE,
            blocking_probability=as_output(blocking, kind), inputs=MMCK_INPUTS)
    return build_station(
        model=f"M/M/{c}/{K}", kind=kind, metrics=metrics, stable=True, capacity=c * mu,
        percentile=lambda p: mmck_response_quantile(mu, c, q, metrics["response_time"], variance, p),
        percentile_method=MMCK_PERCENTILE, blocking_probability=as_output(blocking, kind), inputs=MMCK_INPUTS)


def mmck_response_quantile(mu, c, q, mean, variance, p):
    """The exact ``p``-quantile of the M/M/c/K response time (bisection on the mixture).

    Solved in units of the mean service time :math:`1/\\mu` (the law of :math:`\\mu R`
    depends on ``q`` and ``c`` only), so tiny or huge rates neither overflow nor underflow.
    """
    from .mmc import bisect_quantile

    mu = np.asarray(mu, dtype=float)
    mean_s, var_s = np.asarray(mean) * mu, np.asarray(variance) * mu * mu
    with np.errstate(over="ignore", invalid="ignore"):
        # Chebyshev-Cantelli: P(R > mean + s) <= var / (var + s^2), so this bracket holds the quantile
        upper = mean_s + np.sqrt(var_s * np.asarray(p) / (1 - np.asarray(p))) + 1e-12
    shape = np.broadcast(upper, mu, q[..., 0]).shape
    qb = np.broadcast_to(q, shape + q.shape[-1:])
    one = np.ones(shape)
    upper = np.broadcast_to(upper, shape)
    scaled = bisect_quantile(lambda t: mmck_response_survival(t, one, c, qb), p, upper)
    return scaled / mu
