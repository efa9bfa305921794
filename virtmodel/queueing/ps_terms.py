"""A processor-sharing server as terms the model composes: one class (SymPy) and several (NumPy).

One server shared equally by every job present (M/G/1-PS), Poisson arrivals:

.. math::
    \\rho = \\sum_k \\lambda_k m_k, \\qquad R_k = \\frac{m_k}{1-\\rho}
    \\quad\\text{(exact, insensitive to the service distribution)},

    \\mathrm{Var}(R_k) \\approx \\frac{v_k}{(1-\\rho)^2}
        + \\frac{1 + c_k^2}{2}\\,\\frac{2\\rho}{2-\\rho}\\Big(\\frac{m_k}{1-\\rho}\\Big)^2,
    \\qquad c_k^2 = v_k / m_k^2 .

The variance is exact for exponential service (M/M/1-PS: SCV
:math:`(2+\\rho)/(2-\\rho)`, Coffman, Muntz and Trotter 1970), gives the service's
own variance as :math:`\\rho \\to 0`, and scales the sharing term by
:math:`(1+c^2)/2` for other services (a two-moment approximation, as Kingman's
for FCFS). Measured against the virtual-time simulation
(:func:`virtmodel.simulate.processor_sharing.ps_departure_times`, 3.6e5
jobs): constant service -23% to +11% over loads 0.1-0.95, SCV 0.25 -6% to +2%,
SCV 1 -2% to +5%, SCV 4 +2% to +47% (the heavy-tailed case at 0.95); tested in
``tests/queueing/test_ps_terms.py``.
"""

from __future__ import annotations

import numpy as np

from .._validate import nonnegative, positive
from ..errors import ParameterError
from .mg1_ps import mg1_ps_formulas, ps_response_scv
from .mgc import MGcTerms


def ps_response_variance(m, v, rho):
    """:math:`\\mathrm{Var}(R)` of a job of mean ``m`` and variance ``v`` at a PS server of load ``rho``
    (module formula, the M/M/1-PS SCV from :func:`~.mg1_ps.ps_response_scv`; SymPy expressions or
    NumPy arrays)."""
    mean = m / (1 - rho)
    return v / (1 - rho) ** 2 + (1 + v / m / m) / 2 * (ps_response_scv(rho) - 1) * mean * mean


def ps_terms(arrival_rate, mean_service_time, service_variance) -> MGcTerms:
    """One class at a processor-sharing server as the queueing core's station terms (SymPy): the means of
    :func:`~.mg1_ps.mg1_ps_formulas`, the variance of :func:`ps_response_variance`, capacity :math:`1/m`.

    ``waiting_time`` is the delay sharing adds, :math:`R - m`.
    """
    lam, m, v = arrival_rate, mean_service_time, service_variance
    means = mg1_ps_formulas(lam, m)
    rho = means["utilization"]
    return MGcTerms(arrival_rate=lam, mean_service_time=m, service_variance=v, servers=1, utilization=rho,
                    waiting_time=means["waiting_time"], response_time=means["response_time"],
                    response_variance=ps_response_variance(m, v, rho), capacity=1 / m)


def ps_multiclass(arrival_rates, means, variances):
    """``[(R_k, Var(R_k))]`` of classes sharing one PS server (module formulas; ``inf`` at
    :math:`\\rho \\ge 1`). Inputs: per-class sequences of numbers (rates >= 0, means > 0, variances
    >= 0, one each per class), refused by name otherwise."""
    lam, m, v = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (arrival_rates, means, variances))
    for name, x in (("means", m), ("variances", v)):
        if x.shape != lam.shape:
            raise ParameterError(name, x.tolist(), f"one value per class ({lam.size}, as arrival_rates)")
    lam, m, v = nonnegative("arrival_rates", lam, "array"), positive("means", m, "array"), \
        nonnegative("variances", v, "array")
    rho = float(np.sum(lam * m))
    if rho >= 1:
        return [(np.inf, np.inf)] * lam.size
    return [(float(mk / (1 - rho)), float(ps_response_variance(mk, vk, rho))) for mk, vk in zip(m, v)]


__all__ = ["ps_terms", "ps_multiclass", "ps_response_variance"]
