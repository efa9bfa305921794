"""M/G/c FCFS shared by several Poisson classes: Allen-Cunneen over the pooled service time."""

from __future__ import annotations

from .._backend import SYMBOLIC
from .._validate import whole
from ._moments import second_moment, third_moment
from ._multiclass import MultiClassResult, class_inputs
from ._percentiles import GAMMA_FIT
from ._result import build_gamma_fit_station, queueing_metrics
from ._stability import check_stability, quiet_numerics
from .erlang import MAX_SERVERS, erlang_c_value
from .mgc import allen_cunneen, waiting_variance

MGC_MULTICLASS_PERCENTILE = (
    GAMMA_FIT + "; per class, Allen-Cunneen's Var(R) with the pooled wait and the class's own service variance"
)


def _pooled(lam, m, scv, kind):
    """Total rate, mean and variance of the pooled service time (the rate-weighted mixture), and its third
    moment over the mean's cube, :math:`E[S^3]/\\bar m^3` (from each class's mean over the pooled one: no
    :math:`m^3` to under- or overflow a float for means beyond about 1e-103 or 1e102)."""
    total = sum(lam[1:], lam[0])
    work = sum((lk * mk for lk, mk in zip(lam, m)), 0 * lam[0])
    second = sum((lk * second_moment(mk, sk) for lk, mk, sk in zip(lam, m, scv)), 0 * lam[0])
    if kind == SYMBOLIC:
        if getattr(total, "is_zero", False):  # no arrivals: as below, W is 0 whatever the pooled moments
            return total, m[0], second_moment(m[0], scv[0]) - m[0] ** 2, third_moment(1, scv[0])
        mean, moment2 = work / total, second / total
    else:
        import numpy as np

        some = np.asarray(total) > 0
        safe = np.where(some, total, 1.0)
        mean = np.where(some, work / safe, m[0])           # no arrivals: any class's time, W is 0 anyway
        moment2 = np.where(some, second / safe, second_moment(m[0], scv[0]))
    third = sum((lk * third_moment(mk / mean, sk) for lk, mk, sk in zip(lam, m, scv)), 0 * lam[0])
    third = third / total if kind == SYMBOLIC else np.where(some, third / safe, third_moment(1, scv[0]))
    return total, mean, moment2 - mean**2, third


def mgc_multiclass(arrival_rates, mean_service_times, service_scvs, servers) -> MultiClassResult:
    """M/G/c FCFS queue shared by several Poisson classes, each with its own service time.

    FCFS ignores the class, so every class waits the same :math:`W`; the pooled
    service time is the mixture of the classes' (weights :math:`\\lambda_k/\\Lambda`):

    .. math::
        \\Lambda = \\sum_k\\lambda_k,\\quad \\bar m = \\sum_k \\frac{\\lambda_k}{\\Lambda} m_k,\\quad
        v = \\sum_k \\frac{\\lambda_k}{\\Lambda} m_k^2(1+c_k^2) - \\bar m^2,\\qquad
        W = P_w\\,\\frac{\\bar m^2 + v}{2\\bar m(c - \\Lambda\\bar m)},\\quad R_k = W + m_k

    with :math:`P_w` the Erlang C probability :math:`C(c, \\Lambda\\bar m)`
    (Allen-Cunneen, :func:`~virtmodel.queueing.mgc.allen_cunneen`, applied to the
    pooled service time). One class is :func:`~virtmodel.queueing.ggc` with
    ``arrival_scv=1``; one server is :func:`~virtmodel.queueing.mg1_multiclass`
    (Pollaczek-Khinchine with the pooled second moment, exact). For several servers
    it is an approximation, exact for exponential service of equal means (M/M/c).
    Stable for :math:`\\Lambda\\bar m < c`.

    Percentiles: a gamma fit to the mean and the variance
    :math:`\\mathrm{Var}(W) + c_k^2 m_k^2`, :math:`\\mathrm{Var}(W)` that of
    :func:`~virtmodel.queueing.mgc.waiting_variance` with the pooled service
    time's third moment (the rate-weighted mixture of the classes' gamma third
    moments): Takacs' exact variance at one server (= :func:`mg1_multiclass`),
    exact for M/M/c.

    Parameters
    ----------
    arrival_rates, mean_service_times, service_scvs : sequences, one value per class
        :math:`\\lambda_k` (1/s, >= 0), :math:`m_k` (s, > 0), :math:`c_k^2` (>= 0).
    servers : int
        :math:`c` (>= 1).

    Returns
    -------
    MultiClassResult

    Examples
    --------
    >>> r = mgc_multiclass([0.3, 0.2], [1.0, 2.0], [1.0, 0.0], 1)  # = mg1_multiclass
    >>> round(r[0].waiting_time, 6), round(r[1].response_time, 6)
    (2.333333, 4.333333)

    References
    ----------
    A. O. Allen, *Probability, Statistics, and Queueing Theory*, 2nd ed., Academic
    Press 1990, section 6.3; W. Whitt, "Approximations for the GI/G/m queue",
    Production and Operations Management 2 (1993) 114-161 (the pooled-service
    heuristic for multi-class multi-server FCFS).
    """
    kind, lam, m, scv = class_inputs(arrival_rates, mean_service_times, service_scvs, servers)
    c = whole("servers", servers, maximum=MAX_SERVERS)  # more would overflow a float in Erlang C
    with quiet_numerics(kind):
        total, mean, var, third = _pooled(lam, m, scv, kind)
        load = total * mean
        pwait = erlang_c_value(c, load, kind) if kind == SYMBOLIC else _erlang_c_numeric(c, load)
        wait = allen_cunneen(total, mean, var, c, pwait)["waiting_time"]
        tail = (mean**2 + var) / (2 * mean * (c - load))
        # in units of the pooled mean (Var(W) scales with its square; third is E[S^3]/mean^3)
        var_w = waiting_variance(1, var / mean / mean, load / c, pwait, tail / mean, third) * mean * mean
    stable = check_stability(load / c, kind, f"M/G/{c} multi-class")
    classes = []
    for k, (lk, mk, sk) in enumerate(zip(lam, m, scv)):
        with quiet_numerics(kind):
            metrics = queueing_metrics(lk * mk / c, lk, wait, mk)
            variance = var_w + sk * mk**2
        classes.append(build_gamma_fit_station(
            model=f"M/G/{c} FCFS class {k}", kind=kind, metrics=metrics, variance=variance, stable=stable,
            capacity=c / mk, percentile_method=MGC_MULTICLASS_PERCENTILE,
            inputs=("arrival_rates", "mean_service_times", "service_scvs", "servers")))
    return MultiClassResult(model=f"M/G/{c} FCFS multi-class", utilization=load / c, classes=tuple(classes))


def _erlang_c_numeric(c, load):
    """Erlang C, 0 where there is no load (the Allen-Cunneen wait is then 0, not 0/0)."""
    import numpy as np

    return np.where(np.asarray(load) > 0, erlang_c_value(c, np.maximum(load, 0.0), "array"), 0.0)
