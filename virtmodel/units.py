"""Units a reader can take in: engineering prefixes and units in table headers.

The model computes in SI base units (seconds, requests per second); a table of
``2.9e-05`` with the unit kept in ``attrs`` is not readable. :func:`readable`
rescales each metric column of a table to the prefix that puts its typical
value in [1, 1000) and says the unit in the header: ``mean latency [µs]``.
Its numbers stay numbers (floats, scaled), so the table still sorts, plots
and exports; :func:`virtmodel.latex.latex_table` writes it for LaTeX.

>>> engineering_unit([2.9e-05, 4.1e-05], "s")
(1e-06, 'µs')
>>> engineering_unit([1.26], "1")
(1.0, '')
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import text
from .errors import ParameterError
from .metrics import METRICS, metric
from .percentile_names import percentile_level

#: unit -> [(scale, prefixed unit)], largest first; a unit not listed is shown as is
_PREFIXES = {
    "s": [(1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")],
    "s^2": [(1.0, "s^2"), (1e-6, "ms^2"), (1e-12, "µs^2"), (1e-18, "ns^2")],
    "1/s per VM": [(1e6, "M/s per VM"), (1e3, "k/s per VM"), (1.0, "1/s per VM")],
    "1/s": [(1e6, "M/s"), (1e3, "k/s"), (1.0, "1/s")],
    "core-s": [(1.0, "core-s"), (1e-3, "core-ms"), (1e-6, "core-µs"), (1e-9, "core-ns")],
}


def engineering_unit(values, unit: str) -> tuple:
    """``(scale, unit shown)`` for ``values`` in ``unit``: divide by ``scale`` to show them.

    The prefix is the largest whose scale is at most the median finite nonzero
    magnitude (so most values read between 1 and 1000); a dimensionless unit
    (``"1"``) shows as ``""``.
    """
    text("unit", unit)
    try:
        values = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    except (TypeError, ValueError, OverflowError):
        raise ParameterError("values", values, "numbers or an array of numbers") from None
    magnitudes = sorted(
        abs(float(v)) for v in values if isinstance(v, (int, float)) and math.isfinite(v) and v
    )
    if unit in ("1", ""):
        return 1.0, ""
    options = _PREFIXES.get(unit)
    if not options or not magnitudes:
        return 1.0, unit
    typical = magnitudes[len(magnitudes) // 2]
    for scale, shown in sorted(options, key=lambda o: -o[0]):
        if typical >= scale:
            return scale, shown
    return options[-1] if options[-1][0] < options[0][0] else min(options)


def is_metric(name) -> bool:
    """True if ``name`` is a metric of the metric table or a percentile ``p<P>``."""
    return isinstance(name, str) and (name in METRICS or percentile_level(name) is not None)


def header(name: str, unit: str) -> str:
    """A column header: the metric's words and its unit, ``"mean latency [µs]"`` (no unit: words only)."""
    text("name", name)
    text("unit", unit)
    words = metric(name).label if is_metric(name) else name
    return f"{words} [{unit}]" if unit else words


def readable(table, digits: int | None = None):
    """A copy of a metrics table with each metric column in engineering units, the unit in its header.

    Columns named after a metric (:mod:`virtmodel.metrics`) are scaled and
    renamed ``"<label> [<unit>]"``; other columns (``note``) are kept. With
    ``digits``, numbers are rounded to that many significant digits. A
    ``(metric, unit)`` column MultiIndex (``compare(..., units=True)``) is read
    by its first level. ``attrs["scales"]`` maps each new header to
    ``(metric, scale)``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"mean_latency": [2.9e-05, 4.1e-05], "overhead": [1.0, 1.41]})
    >>> list(readable(t).columns), readable(t)["mean latency [µs]"].round(6).tolist()
    (['mean latency [µs]', 'latency overhead vs native at this load'], [29.0, 41.0])
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise ParameterError("table", type(table).__name__, "a pandas DataFrame (e.g. what compare returns)")
    out = table.copy()
    if getattr(out.columns, "nlevels", 1) > 1:
        out.columns = [c[0] for c in out.columns]
    renamed, scales = {}, {}
    for col in out.columns:
        if not is_metric(col):
            continue
        unit = metric(col).unit
        if out[col].dtype.kind not in "fiu":
            continue
        scale, shown = engineering_unit(out[col].tolist(), unit)
        values = out[col] / scale
        if digits is not None:
            values = values.map(lambda v: float(f"{v:.{int(digits)}g}") if math.isfinite(v) else v)
        out[col] = values
        renamed[col] = header(col, shown)
        scales[renamed[col]] = (col, scale)
    out = out.rename(columns=renamed)
    out.attrs = {**table.attrs, "scales": scales}
    return out


__all__ = ["engineering_unit", "header", "is_metric", "readable"]
