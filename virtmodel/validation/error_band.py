"""An error band for a prediction of one's own, from how far the model's answers to the same kind of question have landed.

:func:`error_summary` tells how wrong the model has been; :func:`error_band` turns
that record into a range for a *new* answer. Say the model gives SR-IOV 0.93 of bare
metal's throughput on your workload. The clean prediction rows of the validation that
ask the same kind of question (``relative_throughput``; optionally of the same
technique) landed at log ratios

.. math::

   r_i = \\ln\\frac{m_i}{p_i}

of the model's value :math:`m_i` to the published one :math:`p_i`. If your question is
like theirs, the measured value :math:`p` of your system relates to the model's
:math:`m` in the same way, and the band at coverage :math:`c` is

.. math::

   \\left[\\; m\\, e^{-Q_r\\left(\\frac{1+c}{2}\\right)},\\;
            m\\, e^{-Q_r\\left(\\frac{1-c}{2}\\right)} \\;\\right]

with :math:`Q_r` the empirical quantile of the :math:`r_i` (linear interpolation
between order statistics, NumPy's default). The band is not symmetric about
:math:`m`: the model has more often been optimistic, so for a throughput ratio the
band reaches further below :math:`m` than above it.

Assumptions, and how the band is checked
----------------------------------------
- Only *clean* prediction rows are used (:func:`virtmodel.validation.post_hoc.clean`:
  no input of theirs was set after comparing) and only those the model expresses; a
  question the model cannot express has no band.
- The rows are treated as exchangeable with your question. They are not independent:
  rows of one source share a platform and a recipe shape. :func:`held_out_coverage`
  tests the band as a user meets it: each source's rows are checked against a band
  built without that source. ``docs/validation.md`` reports that coverage; it is the
  number to quote with a band, not ``coverage`` itself.
- A group with fewer than ``min_rows`` rows falls back: a technique's rows to the
  kind's, a kind's to its family's (:data:`FAMILIES`), a family's to all kinds;
  :attr:`ErrorBand.group` says which rows were used. The families keep apart the kinds
  whose errors have opposite signs for the same missing cost: a cost the model lacks
  makes a throughput or speed ratio too high and an added latency or a latency ratio too
  low, so pooling the two would centre the band on neither.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from types import MappingProxyType

from ..errors import ParameterError
from ._app_table import application_table, check_share, with_technique

_NEEDED = {"row", "kind", "predicted", "published", "status", "source"}

#: what :attr:`ErrorBand.group` says when every kind's rows were used
ALL_KINDS = "all kinds"

#: the kinds whose log ratios are pooled when a kind alone has too few rows (module docstring)
FAMILIES = MappingProxyType({
    "throughput and speed ratios": ("relative_throughput", "relative_speed", "shared_host_throughput"),
    "latencies and latency ratios": ("added_latency", "percentile_ratio", "shared_host_latency_ratio"),
})


@dataclass(frozen=True)
class ErrorBand:
    """A range for the measured value of a system the model gives ``value`` for.

    ``low`` and ``high`` bound the measured value at ``coverage`` (see the module
    docstring); ``group`` names the rows the band rests on (a kind, a kind and a
    technique, a family of :data:`FAMILIES`, or :data:`ALL_KINDS`), ``rows`` and
    ``sources`` count them.
    """

    value: float
    low: float
    high: float
    coverage: float
    group: str
    rows: int
    sources: int

    def __str__(self) -> str:
        return (f"{self.value:.4g} (measured values of like questions: {self.low:.4g} to {self.high:.4g} "
                f"at {self.coverage:.0%}; {self.rows} rows from {self.sources} sources, {self.group})")


def _log_ratios(table):
    """The clean, modelled rows with positive values, and their log ratio ln(model / published)."""
    import numpy as np

    from .post_hoc import clean

    rows = clean(table)
    rows = rows[rows["status"] == "modelled"]
    predicted = rows["predicted"].astype(float)
    published = rows["published"].astype(float)
    usable = (predicted > 0) & (published > 0) & np.isfinite(predicted) & np.isfinite(published)
    rows = rows[usable]
    return rows.assign(log_ratio=np.log(predicted[usable] / published[usable]))


def _quantiles(log_ratios, coverage: float) -> tuple[float, float]:
    import numpy as np

    values = np.asarray(log_ratios, dtype=float)
    return float(np.quantile(values, (1 - coverage) / 2)), float(np.quantile(values, (1 + coverage) / 2))


def _check_value(value) -> float:
    valid = "a positive finite number (the model's answer: a ratio or a latency)"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError("value", value, valid)
    try:
        number = float(value)
    except OverflowError:
        raise ParameterError("value", value, valid) from None
    if not math.isfinite(number) or number <= 0:
        raise ParameterError("value", value, valid)
    return number


def _check_min_rows(min_rows) -> int:
    if isinstance(min_rows, bool) or not isinstance(min_rows, numbers.Integral) or min_rows < 2:
        raise ParameterError("min_rows", min_rows, "a whole number of at least 2")
    return int(min_rows)


def _choose(rows, kind, technique, min_rows: int):
    """The rows the band rests on and their name: the kind (and technique), falling back as the module says."""
    by_kind = rows[rows["kind"] == kind]
    if technique is not None:
        both = by_kind[by_kind["technique"] == technique]
        if len(both) >= min_rows:
            return both, f"{kind}, {technique}"
    if len(by_kind) >= min_rows:
        return by_kind, kind
    for family, kinds in FAMILIES.items():
        if kind in kinds:
            pooled = rows[rows["kind"].isin(kinds)]
            if len(pooled) >= min_rows:
                return pooled, family
    return rows, ALL_KINDS


def error_band(value, kind: str, technique: str | None = None, coverage: float = 0.8, table=None,
               min_rows: int = 10) -> ErrorBand:
    """The range a measurement of the system may land in, given the model says ``value`` (module docstring).

    Parameters
    ----------
    value : float
        The model's answer, positive: a throughput or speed ratio, an added latency, a
        latency ratio.
    kind : str
        The kind of question, as in the validation's ``kind`` column:
        ``"relative_throughput"``, ``"relative_speed"``, ``"added_latency"``,
        ``"percentile_ratio"``, ``"shared_host_throughput"``, ``"shared_host_latency_ratio"``.
    technique : str, optional
        Narrow to rows whose recipe uses this technique (``"sriov"``, ...), when at least
        ``min_rows`` of them are of ``kind``.
    coverage : float
        The share of like rows the band would have held, strictly between 0 and 1
        (default 0.8). What it holds for new sources is :func:`held_out_coverage`.
    table : pandas.DataFrame, optional
        A table of :func:`~virtmodel.validation.applications.recompute` (default: the
        reported model's, computed now).
    min_rows : int
        The fewest rows a group needs before the band falls back to a wider one (default 10).

    Returns
    -------
    ErrorBand

    >>> band = error_band(0.9, "relative_throughput")
    >>> band.low < 0.9 < band.high
    True
    """
    value = _check_value(value)
    check_share(coverage, "coverage")
    min_rows = _check_min_rows(min_rows)
    rows = _log_ratios(with_technique(application_table(table, _NEEDED)))
    kinds = sorted(set(rows["kind"]))
    if not isinstance(kind, str) or kind not in kinds:
        raise ParameterError("kind", kind, "one of " + ", ".join(kinds))
    if technique is not None and (not isinstance(technique, str) or technique not in set(rows["technique"])):
        raise ParameterError("technique", technique, "None or one of " + ", ".join(sorted(set(rows["technique"]))))
    if len(rows) < min_rows:
        raise ParameterError("table", f"a table with {len(rows)} usable rows",
                             f"at least min_rows = {min_rows} clean, modelled rows")
    chosen, group = _choose(rows, kind, technique, min_rows)
    low_q, high_q = _quantiles(chosen["log_ratio"], coverage)
    low, high = value * math.exp(-high_q), value * math.exp(-low_q)
    if not (math.isfinite(high) and low > 0):
        raise ParameterError("value", value, f"a value whose band stays finite and positive (gave {low:g} to {high:g})")
    return ErrorBand(value=value, low=low, high=high,
                     coverage=float(coverage), group=group, rows=len(chosen),
                     sources=int(chosen["source"].nunique()))


HELD_OUT_COLUMNS = ("group", "rows", "sources", "inside", "held_out_coverage")


def held_out_coverage(coverage: float = 0.8, table=None, min_rows: int = 10):
    """How often a band built without a source holds that source's measured values, per kind of question.

    For each clean, modelled row of source *s*, the band of :func:`error_band` (by
    kind, with the same fallback: family, then all kinds) is built from the rows of every other source; the
    row is *inside* when its published value lies in the band around its model value,
    i.e. when its log ratio lies between the other sources' quantiles.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HELD_OUT_COLUMNS`, one line per kind and an ``"all kinds"`` line
        last; ``held_out_coverage`` = inside / rows, to compare with ``coverage``.
    """
    import pandas as pd

    check_share(coverage, "coverage")
    min_rows = _check_min_rows(min_rows)
    rows = _log_ratios(application_table(table, _NEEDED))
    inside = []
    for _, row in rows.iterrows():
        others = rows[rows["source"] != row["source"]]
        if len(others) < min_rows:
            raise ParameterError("table", f"a table whose rows outside source {row['source']!r} number {len(others)}",
                                 f"at least min_rows = {min_rows} clean, modelled rows outside every source")
        chosen, _ = _choose(others, row["kind"], None, min_rows)
        low_q, high_q = _quantiles(chosen["log_ratio"], coverage)
        inside.append(low_q <= row["log_ratio"] <= high_q)
    rows = rows.assign(inside=inside)
    sizes = rows.groupby("kind", sort=False).size().sort_values(ascending=False, kind="stable")
    lines = []
    for group, part in [(kind, rows[rows["kind"] == kind]) for kind in sizes.index] + [(ALL_KINDS, rows)]:
        hits = int(part["inside"].sum())
        lines.append({"group": group, "rows": len(part), "sources": int(part["source"].nunique()),
                      "inside": hits, "held_out_coverage": hits / len(part)})
    return pd.DataFrame(lines, columns=list(HELD_OUT_COLUMNS))


__all__ = ["error_band", "held_out_coverage", "ErrorBand", "ALL_KINDS", "FAMILIES", "HELD_OUT_COLUMNS"]
