"""Who wins at the operating point, by how much, and where the two leaders tie.

Lower is better for every metric the dashboard plots (latencies, overhead).
The break-even between the two leading techniques comes from
:func:`virtmodel.analysis.break_even` (numeric root, no SymPy on a slider
move), searched only between the two grid points where their curves cross
nearest to the operating point, so the common case (no crossing on the
axis) costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._remember import remember
from ..analysis import break_even
from ..plotting._common import metric_title, metric_unit, technique_label, time_text, unit_text


@dataclass(frozen=True)
class Standing:
    """The techniques at one load: values, winner, margin, break-even.

    Attributes
    ----------
    point : float
        The operating point on the load axis (arrival rate in 1/s or utilization).
    values : dict
        ``{technique: metric value}`` in the metric's unit (``inf`` if saturated).
    winner, runner_up : str or None
        The best and second-best technique (None when no technique is unsaturated).
    margin : float
        ``runner_up / winner`` (>= 1; ``inf`` if the runner-up is saturated, NaN without one).
    break_even : float or None
        The load where winner and runner-up tie (nearest to ``point``), if on the axis.
    break_even_value : float or None
        The metric value there.
    """

    point: float
    values: dict = field(default_factory=dict)
    winner: str | None = None
    runner_up: str | None = None
    margin: float = float("nan")
    break_even: float | None = None
    break_even_value: float | None = None


def _ranked(values):
    finite = sorted((v, t) for t, v in values.items() if np.isfinite(v))
    saturated = [t for t, v in values.items() if not np.isfinite(v)]
    return [t for _, t in finite] + saturated


def _bracket(x, ya, yb, point):
    """The grid interval where ``ya - yb`` changes sign nearest to ``point`` (or None)."""
    diff = ya - yb
    ok = np.isfinite(diff)
    idx = np.flatnonzero(ok[:-1] & ok[1:] & (np.sign(diff[:-1]) * np.sign(diff[1:]) < 0))
    if idx.size == 0:
        return None
    i = idx[np.argmin(np.abs(x[idx] - point))]
    return float(x[i]), float(x[i + 1])


def standing(models, metric, point, curves=None, x="arrival_rate", *, workload=None, platform=None,
             **overrides) -> Standing:
    """Compare ``models`` on ``metric`` at load ``point``; the break-even from ``curves``.

    Parameters
    ----------
    models : dict
        ``{technique: Model}``.
    metric : str
        A saturating metric (lower is better).
    point : float
        Arrival rate per VM (1/s) for ``x="arrival_rate"``, else bottleneck utilization.
    curves : xarray.Dataset, optional
        From :func:`virtmodel.analysis.curves.latency_curves` for the same models;
        used to find where the two leaders cross (arrival-rate axis only).
    workload, platform, **overrides
        What the models were built with (passed on to the break-even search).
    """
    values = {}
    for name, model in models.items():
        rate = point if x == "arrival_rate" else point * float(model.evaluate("throughput_limit", **overrides))
        values[name] = float(model.evaluate(metric, arrival_rate=np.array([rate]), **overrides)[0])
    order = _ranked(values)
    if not order or not np.isfinite(values[order[0]]):
        return Standing(point, values)
    winner = order[0]
    if len(order) == 1:
        return Standing(point, values, winner)
    runner = order[1]
    margin = values[runner] / values[winner] if values[winner] > 0 else float("inf")
    crossing = _break_even(models, winner, runner, metric, point, curves, x, workload, platform, overrides)
    return Standing(point, values, winner, runner, margin, *crossing)


def _break_even(models, a, b, metric, point, curves, x, workload, platform, overrides):
    if curves is None or x != "arrival_rate":
        return None, None
    grid, rows, values = curves[x].values, list(curves["technique"].values), curves[metric].values
    bracket = _bracket(grid, values[rows.index(a)], values[rows.index(b)], point)   # by position: no .sel per move
    if bracket is None:
        return None, None

    roots = _roots(a, b, metric, bracket, workload, platform, tuple(sorted(overrides.items())))
    if not roots:
        return None, None
    root = min(roots, key=lambda r: abs(r - point))
    return root, float(models[a].evaluate(metric, arrival_rate=np.array([root]), **overrides)[0])


@remember(maxsize=32)
def _roots(a, b, metric, bracket, workload, platform, overrides):
    """The break-even roots of ``a`` and ``b`` in ``bracket`` (numeric root), remembered: moving the
    operating point alone finds the same bracket again (the search is about 10 ms, the lookup none)."""
    return tuple(break_even(a, b, "arrival_rate", metric, workload=workload, platform=platform, bounds=bracket,
                            method="numeric root", **dict(overrides)).roots)


def _amount(value, unit):
    if not np.isfinite(value):
        return "saturated"
    if unit == "s":
        return time_text(value)
    shown = unit_text(unit).replace("$", "")
    return f"{value:.3g} {shown}".strip()


def _load(value, x):
    from matplotlib.ticker import EngFormatter

    return f"\u03bb = {EngFormatter(places=1, sep='')(value)} /s" if x == "arrival_rate" else f"\u03c1 = {value:.2f}"


def readout_html(state: Standing, metric, x="arrival_rate") -> str:
    """The standing as a few lines of HTML (technique labels, values with units)."""
    unit = metric_unit(metric)
    what = metric_title(metric)
    head = f"At {_load(state.point, x)}: "
    if state.winner is None:
        return f"<p>{head}every technique shown is saturated (no finite {what}).</p>"
    win = technique_label(state.winner)
    text = f"<b>{win}</b> has the lowest {what}, {_amount(state.values[state.winner], unit)}"
    if state.runner_up is not None:
        other = technique_label(state.runner_up)
        ratio = "" if not np.isfinite(state.margin) else f"{state.margin:.2f}\u00d7 better than "
        text += f" &mdash; {ratio}{other} ({_amount(state.values[state.runner_up], unit)})"
    lines = [head + text + "."]
    if state.break_even is not None:
        lines.append(f"{win} and {technique_label(state.runner_up)} break even at "
                     f"{_load(state.break_even, x)} (marked \u25c6).")
    elif state.runner_up is not None and x == "arrival_rate":
        lines.append(f"{win} and {technique_label(state.runner_up)} do not cross on this axis.")
    return "<p>" + "<br>".join(lines) + "</p>"


__all__ = ["Standing", "readout_html", "standing"]
