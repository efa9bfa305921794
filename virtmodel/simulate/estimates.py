"""Point estimates with Student-t confidence intervals from batch means.

Every simulator in :mod:`virtmodel.simulate` makes one long run, discards a
warm-up, cuts the rest into ``B`` batches (equal numbers of customers, or equal
lengths of simulated time for networks) and computes each metric per batch.
The batch values are treated as independent and identically distributed (the
batch-means method: right when a batch is much longer than the correlation
time of the process), so a metric's estimate is

.. math::
    \\bar Y = \\frac1B\\sum_b Y_b,\\qquad
    \\bar Y \\pm t_{B-1,\\,(1+\\gamma)/2}\\,\\frac{s_Y}{\\sqrt B}

with :math:`s_Y` the sample standard deviation of the batch values and
:math:`\\gamma` the confidence level (0.95 by default).

Reference: A. M. Law, *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill
2015, section 9.5.3 (batch means).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import stdtrit

__all__ = ["Estimate", "from_batches"]


def t_quantile(dof: int, confidence: float) -> float:
    """The two-sided Student-t critical value :math:`t_{dof,(1+\\gamma)/2}`."""
    return float(stdtrit(dof, 0.5 + confidence / 2))


@dataclass(frozen=True)
class Estimate:
    """A simulated metric: its mean and a confidence interval.

    Scalars for a single station; per-station arrays for a network.

    Attributes
    ----------
    mean : float or ndarray
        The point estimate (the mean of the batch values).
    std_error : float or ndarray
        The standard error :math:`s/\\sqrt B`.
    dof : int
        Degrees of freedom of the t interval (batches - 1).
    confidence : float
        The confidence level of ``ci_low``/``ci_high``.
    """

    mean: Any
    std_error: Any
    dof: int
    confidence: float = 0.95

    def interval(self, confidence: float | None = None):
        """``(low, high)`` at ``confidence`` (default: the estimate's own level)."""
        h = self.half_width_at(self.confidence if confidence is None else confidence)
        return self.mean - h, self.mean + h

    def half_width_at(self, confidence: float):
        """The half-width of the t interval at another confidence level."""
        return t_quantile(self.dof, confidence) * self.std_error

    @property
    def half_width(self):
        return self.half_width_at(self.confidence)

    @property
    def ci_low(self):
        return self.interval()[0]

    @property
    def ci_high(self):
        return self.interval()[1]

    @property
    def relative_half_width(self):
        """Half-width over the absolute value of the mean (the precision of the estimate)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.half_width / np.abs(self.mean)

    def contains(self, value, confidence: float | None = None, *, rtol: float = 0.0) -> bool:
        """Whether ``value`` lies in the interval (for arrays: every element).

        ``confidence`` widens or narrows the interval (e.g. 0.99 in tests);
        ``rtol`` adds a relative slack to the half-width (for known
        approximations). A 1e-9 relative slack absorbs rounding when the
        interval has zero width (deterministic systems).
        """
        value = np.asarray(value, dtype=float)
        slack = (rtol + 1e-9) * np.maximum(np.abs(value), 1e-12)
        h = self.half_width_at(self.confidence if confidence is None else confidence)
        return bool(np.all(np.abs(value - self.mean) <= h + slack))

    def relative_error(self, value):
        """:math:`(\\bar Y - v)/v`: how far the simulated mean is from ``value``."""
        value = np.asarray(value, dtype=float)
        return (self.mean - value) / value

    def __float__(self):
        return float(self.mean)

    def __repr__(self):
        if np.ndim(self.mean) == 0:
            return (f"Estimate({float(self.mean):.6g} ± {float(self.half_width):.3g}, "
                    f"{self.confidence:.0%} CI, {self.dof} dof)")
        mean = np.array2string(np.asarray(self.mean), precision=5)
        half = np.array2string(np.asarray(self.half_width), precision=3)
        return f"Estimate({mean} ± {half}, {self.confidence:.0%} CI, {self.dof} dof)"


def from_batches(values, confidence: float) -> Estimate:
    """An :class:`Estimate` from batch values (axis 0 indexes the batches).

    A batch with no observation of a per-visit mean (a station no customer left in
    that batch: 0/0) is NaN and is left out of that column's mean and standard
    error; the degrees of freedom are then those of the column with the fewest
    batches. A column with fewer than two batches gets an infinite standard error
    (no interval), and stays NaN only if no batch observed it at all.
    """
    values = np.asarray(values, dtype=float)
    b = values.shape[0]
    if np.isnan(values).any():
        n = np.sum(~np.isnan(values), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(values, axis=0)
            se = np.where(n >= 2, np.nanstd(values, axis=0, ddof=1) / np.sqrt(np.maximum(n, 1)), np.inf)
        b = max(int(np.min(n)), 2)
    else:
        mean = values.mean(axis=0)
        se = values.std(axis=0, ddof=1) / np.sqrt(b)
    if mean.ndim == 0:
        mean, se = float(mean), float(se)
    return Estimate(mean=mean, std_error=se, dof=b - 1, confidence=confidence)
