"""Interarrival and service-time distributions given by their mean and SCV.

A queueing model's two-moment inputs are a mean :math:`m` and a squared
coefficient of variation :math:`c^2 = \\mathrm{Var}/m^2`. A
:class:`Distribution` turns such a pair into a sampler, for one of these
families:

======================  ============  ================================================
family                  SCV           distribution
======================  ============  ================================================
``"exponential"``       1             exponential of mean :math:`m`
``"deterministic"``     0             the constant :math:`m`
``"gamma"``             >= 0          gamma of shape :math:`1/c^2` and scale
                                      :math:`m c^2` (Erlang-:math:`k` when
                                      :math:`c^2 = 1/k`; exponential when 1;
                                      deterministic when 0)
``"hyperexponential"``  >= 1          two-phase H2 with balanced means
                                      (:math:`p_1/\\mu_1 = p_2/\\mu_2`)
``"lognormal"``         > 0           lognormal with :math:`\\sigma^2=\\ln(1+c^2)`
======================  ============  ================================================

Sampling is vectorized: ``dist.sample(rng, n)`` draws ``n`` values with a
:class:`numpy.random.Generator`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import choice
from ..errors import ParameterError
from ._number import number

FAMILIES = ("gamma", "exponential", "deterministic", "hyperexponential", "lognormal")

__all__ = ["Distribution", "distribution", "FAMILIES"]


@dataclass(frozen=True)
class Distribution:
    """A positive random variable with a given mean and SCV (build it with :func:`distribution`)."""

    mean: float
    scv: float
    family: str

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` independent values (a float ndarray) with ``rng``."""
        m, c2 = self.mean, self.scv
        if self.family == "deterministic" or c2 < 1e-12:  # gamma shape 1/c2 would overflow
            return np.full(size, m)
        if self.family == "exponential" or (c2 == 1 and self.family in ("gamma", "hyperexponential")):
            return rng.exponential(m, size)
        if self.family == "gamma":
            return rng.gamma(1.0 / c2, m * c2, size)
        if self.family == "hyperexponential":
            p1 = 0.5 * (1.0 + math.sqrt((c2 - 1.0) / (c2 + 1.0)))
            # balanced means: branch i has mean m / (2 p_i)
            means = np.where(rng.random(size) < p1, m / (2 * p1), m / (2 * (1 - p1)))
            return rng.standard_exponential(size) * means
        sigma2 = math.log1p(c2)  # lognormal
        return rng.lognormal(math.log(m) - sigma2 / 2, math.sqrt(sigma2), size)

    @property
    def variance(self) -> float:
        """:math:`c^2 m^2`."""
        return self.scv * self.mean**2

    def scaled(self, mean: float) -> "Distribution":
        """The same family and SCV with another mean."""
        return Distribution(float(mean), self.scv, self.family)


def distribution(mean, scv=1.0, family: str = "gamma") -> Distribution:
    """A distribution of positive times with the given mean and SCV.

    Parameters
    ----------
    mean : float
        The mean (s), > 0.
    scv : float
        The squared coefficient of variation :math:`\\mathrm{Var}/m^2`, >= 0.
        Must be 1 for ``"exponential"``, 0 for ``"deterministic"``, >= 1 for
        ``"hyperexponential"`` and > 0 for ``"lognormal"``; ``"gamma"`` takes
        any value (0 gives the constant, 1 the exponential).
    family : str
        One of ``"gamma"`` (default), ``"exponential"``, ``"deterministic"``,
        ``"hyperexponential"`` (balanced means), ``"lognormal"``.

    Returns
    -------
    Distribution
        With a vectorized ``sample(rng, size)``.

    Examples
    --------
    >>> import numpy as np
    >>> d = distribution(2.0, 0.5)   # Erlang-2 of mean 2
    >>> d.sample(np.random.default_rng(0), 3).shape
    (3,)
    """
    m = number("mean", mean)
    c2 = number("scv", scv, allow_zero=True)
    choice("family", family, FAMILIES)
    required = {
        "exponential": (c2 == 1, "1 for the exponential family"),
        "deterministic": (c2 == 0, "0 for the deterministic family"),
        "hyperexponential": (c2 >= 1, ">= 1 for the hyperexponential family"),
        "lognormal": (c2 > 0, "> 0 for the lognormal family"),
    }
    ok, valid = required.get(family, (True, ""))
    if not ok:
        raise ParameterError("scv", scv, valid)
    return Distribution(m, c2, family)
