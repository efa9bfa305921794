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

Weights: a row or a source, one vote
------------------------------------
``weights="rows"`` (the default) gives every row one vote, as above. A source with many
rows (fifteen fio runs of one platform, say) then sets much of the band, though its
rows share one platform and one recipe shape and so err together. ``weights="sources"``
gives every *source* one vote: a row of a source with :math:`n_s` rows in the group
weighs :math:`w_i = 1/n_s`, and :math:`Q_r` is the weighted analogue of the quantile
above. With the rows sorted, :math:`r_{(1)} \\le \\dots \\le r_{(n)}`, and
:math:`S_{j} = \\sum_{i \\le j} w_{(i)}`, the :math:`j`-th order statistic sits at the
position

.. math::

   u_j = \\frac{S_{j-1}}{S_{n-1}}, \\qquad u_1 = 0,\\; u_n = 1,

and :math:`Q_r(q)` interpolates linearly between the :math:`(u_j, r_{(j)})`. With equal
weights :math:`u_j = (j - 1)/(n - 1)`, NumPy's default quantile, so the two agree when
every source has one row. Which weighting the validation reports is decision 5 of
``docs/preregistered.md``, settled on rows gathered after it was registered.
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

#: how the rows of a group vote in its quantiles (module docstring, "Weights")
WEIGHTS = ("rows", "sources")

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


def _quantiles(rows, coverage: float, weights: str = "rows") -> tuple[float, float]:
    """The ``(1 - coverage)/2`` and ``(1 + coverage)/2`` quantiles of ``rows``' log ratios, every row one vote
    or every source one (module docstring, "Weights")."""
    import numpy as np

    values = rows["log_ratio"].to_numpy(dtype=float)
    qs = ((1 - coverage) / 2, (1 + coverage) / 2)
    if weights == "rows":
        return float(np.quantile(values, qs[0])), float(np.quantile(values, qs[1]))
    per_source = rows["source"].map(rows["source"].value_counts()).to_numpy(dtype=float)
    low, high = weighted_quantile(values, 1.0 / per_source, qs)
    return float(low), float(high)


