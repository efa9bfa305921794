"""M/G/1 with static priorities: non-preemptive and preemptive-resume (Cobham's formulas)."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from .._validate import choice
from ..errors import UnstableError
from ._moments import second_moment, third_moment
from ._multiclass import MultiClassResult, class_inputs, fcfs_waiting_moments, residual_work
from ._percentiles import GAMMA_FIT
from ._result import build_gamma_fit_station, queueing_metrics
from ._stability import check_stability, quiet_numerics

PREEMPTIVE_PERCENTILE = (
    GAMMA_FIT + "; exact two moments: R_k is a delay busy period of classes 1..k-1 started by "
    "W(k) + S_k, W(k) the FCFS wait of classes 1..k alone (gamma-distributed service for E[S^3])"
)
NONPREEMPTIVE_PERCENTILE = (
    GAMMA_FIT + "; exact two moments: W_k is a delay busy period of classes 0..k-1 started by "
    "W(<=k) + Y, W(<=k) the FCFS wait of classes 0..k alone and Y, independent, the age of a "
    "lower-class service with probability rho_L/(1 - sigma_k) (Fuhrmann-Cooper: the lower classes act "
    "as vacations); gamma-distributed service for E[S^3]"
)


def _sigma(lam, m, k):
    """:math:`\\sigma_k = \\sum_{i<k}\\rho_i` (the load of the classes before ``k``)."""
    return sum((li * mi for li, mi in zip(lam[:k], m[:k])), 0 * lam[0])


def _served_rates(lam, m, kind):
    """Long-run throughput of each class: :math:`\\lambda_i`, or, where class ``i`` saturates,
    :math:`(1-\\sigma_{i-1})/m_i` (the capacity the classes before it leave; 0 below a saturated class).

    Symbolic rates stay as given (the user owns their range, as in the stability check).
    """
    if kind == SYMBOLIC:
        return lam
    served, left = [], 1.0
    for li, mi in zip(lam, m):
        left = np.maximum(left, 0.0)
        fits = li * mi <= left
        served.append(np.where(fits, li, left / mi))
        left = left - np.where(fits, li * mi, left)
    return served


def _check_classes(lam, m, kind):
    """Stability per class (class k needs sigma_{k+1} < 1): a scalar error names the first unstable class."""
    masks = []
    for k in range(len(lam)):
        try:
            masks.append(check_stability(_sigma(lam, m, k + 1), kind, f"priority class {k}"))
        except UnstableError as err:
            station = f"M/G/1 priority class {k} (load of classes 0..{k})"
            raise UnstableError(err.utilization, station) from None
    return masks


def _preemptive_class(lam, m, scv, k, kind):
    """Metrics and Var(R_k) of class ``k`` under preemptive-resume priority."""
    s_before = _sigma(lam, m, k)
    w_k, w2_k = fcfs_waiting_moments(lam[: k + 1], m[: k + 1], scv[: k + 1])
    x1 = w_k + m[k]
    x2 = w2_k + 2 * w_k * m[k] + second_moment(m[k], scv[k])
    r1 = x1 / (1 - s_before)
    higher = 2 * residual_work(lam[:k], m[:k], scv[:k]) if k else 0 * x1  # sum_{i<k} lambda_i E[S_i^2]
    r2 = x2 / (1 - s_before) ** 2 + x1 * higher / (1 - s_before) ** 3
    return queueing_metrics(lam[k] * m[k], lam[k], r1 - m[k], m[k]), r2 - r1**2


def _nonpreemptive_class(lam, m, scv, k, served=None):
    """Metrics and Var(R_k) of class ``k`` under non-preemptive priority.

    The lower classes enter only through the service in progress, at their
    long-run throughputs ``served`` (:func:`_served_rates`; None: ``lam``, all stable): a saturated lower
    class keeps the server busy with probability :math:`1-\\sigma_k`, not
    :math:`\\rho_L > 1-\\sigma_k`.

    :math:`W_k` is a delay busy period of the classes before ``k`` started by the
    work :math:`X = W^{(\\le k)} + Y`: the FCFS wait of classes :math:`0..k` alone
    plus, independently (Fuhrmann-Cooper, the lower classes acting as vacations),
    the age of a lower-class service with probability :math:`\\rho_L/(1-\\sigma_k)`.
    """
    s_before, s_upto = _sigma(lam, m, k), _sigma(lam, m, k + 1)
    w_le, w2_le = fcfs_waiting_moments(lam[: k + 1], m[: k + 1], scv[: k + 1])
    lower = list(zip((lam if served is None else served)[k + 1:], m[k + 1:], scv[k + 1:]))
    y1 = sum((li * second_moment(mi, si) for li, mi, si in lower), 0 * w_le) / (2 * (1 - s_upto))
    y2 = sum((li * third_moment(mi, si) for li, mi, si in lower), 0 * w_le) / (3 * (1 - s_upto))
    x1, x2 = w_le + y1, w2_le + 2 * w_le * y1 + y2
    higher = 2 * residual_work(lam[:k], m[:k], scv[:k]) if k else 0 * x1
    w1 = x1 / (1 - s_before)
    w2 = x2 / (1 - s_before) ** 2 + x1 * higher / (1 - s_before) ** 3
    return queueing_metrics(lam[k] * m[k], lam[k], w1, m[k]), w2 - w1**2 + scv[k] * m[k] ** 2


def mg1_priority(arrival_rates, mean_service_times, service_scvs, preemptive=False) -> MultiClassResult:
    """M/G/1 with static priority classes (class 0 highest), FCFS within a class.

    Non-preemptive (Cobham 1954) and preemptive-resume, with
    :math:`\\rho_i = \\lambda_i m_i`, :math:`\\sigma_k = \\sum_{i \\le k}\\rho_i`
    (:math:`\\sigma_{-1} = 0`) and :math:`R_0^{(k)} = \\sum_{i \\le k}\\lambda_i E[S_i^2]/2`:

    .. math::
        W_k^{\\mathrm{NP}} = \\frac{R_0^{(K)}}{(1-\\sigma_{k-1})(1-\\sigma_k)},\\qquad
        R_k^{\\mathrm{PR}} = \\frac{m_k}{1-\\sigma_{k-1}}
            + \\frac{R_0^{(k)}}{(1-\\sigma_{k-1})(1-\\sigma_k)}

    (non-preemptive: the residual of any class in service delays everyone;
    preemptive-resume: class k sees only classes 0..k). For preemptive priority
    ``waiting_time`` is :math:`R_k - m_k` (all delay, including preemptions).
    Class k is stable when :math:`\\sigma_k < 1`: a scalar call raises
    UnstableError naming the first unstable class and its load; lower classes
    of an array sweep are ``inf`` where they saturate, and the stable classes
    above them stay exact: under non-preemptive priority the saturated class
    enters :math:`R_0^{(K)}` at its long-run throughput
    :math:`(1-\\sigma_{j-1})/m_j` (the server never idles; the classes below it
    are never served), not at :math:`\\lambda_j`. One class gives
    :func:`~virtmodel.queueing.mg1`.

    Percentiles: a gamma fit to the exact first two moments, from delay busy
    periods of classes :math:`0..k-1` (:math:`E[B] = x/(1-\\sigma_{k-1})`,
    :math:`\\mathrm{Var}(B \\mid x) = x\\sum_{i<k}\\lambda_iE[S_i^2]/(1-\\sigma_{k-1})^3`)
    started by the work :math:`x`: for preemptive-resume :math:`W^{(k)} + S_k`,
    with :math:`W^{(k)}` the FCFS wait of classes :math:`0..k` alone; for
    non-preemptive priority (the wait) :math:`W^{(k)} + Y`, with :math:`Y`
    independent, the age of a lower-class service with probability
    :math:`\\rho_L/(1-\\sigma_k)` and 0 otherwise (the lower classes act as
    vacations of classes :math:`0..k`; Fuhrmann-Cooper decomposition).
    Third moments of service: gamma-distributed service times.

    Parameters
    ----------
    arrival_rates : sequence of float or SymPy expressions
        :math:`\\lambda_k` per class, highest priority first (>= 0, 1/s).
    mean_service_times : sequence
        :math:`m_k` per class, seconds (> 0).
    service_scvs : sequence
        :math:`c_k^2` per class (>= 0).
    preemptive : bool
        False: non-preemptive (default); True: preemptive-resume.

    Returns
    -------
    MultiClassResult

    Examples
    --------
    >>> r = mg1_priority([0.3, 0.4], [1.0, 1.0], [1.0, 1.0])
    >>> round(r[0].waiting_time, 6), round(r[1].waiting_time, 6)  # R0 = 0.7: 0.7/0.7, 0.7/(0.7 * 0.3)
    (1.0, 3.333333)

    References
    ----------
    A. Cobham, "Priority assignment in waiting line problems", Oper. Res. 2 (1954)
    70-76; L. Kleinrock, *Queueing Systems, Vol. 2*, Wiley 1976, section 3.6
    (eqs. 3.30 and 3.45); H. Takagi, *Queueing Analysis, Vol. 1*, North-Holland 1991,
    section 3.2 (the delay busy period).
    """
    choice("preemptive", preemptive, (False, True))
    kind, lam, m, scv = class_inputs(arrival_rates, mean_service_times, service_scvs)
    masks = _check_classes(lam, m, kind)
    served = _served_rates(lam, m, kind)
    total = _sigma(lam, m, len(lam))
    classes = []
    inputs = ("arrival_rates", "mean_service_times", "service_scvs")
    for k in range(len(lam)):
        model = f"M/G/1 {'preemptive' if preemptive else 'non-preemptive'} priority class {k}"
        with quiet_numerics(kind):
            if preemptive:
                metrics, variance = _preemptive_class(lam, m, scv, k, kind)
            else:
                metrics, variance = _nonpreemptive_class(lam, m, scv, k, served)
        method = PREEMPTIVE_PERCENTILE if preemptive else NONPREEMPTIVE_PERCENTILE
        classes.append(build_gamma_fit_station(
            model=model, kind=kind, metrics=metrics, variance=variance, stable=masks[k], capacity=1 / m[k],
            inputs=inputs, percentile_method=method))
    return MultiClassResult(model=f"M/G/1 {'preemptive' if preemptive else 'non-preemptive'} priority",
                            utilization=total, classes=tuple(classes))
