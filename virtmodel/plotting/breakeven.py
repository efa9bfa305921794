"""Break-even curves: the value of one parameter where two techniques tie, over a second one.

The curve takes what :func:`virtmodel.analysis.break_even` returns with
``over=``: an :class:`xarray.DataArray` over the second parameter (its one
dimension) whose values are the break-even value of the first parameter (NaN
where the techniques do not cross in the range). Its name, or
``attrs["parameter"]``, names the first parameter; ``attrs["below"]`` /
``attrs["above"]`` (optional) name the technique that wins on each side.
"""

from __future__ import annotations

import numpy as np

from ..analysis import break_even
from ..errors import ParameterError
from ..symbols import info
from ._common import (
    PlotHandles,
    axes_for,
    compact_ticks,
    parameter_label,
    place_legend,
    style_at,
    technique_label,
    use_style,
)


def break_even_data(*args, **kwargs):
    """The data behind :func:`break_even_plot`: :func:`virtmodel.analysis.break_even` with ``over=``.

    Parameters
    ----------
    *args, **kwargs
        Passed to :func:`virtmodel.analysis.break_even` unchanged (give ``over=``).

    Returns
    -------
    xarray.DataArray
        The break-even value over the second parameter.
    """
    return break_even(*args, **kwargs)


def _curve(curve):
    """``(DataArray, parameter name)`` from a DataArray or a one-variable Dataset."""
    if hasattr(curve, "data_vars"):
        name = "break_even" if "break_even" in curve.data_vars else next(iter(curve.data_vars))
        attrs = {**curve.attrs, **curve[name].attrs}
        curve = curve[name].assign_attrs(attrs)
    if curve.ndim != 1:
        raise ParameterError("curve", f"dims {curve.dims}", "one dimension (the over= parameter)")
    return curve, str(curve.attrs.get("parameter", curve.name))


def _label(name, fallback):
    try:
        return parameter_label(name)
    except ParameterError:
        return fallback


def _break_even_label(parameter):
    """The y axis of a break-even curve is the parameter's own axis (the curve says "break-even")."""
    return _label(parameter, f"break-even {parameter.replace('_', ' ')}")


def break_even_plot(curve, ax=None, *, fraction=1.0, textwidth="article", aspect=0.618, label=None,
                    legend_loc="auto", shade=True):
    """Plot a break-even curve; shade and name the side where each technique wins.

    Parameters
    ----------
    curve : xarray.DataArray or xarray.Dataset
        From :func:`break_even_data` (see the module docstring).
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (several curves can share one).
    fraction, textwidth, aspect
        Size of a new figure (:func:`virtmodel.plotting.figure_size`).
    label : str, optional
        Legend label of the curve (default ``"break-even"`` or ``"A = B"`` from attrs).
    legend_loc : str
        A matplotlib ``loc``, ``"outside"``, ``"above"`` or ``"auto"`` (above, one column).
    shade : bool
        Tint the sides of the curve with the winning technique's colour (needs
        ``attrs["below"]`` and ``attrs["above"]``).

    Returns
    -------
    PlotHandles
        ``(fig, ax, artists)`` with ``artists["curve"]`` the Line2D (NaN where
        there is no crossing) and ``artists["below"]``/``["above"]`` the shading
        (or absent); ``update(new_curve)`` moves the line in place (the shading
        stays as first drawn).
    """
    from ._common import technique_style

    curve, parameter = _curve(curve)
    dim = curve.dims[0]
    x, y = np.asarray(curve[dim].values, dtype=float), np.asarray(curve.values, dtype=float)
    below, above = curve.attrs.get("below"), curve.attrs.get("above")
    if label is None:
        label = f"{technique_label(below)} = {technique_label(above)}" if below and above else "break-even"
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    artists = {}
    with use_style():
        (artists["curve"],) = ax.plot(x, y, label=label, **style_at(6))
        ax.set_xlabel(_label(str(dim), str(dim).replace("_", " ")))
        ax.set_ylabel(_break_even_label(parameter))
        ax.set_xlim(x.min(), x.max())
        finite = y[np.isfinite(y)]
        if finite.size:
            ax.set_ylim(0, 1.15 * finite.max())
        if shade and below and above:
            top = ax.get_ylim()[1]
            artists["below"] = ax.fill_between(x, 0, y, color=technique_style(below)["color"], alpha=0.25,
                                               linewidth=0, label=f"{technique_label(below)} better")
            artists["above"] = ax.fill_between(x, y, top, color=technique_style(above)["color"], alpha=0.25,
                                               linewidth=0, label=f"{technique_label(above)} better")
        for axis, values in (("x", x), ("y", finite)):
            if values.size and np.nanmax(np.abs(values)) >= 1e4:
                compact_ticks(ax, axis)
        legend = place_legend(ax, "above" if legend_loc == "auto" else legend_loc,
                              **({"ncols": 1} if legend_loc == "auto" else {}))
    return PlotHandles(fig, ax, artists, {"legend": legend}, _update)


