"""How wrong the model may be: its out-of-sample errors, summarised by kind of question.

A user who asks the model "how much throughput does SR-IOV keep?" or "how much latency
does a hypervisor add to a round trip?" wants to know how far such answers have landed
from published measurements. :func:`error_summary` groups the application rows of
:func:`~virtmodel.validation.applications.recompute` (each predicted from its source's
workload description, never fitted to it) by the kind of quantity compared (or by the
recipe's technique) and reports, per group:

- ``rows``, ``modelled`` (rows the model can express), ``within`` (rows inside their
  declared tolerance; a row not modelled counts as a miss) and the hit rate
  :math:`\\hat p = k/n` with a Wilson score interval at confidence ``level``:

  .. math::

     \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n},
     \\qquad z = \\Phi^{-1}\\left(\\tfrac{1+\\text{level}}{2}\\right)

  (rows are treated as independent draws; they are not quite: rows of one source share a
  platform and a recipe shape, so the interval is if anything too narrow);
- over the modelled rows, the median signed error (the bias), the median and the 80th
  percentile of the absolute error (linear interpolation between order statistics),
  and the share of rows where the model is *optimistic* about the virtualized system:
  its throughput or speed ratio too high, or its added latency or latency ratio too low.

Errors are relative, (model - published) / published, as everywhere in the validation.
"""

from __future__ import annotations

import math
import numbers

from ..errors import ParameterError
from ._app_table import application_table, check_share, with_technique

#: kinds whose error is optimistic when it is positive (a ratio of the technique's
#: throughput or speed to the reference's); the other kinds are latencies, optimistic
#: when the model gives less than was measured
_HIGHER_IS_BETTER = frozenset({"relative_throughput", "relative_speed", "shared_host_throughput"})

#: the groupings :func:`error_summary` offers, and the recipe or table column each reads
GROUPINGS = ("kind", "technique", "source")

COLUMNS = ("group", "rows", "modelled", "within", "hit_rate", "hit_rate_low", "hit_rate_high",
           "median_error", "median_abs_error", "p80_abs_error", "optimistic_share")


def wilson_interval(hits: int, rows: int, level: float = 0.9) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion ``hits / rows`` at confidence ``level``.

    Parameters
    ----------
    hits, rows : int
        Successes and trials, ``0 <= hits <= rows``, ``rows >= 1``.
    level : float
        Two-sided confidence, strictly between 0 and 1.

    Returns
    -------
    (low, high) : tuple of float
        Bounds inside [0, 1]. The interval is SciPy's (``binomtest(...).proportion_ci(
        method="wilson")``); the formula is in the module docstring.
    """
    from scipy.stats import binomtest

    check_share(level, "level")
    for name, value in (("hits", hits), ("rows", rows)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ParameterError(name, value, "a whole number")
    hits, rows = int(hits), int(rows)
    if rows < 1:
        raise ParameterError("rows", rows, "at least 1")
    if not 0 <= hits <= rows:
        raise ParameterError("hits", hits, f"between 0 and rows = {rows}")
    interval = binomtest(hits, rows).proportion_ci(confidence_level=level, method="wilson")
    return float(interval.low), float(interval.high)


def _optimistic(kind: str, error: float) -> bool:
    return error > 0 if kind in _HIGHER_IS_BETTER else error < 0


def _quantile(values: list, q: float) -> float:
    """The q-quantile with linear interpolation between order statistics (NumPy's default)."""
    import numpy as np

    return float(np.quantile(np.asarray(values, dtype=float), q)) if values else math.nan


def _summary_row(group, part, level: float) -> dict:
    rows = len(part)
    hits = int(part["within"].astype(bool).sum())
    modelled = part[part["status"] == "modelled"]
    errors = [float(e) for e in modelled["error"]]
    low, high = wilson_interval(hits, rows, level)
    optimistic = [_optimistic(k, e) for k, e in zip(modelled["kind"], errors)]
    return {"group": group, "rows": rows, "modelled": len(modelled), "within": hits,
            "hit_rate": hits / rows, "hit_rate_low": low, "hit_rate_high": high,
            "median_error": _quantile(errors, 0.5),
            "median_abs_error": _quantile([abs(e) for e in errors], 0.5),
            "p80_abs_error": _quantile([abs(e) for e in errors], 0.8),
            "optimistic_share": sum(optimistic) / len(optimistic) if optimistic else math.nan}


def error_summary(by: str = "kind", table=None, level: float = 0.9):
    """The out-of-sample errors of the model, per group of rows, with an ``"all rows"`` line last.

    Parameters
    ----------
    by : {"kind", "technique", "source"}
        Group by the kind of quantity compared (``relative_throughput``, ``added_latency``,
        ...), by the recipe's technique, or by the source.
    table : pandas.DataFrame, optional
        A table of :func:`~virtmodel.validation.applications.recompute` (default: computed
        now with the reported model), e.g. one recomputed with a flag set.
    level : float
        Confidence of the hit rate's Wilson interval (default 0.9).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one line per group (largest first) and ``"all rows"``.

    >>> summary = error_summary()
    >>> summary.iloc[-1]["group"], int(summary.iloc[-1]["rows"]) == int(summary.iloc[:-1]["rows"].sum())
    ('all rows', True)
    """
    import pandas as pd

    if not isinstance(by, str) or by not in GROUPINGS:
        raise ParameterError("by", by, "one of " + ", ".join(GROUPINGS))
    check_share(level, "level")
    table = application_table(table, {"row", "kind", "error", "within", "status", "source"})
    if by == "technique":
        table = with_technique(table)
    sizes = table.groupby(by, sort=False).size().sort_values(ascending=False, kind="stable")
    lines = [_summary_row(group, table[table[by] == group], level) for group in sizes.index]
    lines.append(_summary_row("all rows", table, level))
    return pd.DataFrame(lines, columns=list(COLUMNS))


__all__ = ["error_summary", "wilson_interval", "GROUPINGS", "COLUMNS"]
