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
    from ._common import with_unit

    try:
        i = info(parameter)
    except ParameterError:
        return f"break-even {parameter.replace('_', ' ')}"
    return with_unit(f"break-even ${i.latex}$", i.unit)


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


def _update(handles, curve):
    curve, _ = _curve(curve)
    handles.artists["curve"].set_data(curve[curve.dims[0]].values, curve.values)


__all__ = ["break_even_data", "break_even_plot"]
