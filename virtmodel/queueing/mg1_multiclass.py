"""M/G/1 FCFS with several classes of customers (each with its own service distribution)."""

from __future__ import annotations

from ._multiclass import MultiClassResult, class_inputs, fcfs_waiting_moments
from ._percentiles import GAMMA_FIT
from ._result import build_gamma_fit_station, queueing_metrics
from ._stability import check_stability, quiet_numerics

MULTICLASS_PERCENTILE = (
    GAMMA_FIT + "; per class, Var(R_k) = Var(W) + Var(S_k) with Var(W) from Takacs' second moment "
    "(gamma-distributed service times for E[S^3])"
)


def mg1_multiclass(arrival_rates, mean_service_times, service_scvs) -> MultiClassResult:
    """M/G/1 FCFS queue shared by several Poisson classes (one waiting time for all).

    .. math::
        \\rho = \\sum_k \\lambda_k m_k,\\qquad
        W = \\frac{\\sum_k \\lambda_k E[S_k^2]}{2(1-\\rho)},\\qquad R_k = W + m_k

    with :math:`E[S_k^2] = m_k^2(1 + c_k^2)`: the Pollaczek-Khinchine formula
    with the mixed second moment of the pooled service time. FCFS ignores the
    class, so every class waits :math:`W`; the mean response time differs by the
    own service :math:`m_k`. Stable only for :math:`\\rho < 1`. One class gives
    :func:`~virtmodel.queueing.mg1`.

    Percentiles (``percentile_method``): per class a gamma fit to the exact mean
    and variance :math:`\\mathrm{Var}(W) + c_k^2 m_k^2` (W and the own service are
    independent under FCFS), with Takacs' :math:`E[W^2] = 2W^2 + \\sum_k\\lambda_k
    E[S_k^3]/(3(1-\\rho))` and gamma-distributed service times for :math:`E[S^3]`.

    Parameters
    ----------
    arrival_rates : sequence of float or SymPy expressions
        :math:`\\lambda_k` per class, requests per second (>= 0).
    mean_service_times : sequence
        :math:`m_k` per class, seconds (> 0).
    service_scvs : sequence
        :math:`c_k^2` per class (>= 0).

    Returns
    -------
    MultiClassResult
        ``classes[k]`` a StationResult per class; ``utilization`` the total load.

    Examples
    --------
    >>> r = mg1_multiclass([0.3, 0.2], [1.0, 2.0], [1.0, 0.0])
    >>> round(r[0].waiting_time, 6), round(r[1].response_time, 6)
    (2.333333, 4.333333)

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 2*, Wiley 1976, section 3.5;
    Mor Harchol-Balter, *Performance Modeling and Design of Computer Systems*,
    Cambridge 2013, section 23.2.
    """
    kind, lam, m, scv = class_inputs(arrival_rates, mean_service_times, service_scvs)
    with quiet_numerics(kind):
        w, w2 = fcfs_waiting_moments(lam, m, scv)
        rho = sum((lk * mk for lk, mk in zip(lam, m)), 0 * lam[0])
    stable = check_stability(rho, kind, "M/G/1 multi-class")
    classes = []
    for k, (lk, mk, sk) in enumerate(zip(lam, m, scv)):
        with quiet_numerics(kind):
            metrics = queueing_metrics(lk * mk, lk, w, mk)
            variance = w2 - w**2 + sk * mk**2
        classes.append(build_gamma_fit_station(
            model=f"M/G/1 FCFS class {k}", kind=kind, metrics=metrics, variance=variance, stable=stable,
            capacity=1 / mk, percentile_method=MULTICLASS_PERCENTILE,
            inputs=("arrival_rates", "mean_service_times", "service_scvs")))
    return MultiClassResult(model="M/G/1 FCFS multi-class", utilization=rho, classes=tuple(classes))
