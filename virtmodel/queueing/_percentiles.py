"""Response-time percentiles: exact where the distribution is known, else a
documented two-moment approximation.

Methods
-------
exponential
    :math:`t_p = -\\bar R \\ln(1-p)`; exact when the response time is
    exponential (M/M/1 FCFS), an approximation elsewhere.
gamma two-moment fit
    The response time is taken as a gamma distribution with the model's exact
    mean and variance: shape :math:`k = \\bar R^2/\\mathrm{Var}(R)`, scale
    :math:`\\theta = \\mathrm{Var}(R)/\\bar R`, and :math:`t_p = \\theta\\,
    P^{-1}(k, p)` with :math:`P^{-1}` the inverse regularized lower incomplete
    gamma function. It is exact for M/M/1 (shape 1) and for a deterministic
    response (variance 0, where it returns the mean). Numeric only.
"""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from ..errors import SymbolicUnsupportedError

EXPONENTIAL = "exact (the response time is exponential)"
GAMMA_FIT = "approximation: gamma distribution fitted to the exact mean and variance of the response time"


def exponential_quantile(mean, p, kind: str):
    """:math:`-\\bar R \\ln(1-p)` for the exponential distribution of mean ``mean``."""
    if kind == SYMBOLIC:
        import sympy as sp

        return -mean * sp.log(1 - p)
    return -np.asarray(mean) * np.log1p(-np.asarray(p))


def gamma_quantile(mean, variance, p, kind: str, what: str = "this model"):
    """The ``p``-quantile of a gamma distribution with the given mean and variance.

    Where ``variance`` is 0 the distribution is a point mass and the mean is
    returned. Raises :class:`SymbolicUnsupportedError` for symbolic input (the
    inverse incomplete gamma function has no closed form).
    """
    if kind == SYMBOLIC:
        raise SymbolicUnsupportedError(
            f"the response-time percentile of {what} has no closed form; "
            "call the model with numbers to get it numerically"
        )
    from scipy.special import gammaincinv

    mean = np.asarray(mean, dtype=float)
    variance = np.asarray(variance, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = mean**2 / variance
        scale = variance / mean
        q = scale * gammaincinv(shape, p)
    return np.where(variance > 0, q, mean)
