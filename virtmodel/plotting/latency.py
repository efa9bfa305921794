"""Latency against load for several techniques, with saturation asymptotes.

>>> from virtmodel.plotting.latency import latency_curves_data, latency_curves_plot
>>> data = latency_curves_data(["hardware_assist", "sriov"], "small_packet_rr", points=50)
>>> fig, ax, lines = latency_curves_plot(data)
>>> sorted(lines)
['hardware_assist', 'sriov']

The curves are computed by :func:`virtmodel.analysis.curves.latency_curves` (here under
its plot's name, ``latency_curves_data``); this module only draws. Each technique
saturates at its own throughput limit :math:`X_{\\max}` (the
smallest station capacity, see :mod:`virtmodel.model`). The curve is masked
(NaN) at and past it instead of drawn as a spike, and a thin, faint, finely
dashed vertical line in the technique's colour, ending in a downward caret on
the top edge of the axes, marks :math:`\\lambda = X_{\\max}`; one legend
entry ("throughput limit") explains them all.
"""

from __future__ import annotations

import numpy as np

from ..analysis.curves import X_AXES, check_saturating_metric, saturating_metrics
from ..analysis.curves import latency_curves as latency_curves_data
from ..errors import ParameterError
from ._common import (
    PlotHandles,
    axes_for,
    compact_ticks,
    expect_data,
    metric_label,
    parameter_label,
    place_legend,
    technique_style,
    time_scale,
    use_style,
)

_UTILIZATION_LABEL = r"utilization of the bottleneck $\rho = \lambda / X_{\max}$"
#: the vertical throughput-limit lines: faint, fine dashes, a caret on the top edge (unlike any curve's style)
_LIMIT_STYLE = dict(linestyle=(0, (1, 2)), linewidth=0.7, alpha=0.7, marker=7, markersize=5, markevery=[1],
                    clip_on=False)
_LIMIT_LABEL = r"throughput limits $X_{\max}$"


def _scaled(data):
    metric = data.attrs["metric"]
    unit = data.attrs["unit"]
    if unit != "s":
        return 1.0, unit
    low = data[metric].isel({data.attrs["x"]: slice(0, 3)}).values
    return time_scale(low)


def latency_curves_plot(data, ax=None, *, fraction=1.0, textwidth="article", aspect=0.618,
                        ylim=None, legend_loc="auto", break_evens=(), bands=None):
    """Plot :func:`latency_curves_data`: one line per technique, asymptotes at the limits.

    Parameters
    ----------
    data : xarray.Dataset
        From :func:`latency_curves_data`.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes; default a new figure in the virtmodel style.
    fraction, textwidth, aspect
        Figure size for a new figure (see :func:`virtmodel.plotting.figure_size`).
    ylim : (float, float), optional
        Limits of the latency axis in displayed units (default: 0 to 6 times the
        largest low-load value, so the saturation knee is visible and fixed).
    legend_loc : str
        A matplotlib ``loc``, ``"outside"`` (right of the axes), ``"above"`` (rows
        above the axes, which keep the figure's width) or ``"auto"`` (inside for
        wide axes, outside for narrow ones).
    break_evens : sequence of BreakEven
        Break-evens over the arrival rate to mark (:func:`virtmodel.plotting.mark_break_even`),
        each in the legend with its value; results without a crossing draw nothing.
    bands : bool, optional
        Shade each technique's interval band (data from ``latency_curves(...,
        uncertainty=...)``; default: when the data has one). A band whose upper end
        saturates reaches the top of the axes.

    Returns
    -------
    PlotHandles
        ``(fig, ax, artists)`` with ``artists[technique]`` the Line2D;
        ``extras["asymptotes"][technique]`` the vertical limit lines,
        ``extras["scale"]`` the divisor from the data's unit to the shown one,
        ``extras["break_evens"]`` the lines marking ``break_evens``,
        ``extras["bands"][technique]`` the shaded intervals (empty without bands);
        ``update(new_data)`` moves lines, bands and asymptotes in place.
    """
    expect_data("data", data, ("metric", "x", "throughput_limit"), "virtmodel.analysis.curves.latency_curves")
    metric, x = data.attrs["metric"], data.attrs["x"]
    scale, unit = _scaled(data)
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    lines, asymptotes, shades = {}, {}, {}
    if bands is None:
        bands = "band_low" in data
    elif bands and "band_low" not in data:
        raise ParameterError("bands", bands, "False for data without a band", "compute it with uncertainty=")
    with use_style():
        for t in data["technique"].values:
            row = data.sel(technique=t)
            style = technique_style(str(t))
            (lines[str(t)],) = ax.plot(data[x].values, row[metric].values / scale, label=str(row["label"].values),
                                       **style)
            if x == "arrival_rate":
                asymptotes[str(t)] = ax.axvline(float(row["throughput_limit"]), color=style["color"],
                                                **_LIMIT_STYLE)
        if x == "utilization":
            asymptotes["saturation"] = ax.axvline(1.0, color="0.3", linestyle=(0, (2, 2)), linewidth=0.8,
                                                  label=r"saturation $\rho = 1$")
        ax.set_xlabel(parameter_label("arrival_rate") if x == "arrival_rate" else _UTILIZATION_LABEL)
        ax.set_ylabel(metric_label(metric, unit))
        ax.set_xlim(0, float(data[x].max()) * (1.0 if x == "arrival_rate" else 1.02))
        ax.set_ylim(*(ylim if ylim is not None else _default_ylim(data[metric].values / scale)))
        if bands:
            for t, line in lines.items():
                shades[t] = band_artist(ax, line.get_color())
            _set_bands(shades, data, scale, ax.get_ylim()[1])
        if x == "arrival_rate":
            compact_ticks(ax, "x")
        marks = [line for result in break_evens for line in _mark(ax, result, x)]
        handles = ax.get_legend_handles_labels()[0]
        if x == "arrival_rate" and asymptotes:
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], color="0.35", **_LIMIT_STYLE, label=_LIMIT_LABEL))
        if shades:
            from matplotlib.patches import Patch

            handles.append(Patch(color="0.35", alpha=_BAND_ALPHA, linewidth=0,
                                 label=f"{data.attrs['band_level']:.0%} interval over the costs' ranges"))
        legend = place_legend(ax, legend_loc, handles=handles)
    extras = {"asymptotes": asymptotes, "legend": legend, "scale": scale, "unit": unit, "break_evens": marks,
              "bands": shades}
    return PlotHandles(fig, ax, lines, extras, _update)