def weighted_quantile(values, weights, q):
    """The weighted analogue of NumPy's default (linear) quantile: order statistic :math:`j` at
    :math:`u_j = S_{j-1}/S_{n-1}`, :math:`S` the cumulative weights in sorted order, linear between
    (module docstring, "Weights"). Equal weights give ``numpy.quantile``'s values.

    ``values`` and ``weights`` (positive, finite) of one length, at least one; ``q`` in [0, 1]
    (a number or a sequence)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if values.ndim != 1 or values.size == 0 or weights.shape != values.shape:
        raise ParameterError("weights", weights, f"one positive weight per value ({values.size} values)")
    if not np.all(np.isfinite(weights) & (weights > 0)):
        raise ParameterError("weights", weights, "positive finite numbers")
    if not np.all(np.isfinite(values)):
        raise ParameterError("values", values, "finite numbers")
    q = np.asarray(q, dtype=float)
    if not np.all((q >= 0) & (q <= 1)):
        raise ParameterError("q", q, "numbers between 0 and 1")
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    if v.size == 1:
        return np.full(q.shape, v[0])
    before = np.cumsum(w) - w        # S_{j-1}
    return np.interp(q, before / before[-1], v)


def _check_weights(weights) -> str:
    if not isinstance(weights, str) or weights not in WEIGHTS:
        raise ParameterError("weights", weights, "one of " + ", ".join(repr(w) for w in WEIGHTS))
    return weights


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
               min_rows: int = 10, weights: str = "rows") -> ErrorBand:
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
    weights : str
        ``"rows"`` (default): every row one vote; ``"sources"``: every source one vote
        (module docstring, "Weights").

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
    weights = _check_weights(weights)
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
    low_q, high_q = _quantiles(chosen, coverage, weights)
    low, high = value * math.exp(-high_q), value * math.exp(-low_q)
    if not (math.isfinite(high) and low > 0):
        raise ParameterError("value", value, f"a value whose band stays finite and positive (gave {low:g} to {high:g})")
    return ErrorBand(value=value, low=low, high=high,
                     coverage=float(coverage), group=group, rows=len(chosen),
                     sources=int(chosen["source"].nunique()))


def coverage_on(table, built_from, checked_on, coverage: float = 0.8, min_rows: int = 10,
                weights: str = "rows") -> dict:
    """How many of the rows ``checked_on`` lie in bands built from the rows ``built_from`` alone.

    Both are collections of row ids of ``table`` (a table of
    :func:`~virtmodel.validation.applications.recompute`); of each only the clean, modelled rows
    with positive values count (as for :func:`error_band`). For each checked row the band is
    :func:`error_band`'s for its kind (same fallback and ``weights``) over the ``built_from`` rows;
    the row is *inside* when its log ratio lies between that band's quantiles. This is the test of
    decision 5 of ``docs/preregistered.md``: a band built before some rows existed, checked on them.

    Returns
    -------
    dict
        ``rows`` and ``sources`` (the checked rows counted), ``inside``, ``coverage`` (inside / rows,
        NaN without rows) and ``outside`` (the ids of the checked rows outside their band).
    """
    check_share(coverage, "coverage")
    min_rows = _check_min_rows(min_rows)
    weights = _check_weights(weights)
    rows = _log_ratios(application_table(table, _NEEDED))
    old = rows[rows["row"].isin(set(built_from))]
    new = rows[rows["row"].isin(set(checked_on))]
    if len(old) < min_rows:
        raise ParameterError("built_from", f"{len(old)} clean, modelled rows",
                             f"at least min_rows = {min_rows} clean, modelled rows")
    outside = []
    for _, row in new.iterrows():
        chosen, _ = _choose(old, row["kind"], None, min_rows)
        low_q, high_q = _quantiles(chosen, coverage, weights)
        if not low_q <= row["log_ratio"] <= high_q:
            outside.append(row["row"])
    inside = len(new) - len(outside)
    return {"rows": len(new), "sources": int(new["source"].nunique()), "inside": inside,
            "coverage": inside / len(new) if len(new) else float("nan"), "outside": outside}


HELD_OUT_COLUMNS = ("group", "rows", "sources", "inside", "held_out_coverage")


def held_out_coverage(coverage: float = 0.8, table=None, min_rows: int = 10, weights: str = "rows"):
    """How often a band built without a source holds that source's measured values, per kind of question.

    For each clean, modelled row of source *s*, the band of :func:`error_band` (by
    kind, with the same fallback: family, then all kinds; ``weights`` as there) is built from the rows of
    every other source; the row is *inside* when its published value lies in the band around its model
    value, i.e. when its log ratio lies between the other sources' quantiles.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HELD_OUT_COLUMNS`, one line per kind and an ``"all kinds"`` line
        last; ``held_out_coverage`` = inside / rows, to compare with ``coverage``.
    """
    import pandas as pd

    check_share(coverage, "coverage")
    min_rows = _check_min_rows(min_rows)
    weights = _check_weights(weights)
    rows = _log_ratios(application_table(table, _NEEDED))
    inside = []
    for _, row in rows.iterrows():
        others = rows[rows["source"] != row["source"]]
        if len(others) < min_rows:
            raise ParameterError("table", f"a table whose rows outside source {row['source']!r} number {len(others)}",
                                 f"at least min_rows = {min_rows} clean, modelled rows outside every source")
        chosen, _ = _choose(others, row["kind"], None, min_rows)
        low_q, high_q = _quantiles(chosen, coverage, weights)
        inside.append(low_q <= row["log_ratio"] <= high_q)
    rows = rows.assign(inside=inside)
    sizes = rows.groupby("kind", sort=False).size().sort_values(ascending=False, kind="stable")
    lines = []
    for group, part in [(kind, rows[rows["kind"] == kind]) for kind in sizes.index] + [(ALL_KINDS, rows)]:
        hits = int(part["inside"].sum())
        lines.append({"group": group, "rows": len(part), "sources": int(part["source"].nunique()),
                      "inside": hits, "held_out_coverage": hits / len(part)})
    return pd.DataFrame(lines, columns=list(HELD_OUT_COLUMNS))


__all__ = ["error_band", "held_out_coverage", "coverage_on", "weighted_quantile", "ErrorBand", "ALL_KINDS", "FAMILIES",
           "HELD_OUT_COLUMNS", "WEIGHTS"]
