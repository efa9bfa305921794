"""G/G/1 approximations (Kingman's heavy-traffic formula) and the shared G/G/c core."""

from __future__ import annotations

from .._backend import kind_of, ops_for
from .._validate import choice, nonnegative, positive, same_shape
from ._result import StationResult, build_gamma_fit_station, queueing_metrics
from ._stability import check_stability, quiet_numerics
from .mgc import allen_cunneen

GG_PERCENTILE = (
    "approximation: gamma distribution fitted to the mean and variance of R = W + S, "
    "with W an atom 1 - P_wait at 0 plus a conditional wait of the approximate mean T and the "
    "second moment of a c-times-faster M/G/1's wait (Takacs, gamma-distributed service; "
    "exponential for exponential service), and Var(S) = scv m^2"
)


def gg_formulas(lam, m, c, arrival_scv, service_scv, pwait):
    """The G/G/c mean values from an approximate probability of waiting.

    .. math::
        \\rho = \\frac{\\lambda m}{c},\\quad
        W = P_w\\,\\frac{m}{c(1-\\rho)}\\,\\frac{c_a^2 + c_s^2}{2},\\quad R = W + m

    Kingman (:math:`c = 1`, :math:`P_w = \\rho`), Allen-Cunneen
    (:math:`P_w` = Erlang C) and Sakasegawa (:math:`P_w = \\rho^{\\sqrt{2(c+1)}-1}`)
    differ only in :math:`P_w`. Also returns the variance of the response time,
    :math:`\\mathrm{Var}(W) = P_wT^2(2\\rho + (1-\\rho)\\kappa - P_w)` with :math:`T = W/P_w`
    (:mod:`.mgc`: the conditional wait of an M/G/1 with a :math:`c` times faster server;
    :math:`\\kappa = 2` for exponential service gives :math:`2P_wT^2 - P_w^2T^2`).
    The formula is written once, in :func:`.mgc.allen_cunneen` (in terms of the
    service variance :math:`c_s^2 m^2`), which the virtualization model uses too.
    """
    terms = allen_cunneen(lam, m, service_scv * m**2, c, pwait, arrival_scv)
    return queueing_metrics(terms["utilization"], lam, terms["waiting_time"], m), terms["response_variance"]


def gg_station(lam, m, c, arrival_scv, service_scv, pwait, kind, model) -> StationResult:
    """Build a G/G/c result from validated inputs and a probability-of-waiting formula."""
    with quiet_numerics(kind):
        metrics, variance = gg_formulas(lam, m, c, arrival_scv, service_scv, pwait(lam * m, c))
        capacity = c / m
    stable = check_stability(metrics["utilization"], kind, model)
    return build_gamma_fit_station(model=model, kind=kind, metrics=metrics, variance=variance, stable=stable,
                                   capacity=capacity, percentile_method=GG_PERCENTILE,
                                   inputs=("arrival_rate", "mean_service_time", "arrival_scv", "service_scv"))


def gg_inputs(arrival_rate, mean_service_time, arrival_scv, service_scv, servers=1):
    """Validate the common G/G inputs; returns the kind and the converted values."""
    kind = kind_of(arrival_rate, mean_service_time, arrival_scv, service_scv, servers)
    same_shape(arrival_rate=arrival_rate, mean_service_time=mean_service_time, arrival_scv=arrival_scv,
               service_scv=service_scv)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    m = positive("mean_service_time", mean_service_time, kind, normal=True)
    ca2 = nonnegative("arrival_scv", arrival_scv, kind)
    cs2 = nonnegative("service_scv", service_scv, kind)
    return kind, lam, m, ca2, cs2


def gg1(arrival_rate, mean_service_time, arrival_scv, service_scv, method="kingman") -> StationResult:
    """G/G/1 queue, Kingman's approximation.

    .. math::
        \\rho = \\lambda m, \\qquad
        W \\approx \\frac{\\rho}{1-\\rho}\\,\\frac{c_a^2 + c_s^2}{2}\\,m, \\qquad R = W + m

    Assumptions: renewal arrivals with interarrival SCV :math:`c_a^2`, i.i.d.
    service of mean :math:`m` and SCV :math:`c_s^2`, one server, FCFS;
    stable only for :math:`\\rho < 1`. Exact for Poisson arrivals
    (:math:`c_a^2 = 1`, where it is the Pollaczek-Khinchine formula) and
    asymptotically exact in heavy traffic (:math:`\\rho \\to 1`); an
    approximation elsewhere (an upper-bound flavour for :math:`c_a^2 > 1`).
    ``method="allen-cunneen"`` is accepted and is identical for one server.
    ``method="kraemer-langenbach-belz"`` multiplies W by the correction
    :math:`g` of :func:`klb_factor` (better for smooth arrivals, :math:`c_a^2 < 1`;
    exact for D/D/1 and, like Kingman, for Poisson arrivals).

    Parameters
    ----------
    arrival_rate : float, array or SymPy expression
        :math:`\\lambda`, requests per second (>= 0).
    mean_service_time : float, array or SymPy expression
        :math:`m`, seconds (> 0).
    arrival_scv, service_scv : float, array or SymPy expression
        Squared coefficients of variation of interarrival and service times (>= 0).
    method : {"kingman", "allen-cunneen", "kraemer-langenbach-belz"}
        The approximation.

    Returns
    -------
    StationResult
        Percentiles by a documented approximation (``percentile_method``).

    Examples
    --------
    ``gg1(0.5, 1.0, 1.0, 1.0).response_time`` is 2.0 s (M/M/1).

    References
    ----------
    J. F. C. Kingman, "The single server queue in heavy traffic", Proc.
    Cambridge Philos. Soc. 57 (1961) 902-904; W. Whitt, "Approximations for the
    GI/G/m queue", Prod. Oper. Manag. 2 (1993); W. Kraemer, M. Langenbach-Belz,
    "Approximate formulae for the delay in the queueing system GI/G/1", 8th
    International Teletraffic Congress, Melbourne 1976; G. Bolch et al.,
    *Queueing Networks and Markov Chains*, 2nd ed., Wiley 2006, section 6.3.4.
    """
    choice("method", method, ("kingman", "allen-cunneen", "kraemer-langenbach-belz"))
    kind, lam, m, ca2, cs2 = gg_inputs(arrival_rate, mean_service_time, arrival_scv, service_scv)
    if method == "kraemer-langenbach-belz":
        ops = ops_for(kind)
        return gg_station(lam, m, 1, ca2, cs2, lambda a, c: a * klb_factor(a, ca2, cs2, ops), kind, "G/G/1")
    return gg_station(lam, m, 1, ca2, cs2, lambda a, c: a, kind, "G/G/1")


def klb_factor(rho, ca2, cs2, ops):
    """The Kraemer-Langenbach-Belz correction :math:`g` to Kingman's formula.

    .. math::
        g = \\exp\\Bigl(-\\frac{2(1-\\rho)(1-c_a^2)^2}{3\\rho(c_a^2+c_s^2)}\\Bigr)\\ (c_a^2 < 1),\\qquad
        g = \\exp\\Bigl(-\\frac{(1-\\rho)(c_a^2-1)}{c_a^2+4c_s^2}\\Bigr)\\ (c_a^2 \\ge 1)
    """
    smooth = ops.exp(-2 * (1 - rho) * (1 - ca2) ** 2 / (3 * rho * (ca2 + cs2)))
    bursty = ops.exp(-(1 - rho) * (ca2 - 1) / (ca2 + 4 * cs2))
    return ops.where(ca2 < 1, smooth, bursty)
