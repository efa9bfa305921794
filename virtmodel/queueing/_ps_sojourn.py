"""The exact sojourn-time distribution of M/M/1 processor sharing (numeric).

A tagged job in an M/M/1-PS queue with :math:`n` other jobs present finishes at
rate :math:`\\mu/(n+1)`, another job leaves at rate :math:`\\mu n/(n+1)` and one
arrives at rate :math:`\\lambda`; by PASTA it finds :math:`n` others with
probability :math:`(1-\\rho)\\rho^n`. Its sojourn time is the absorption time of
that birth-death chain. Uniformizing at rate :math:`\\Lambda = \\lambda + \\mu`
gives the survival function as a Poisson mixture

.. math::
    P(T > t) = \\sum_{k \\ge 0} e^{-\\Lambda t}\\frac{(\\Lambda t)^k}{k!}\\,a_k,\\qquad
    a_k = \\alpha P^k \\mathbf{1},

with :math:`P = I + Q/\\Lambda` the uniformized transient chain (its diagonal is
zero) and :math:`\\alpha` the geometric initial law; :math:`a_k` is the
probability that the job is still present after :math:`k` uniformized events.
The sum is cut where :math:`a_k` drops below a tolerance well under the tail
probability asked for, and the state vector is cut where its entries are below
:math:`10^{-30}` of its mass, so the result is exact to about that tolerance.
The law depends on :math:`\\rho` only (time in units of :math:`1/\\mu`); its
mean is :math:`1/(\\mu(1-\\rho))` and its SCV :math:`(2+\\rho)/(2-\\rho)`
(Coffman, Muntz, Trotter 1970), which the tests check.

References
----------
E. G. Coffman, R. R. Muntz, H. Trotter, "Waiting time distributions for
processor-sharing systems", J. ACM 17 (1970) 123-130; T. J. Ott, "The sojourn-time
distribution in the M/G/1 queue with processor sharing", J. Appl. Prob. 21 (1984)
360-378; W. Grassmann, "Transient solutions in Markovian queueing systems",
Comput. Oper. Res. 4 (1977) 47-53 (uniformization).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: the exact method is used up to this load (above it the chain needs too many events; see ``mg1_ps``)
EXACT_MAX_RHO = 0.99
#: and for at most this many distinct loads in one call
EXACT_MAX_POINTS = 64


@lru_cache(maxsize=256)
def survival_coefficients(rho: float, tol: float) -> np.ndarray:
    """:math:`a_0, a_1, \\dots` of the uniformized chain (time unit :math:`1/\\mu`), down to ``tol``."""
    if rho <= 0:
        return np.array([1.0])
    lam_share = rho / (1 + rho)  # lambda / Lambda
    mu_share = 1 / (1 + rho)
    n_start = int(np.ceil(np.log(1e-18) / np.log(rho))) + 1
    v = (1 - rho) * rho ** np.arange(n_start)
    coefficients = [v.sum()]
    while coefficients[-1] > tol:
        n = np.arange(len(v))
        new = np.zeros(len(v) + 1)
        new[1:] = v * lam_share
        new[:-2] += v[1:] * mu_share * n[1:] / (n[1:] + 1)
        keep = np.flatnonzero(new > 1e-30 * coefficients[-1])
        v = new[: keep[-1] + 1] if keep.size else new[:1]
        coefficients.append(v.sum())
    return np.array(coefficients)


def _survival(t, rho, a):
    from scipy.stats import poisson

    return float(np.dot(poisson.pmf(np.arange(len(a)), (1 + rho) * t), a))


def ps_quantile_in_service_units(rho: float, p: float) -> float:
    """The exact ``p``-quantile of the M/M/1-PS sojourn time, in units of the mean service time."""
    from scipy.optimize import brentq

    a = survival_coefficients(float(rho), min(1e-10, (1 - p) * 1e-7))
    target = 1 - p
    hi = 1.0
    while _survival(hi, rho, a) > target:
        hi *= 2
    return brentq(lambda t: _survival(t, rho, a) - target, 0.0, hi, xtol=1e-12, rtol=1e-10)


def ps_quantiles(rho, p) -> np.ndarray:
    """Element-wise :func:`ps_quantile_in_service_units` over broadcast ``rho`` and ``p``."""
    rho, p = np.broadcast_arrays(np.asarray(rho, dtype=float), np.asarray(p, dtype=float))
    out = np.empty(rho.shape)
    for idx in np.ndindex(rho.shape):
        out[idx] = ps_quantile_in_service_units(float(rho[idx]), float(p[idx]))
    return out
