"""Common random numbers: one set of uniform draws shared by every technique of a comparison.

Each uncertain parameter name gets one column of U(0, 1) draws; a technique
that has the parameter maps that column through its own law's inverse CDF. So
two techniques with the same law for a shared parameter (the hardware-assisted
ones' ``exit_cycles``) see the same values draw by draw, and two laws of one
name (binary translation's and paravirtualization's ``syscall_cycles``) are
comonotone: the comparison's spread is not inflated by independent noise.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from .parameter_ranges import preset_ranges

#: defaults of an ``uncertainty=`` argument (``True``)
DEFAULTS = {"samples": 1000, "seed": 0, "ranges": None, "level": 0.9}
_EDGE = 1e-12


def spec(uncertainty) -> dict:
    """``{samples, seed, ranges, level}`` from ``uncertainty=``: True, a sample count, or a dict."""
    if uncertainty is True:
        return dict(DEFAULTS)
    if isinstance(uncertainty, (int, np.integer)) and not isinstance(uncertainty, bool):
        out = {**DEFAULTS, "samples": int(uncertainty)}
    elif isinstance(uncertainty, dict) and set(uncertainty) <= set(DEFAULTS):
        out = {**DEFAULTS, **uncertainty}
    else:
        raise ParameterError("uncertainty", uncertainty,
                             "True, a number of samples, or a dict with keys " + ", ".join(DEFAULTS))
    samples, seed, level = out["samples"], out["seed"], out["level"]
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 2 <= samples <= 10**7:
        raise ParameterError("samples", samples, "a whole number from 2 to 10,000,000")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError("seed", seed, "a whole number >= 0")
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ParameterError("level", level, "a number in (0, 1)")
    return out


def common_draws(models, samples: int, seed: int, ranges=None, exclude=()) -> list:
    """``[{parameter: draws}]`` per model (1-D arrays of ``samples``), common random numbers.

    ``ranges=None``: each model's technique's preset ranges; a dict
    ``{parameter: Range or scipy distribution}`` applies to every model that has
    the parameter. Parameters in ``exclude`` (the solved one, the fixed ones) are not drawn.
    """
    laws = []
    for m in models:
        own = preset_ranges(m.technique) if ranges is None else ranges
        if not isinstance(own, dict):
            raise ParameterError("ranges", own, "a dict {parameter: Range or scipy distribution}")
        laws.append({n: r for n, r in own.items() if n in m.values() and n not in exclude})
    names = sorted({n for law in laws for n in law})
    if not names:
        raise ParameterError("uncertainty", "no uncertain parameter", "techniques with ranges",
                             "pass uncertainty={'ranges': {name: Range}}")
    u = np.random.default_rng(seed).uniform(_EDGE, 1 - _EDGE, (samples, len(names)))
    column = {n: i for i, n in enumerate(names)}
    return [{n: np.asarray(law[n].ppf(u[:, column[n]]), dtype=float) for n in law} for law in laws]


def central_interval(values, level: float, axis: int = 0):
    """``(low, high)``: the central ``level`` interval of ``values`` along ``axis`` (the draws).

    Sample quantiles without interpolation (``inverted_cdf``: each bound is a
    drawn value), so a saturated draw (``inf``) counts as a value beyond every
    finite one and a bound is ``inf`` only when that many draws saturate.
    """
    q = (1 - level) / 2
    low, high = np.quantile(np.asarray(values, dtype=float), [q, 1 - q], axis=axis, method="inverted_cdf")
    return low, high