def break_even_point_plot(result, ax=None, *, points=400, fraction=1.0, textwidth="article", aspect=0.618,
                          legend_loc="auto"):
    """Plot a point break-even: both techniques' metric against the parameter, each root marked.

    Parameters
    ----------
    result : virtmodel.analysis.break_even.BreakEven
        From :func:`virtmodel.analysis.break_even` (without ``over=``).
    ax : matplotlib.axes.Axes, optional
    points : int
        Values of the parameter drawn (over the searched range, see ``BreakEven.curves``).
    fraction, textwidth, aspect, legend_loc
        As for :func:`break_even_plot`.

    Returns
    -------
    PlotHandles
        ``artists[technique]`` the two Line2D, ``artists["roots"]`` the vertical
        lines at the break-even values (a list, empty when they do not cross).
    """
    from ._common import metric_label, metric_unit, technique_style, time_scale

    x, curves = result.curves(points)
    timed = metric_unit(result.metric) == "s"
    factor, unit = time_scale(np.concatenate(list(curves.values()))) if timed else (1.0, None)
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    artists = {}
    with use_style():
        for label, values in curves.items():
            (artists[label],) = ax.plot(x, values / factor, label=technique_label(label),
                                        **technique_style(label.partition("(")[0]))
        artists["roots"] = mark_break_even(ax, result, label="break-even")
        ax.set_xlabel(_label(result.parameter, result.parameter.replace("_", " ")))
        ax.set_ylabel(metric_label(result.metric, unit))
        ax.set_xlim(x.min(), x.max())
        if np.nanmax(np.abs(x)) >= 1e4:
            compact_ticks(ax, "x")
        legend = place_legend(ax, "above" if legend_loc == "auto" else legend_loc)
    return PlotHandles(fig, ax, artists, {"legend": legend, "scale": factor})


def _update(handles, curve):
    curve, _ = _curve(curve)
    handles.artists["curve"].set_data(curve[curve.dims[0]].values, curve.values)


def mark_break_even(ax, result, *, scale=1.0, label=None, color="0.15"):
    """Mark the break-even value(s) of ``result`` on an axes whose x axis is its parameter.

    Each root gets a thin solid vertical line ending in a diamond on the top
    edge of the axes, so it reads apart from dashed throughput limits and styled
    curves, and one legend entry. Nothing is drawn when the techniques do not cross.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    result : virtmodel.analysis.break_even.BreakEven
        From :func:`virtmodel.analysis.break_even` (without ``over=``).
    scale : float
        Divisor from the parameter's unit to the axis' (e.g. 1e3 for an axis in thousands).
    label : str, optional
        Legend text (default: ``"break-even A / B: 23.0k"`` with the two techniques
        in words and the value).
    color : matplotlib colour

    Returns
    -------
    list of matplotlib.lines.Line2D
        One vertical line per root (the first carries the legend label).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from virtmodel.analysis import break_even
    >>> from virtmodel.techniques import get
    >>> first = [get(t, wakeups="off") for t in ("sriov", "paravirtual")]  # the default's pair does not cross
    >>> result = break_even(*first, "arrival_rate", "p99", workload="small_packet_rr")
    >>> fig, ax = plt.subplots(); ax.set_xlim(0, 9e4)
    (0.0, 90000.0)
    >>> [round(line.get_xdata()[0]) for line in mark_break_even(ax, result)]
    [23016]
    """
    from matplotlib.ticker import EngFormatter

    if label is None and result.roots:
        value = ", ".join(EngFormatter(sep="", places=1)(r).strip() for r in result.roots)
        label = f"{technique_label(result.a)} = {technique_label(result.b)} at {value}"
    lines = []
    for i, root in enumerate(result.roots):
        x = root / scale
        lines.append(ax.axvline(x, color=color, linestyle="-", linewidth=0.8, marker="D", markersize=4,
                                markevery=[1], label=label if i == 0 else None, zorder=3, clip_on=False))
    return lines


__all__ = ["break_even_data", "break_even_plot", "break_even_point_plot", "mark_break_even"]
