"""What drives a metric: the elasticities of :func:`virtmodel.analysis.sensitivity` as bars.

>>> from virtmodel.analysis import sensitivity
>>> from virtmodel.plotting import sensitivity_plot
>>> fig, ax, bars = sensitivity_plot(sensitivity("binary_translation", "overhead", "kernel_build"), top=6)
>>> [t.get_text() for t in ax.get_yticklabels()][0]
'slowdown of guest user code\\n($s_u$)'

One horizontal bar per parameter, the largest ``|elasticity|`` on top, growth
(positive) and shrinkage (negative) in two colours of the package style, each
bar labelled with its value: a tornado chart for a coursework figure.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..labels import parameter as parameter_words
from ..symbols import info
from ._common import PlotHandles, axes_for, metric_title, style_at, use_style


def sensitivity_plot(table, ax=None, *, top=12, fraction=1.0, textwidth="article", aspect=None):
    """Plot the elasticities of :func:`virtmodel.analysis.sensitivity` as horizontal bars.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`virtmodel.analysis.sensitivity`.
    ax : matplotlib.axes.Axes, optional
    top : int
        How many parameters to show (the largest ``|elasticity|``).
    fraction, textwidth : float, str
        Figure size for a new figure (:func:`virtmodel.plotting.figure_size`).
    aspect : float, optional
        Height / width (default grows with the number of bars).

    Returns
    -------
    PlotHandles
        ``(fig, ax, artists)`` with ``artists["bars"]`` the BarContainer (top bar
        first); ``extras``: ``parameters`` (shown, top first), ``labels`` (the
        value texts), ``hidden`` (how many parameters were left out);
        ``update(new_table)`` puts the new elasticities of the same parameters
        into the bars.
    """
    if not (isinstance(top, (int, np.integer)) and top >= 1):
        raise ParameterError("top", top, "a whole number >= 1")
    if "elasticity" not in getattr(table, "columns", ()):
        raise ParameterError("table", type(table).__name__, "the DataFrame of virtmodel.analysis.sensitivity")

    shown = table.iloc[:top]
    names = list(shown.index)
    values = shown["elasticity"].to_numpy(dtype=float)
    aspect = 0.15 + 0.07 * max(len(names), 1) if aspect is None else aspect
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    positions = np.arange(len(names))[::-1]
    with use_style():
        bars = ax.barh(positions, values, height=0.6, color=_colours(values))
        ax.axvline(0.0, color="0.3", linewidth=0.8)
        ax.set_yticks(positions, [_tick(n) for n in names], fontsize="small")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"elasticity of the {metric_title(table.attrs.get('metric', 'metric'))}\n"
                      "(% change per 1% change of the parameter)")
        # every value right of its bar's outer end (a negative bar's text right of the zero line)
        labels = [ax.annotate(_text(v), (max(v, 0.0), y), xytext=(3, 0), textcoords="offset points",
                              ha="left", va="center", fontsize="small")
                  for v, y in zip(values, positions)]
        _limits(ax, values)
    extras = {"parameters": names, "labels": labels, "hidden": max(len(table) - len(names), 0)}
    return PlotHandles(fig, ax, {"bars": bars}, extras, _update)


def _tick(name) -> str:
    """A bar's label: the parameter in words (wrapped at 30 characters) and its symbol."""
    import textwrap

    return textwrap.fill(f"{parameter_words(name)} (${info(name).latex}$)", 30, break_long_words=False)


def _text(value) -> str:
    """``+1.13``; a value that would round to 0.00 in scientific form (``-3e-04``)."""
    return f"{value:+.2f}" if abs(value) >= 0.005 or value == 0 or not np.isfinite(value) else f"{value:+.0e}"


def _colours(values):
    grow, shrink = style_at(0)["color"], style_at(1)["color"]
    return [grow if v >= 0 else shrink for v in values]


def _limits(ax, values):
    finite = values[np.isfinite(values)]
    lo, hi = min(finite.min(initial=0.0), 0.0), max(finite.max(initial=0.0), 0.0)
    pad = 0.25 * (hi - lo or 1.0)
    ax.set_xlim(lo - 0.05 * pad, hi + pad)  # room on the right for the value texts


def _update(handles, table):
    elasticity = table["elasticity"]
    values = np.array([float(elasticity.get(n, 0.0)) for n in handles.extras["parameters"]])
    for rect, label, colour, v in zip(handles.artists["bars"].patches, handles.extras["labels"], _colours(values),
                                      values):
        rect.set_width(v)
        rect.set_color(colour)
        label.xy = (max(v, 0.0), label.xy[1])
        label.set_text(_text(v))
    _limits(handles.ax, values)


__all__ = ["sensitivity_plot"]
