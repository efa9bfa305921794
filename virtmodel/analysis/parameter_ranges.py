"""How sure the presets are: a range or distribution for each sourced cost.

``virtmodel/data/parameter_ranges.json`` gives each sourced cost of the
built-in techniques a distribution from the published record, with its basis:

``"published spread"``  the range spans the values the cited sources measured
                        (across machines, papers or runs; the values are listed)
``"model assumption"``  one measurement only, or none that bounds the cost; the
                        range is the model's assumption, stated in ``note``

Distributions (``Range.kind``):

``loguniform``  density proportional to 1/x on [low, high]: every factor equally
                likely (costs spanning a factor of a few)
``lognormal``   median sqrt(low * high), [low, high] the central 95% interval:
                sigma = ln(high / low) / (2 * 1.959964)
``uniform``     on [low, high] (a cost that may be a saving, or may be 0)

:meth:`Range.ppf` is the inverse CDF as NumPy arithmetic (vectorized, no SciPy
call per draw); :meth:`Range.distribution` the same law as a frozen
:mod:`scipy.stats` distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..data import load_json
from ..errors import ParameterError

#: the bases a range may have
BASES = ("published spread", "model assumption")
#: the distributions a range may have
KINDS = ("loguniform", "lognormal", "uniform")
#: the standard normal's 97.5% quantile (a 95% central interval is +-Z95 sigma)
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Range:
    """The uncertainty of one parameter of a technique (see the module docstring).

    Attributes
    ----------
    parameter : str
    low, high : float
        Support (loguniform, uniform) or central 95% interval (lognormal).
    kind : str
        ``"loguniform"``, ``"lognormal"`` or ``"uniform"``.
    basis : str
        ``"published spread"`` or ``"model assumption"``.
    sources : tuple of str
        Citation keys of ``references.bib``.
    values : tuple of float
        The published values behind the range.
    note : str
    """

    parameter: str
    low: float
    high: float
    kind: str = "loguniform"
    basis: str = "model assumption"
    sources: tuple = ()
    values: tuple = ()
    note: str = ""

    def __post_init__(self):
        for name in ("low", "high"):
            try:
                object.__setattr__(self, name, float(getattr(self, name)))
            except (TypeError, ValueError, OverflowError):
                raise ParameterError(name, getattr(self, name), f"a number (the range of {self.parameter})") from None
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ParameterError("kind", self.kind, "one of " + ", ".join(KINDS))
        if not isinstance(self.basis, str) or self.basis not in BASES:
            raise ParameterError("basis", self.basis, "one of " + ", ".join(BASES))
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ParameterError(self.parameter, (self.low, self.high), "a range low < high of finite numbers")
        if self.kind != "uniform" and self.low <= 0:
            raise ParameterError(self.parameter, self.low, f"> 0 for a {self.kind} range")

    @property
    def sigma(self) -> float:
        """The lognormal's sigma (log-space standard deviation)."""
        return math.log(self.high / self.low) / (2 * Z95)

    def ppf(self, u):
        """Inverse CDF at probabilities ``u`` (array), in NumPy arithmetic."""
        from scipy.special import ndtri

        u = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return self.low + u * (self.high - self.low)
        lo, hi = math.log(self.low), math.log(self.high)
        if self.kind == "loguniform":
            return np.exp(lo + u * (hi - lo))
        return np.exp(0.5 * (lo + hi) + self.sigma * ndtri(u))

    def distribution(self):
        """The law as a frozen :mod:`scipy.stats` distribution."""
        from scipy import stats

        if self.kind == "uniform":
            return stats.uniform(loc=self.low, scale=self.high - self.low)
        if self.kind == "loguniform":
            return stats.loguniform(self.low, self.high)
        return stats.lognorm(s=self.sigma, scale=math.sqrt(self.low * self.high))

    def contains(self, value) -> bool:
        """Whether ``value`` lies in [low, high]."""
        return self.low <= value <= self.high


@lru_cache(maxsize=1)
def _entries() -> tuple:
    return tuple(load_json("parameter_ranges.json")["ranges"])


def _range(entry: dict) -> Range:
    return Range(entry["parameter"], float(entry["low"]), float(entry["high"]), entry["distribution"],
                 entry["basis"], tuple(entry["sources"]), tuple(entry["values"]), entry.get("note", ""))


def preset_ranges(technique=None) -> dict:
    """The preset ranges: ``{parameter: Range}`` of one technique (name or Technique).

    ``technique=None`` gives ``{technique name: {parameter: Range}}`` for every
    built-in technique that has ranges.
    """
    if technique is None:
        names = sorted({t for e in _entries() for t in e["techniques"]})
        return {name: preset_ranges(name) for name in names}
    name = technique if isinstance(technique, str) else getattr(technique, "name", None)
    if not isinstance(name, str):
        raise ParameterError("technique", technique, "a technique name or a Technique")
    return {e["parameter"]: _range(e) for e in _entries() if name in e["techniques"]}


def distribution(technique, parameter: str):
    """The frozen :mod:`scipy.stats` distribution of one preset parameter of a technique."""
    ranges = preset_ranges(technique)
    if parameter not in ranges:
        raise ParameterError("parameter", parameter, "a parameter with a preset range",
                             "ranged: " + ", ".join(sorted(ranges)))
    return ranges[parameter].distribution()