def _mark(ax, result, x):
    from .breakeven import mark_break_even

    if result.parameter != x:
        raise ParameterError("break_evens", f"a break-even over {result.parameter}", f"one over the x axis, {x}")
    return mark_break_even(ax, result)


def _default_ylim(values):
    low = np.nanmax(values[:, :3]) if values.size else 1.0
    return 0.0, 6.0 * low if np.isfinite(low) and low > 0 else 1.0


#: opacity of an interval band (lines stay readable through overlapping bands)
_BAND_ALPHA = 0.18


def band_artist(ax, color):
    """An empty shaded band in ``color`` (its polygons set by :func:`band_polygons`)."""
    from matplotlib.collections import PolyCollection

    return ax.add_collection(PolyCollection([], facecolors=color, alpha=_BAND_ALPHA, linewidths=0), autolim=False)


def band_polygons(x, low, high, top):
    """Polygons between ``low`` and ``high`` over ``x``, one per run of finite ``low``;
    an infinite ``high`` (saturated draws) is drawn up to ``top``."""
    x, low, high = (np.asarray(a, dtype=float) for a in (x, low, high))
    high = np.where(np.isinf(high), top, high)
    ok = np.isfinite(low) & np.isfinite(high)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.view(np.int8), [0]])))
    return [np.concatenate([np.column_stack([x[a:b], low[a:b]]), np.column_stack([x[a:b], high[a:b]])[::-1]])
            for a, b in zip(edges[::2], edges[1::2])]


def _rows(data):
    """``{technique: row index}`` (rows read by position: ``Dataset.sel`` per artist cost more than the drawing)."""
    return {str(t): i for i, t in enumerate(data["technique"].values)}


def _set_bands(shades, data, scale, top):
    x = data[data.attrs["x"]].values
    rows, low, high = _rows(data), data["band_low"].values, data["band_high"].values
    for t, shade in shades.items():
        shade.set_verts(band_polygons(x, low[rows[t]] / scale, high[rows[t]] / scale, 2 * top))


def _update(handles, data):
    metric, x = data.attrs["metric"], data.attrs["x"]
    scale = handles.extras["scale"]
    if handles.extras.get("bands"):
        _set_bands(handles.extras["bands"], data, scale, handles.ax.get_ylim()[1])
    rows, grid, values, limits = _rows(data), data[x].values, data[metric].values, data["throughput_limit"].values
    for t, line in handles.artists.items():
        line.set_data(grid, values[rows[t]] / scale)
        if t in handles.extras["asymptotes"]:
            limit = float(limits[rows[t]])
            handles.extras["asymptotes"][t].set_xdata([limit, limit])


__all__ = ["latency_curves_data", "latency_curves_plot", "saturating_metrics", "check_saturating_metric", "X_AXES"]
