"""The exit-cost timeline: VM-exit cost by processor generation against binary translation.

The timeline takes the :class:`pandas.DataFrame` of
:func:`virtmodel.analysis.exit_cost_history` (one row per processor
generation). Column names are parameters of :func:`exit_cost_timeline_plot`;
by default ``generation`` (name), ``year`` (launch, decimal year) and
``exit_cycles`` (hardware exit + entry round trip, cycles). Binary
translation's cost is a horizontal reference line: the exit cost at which
hardware assist costs as much as binary translation on the workload
(``reference=``, default ``attrs["break_even_cycles"]``). The first generation
below it is where hardware assist took over, marked on the plot.
"""

from __future__ import annotations

import numpy as np

from ..analysis import exit_cost_history
from ..errors import ParameterError
from ._common import PlotHandles, axes_for, place_legend, technique_style, use_style

_REFERENCE_KEYS = ("break_even_cycles", "binary_translation_cycles", "reference_cycles")


def exit_cost_timeline_data(*args, **kwargs):
    """The data behind :func:`exit_cost_timeline_plot`: :func:`virtmodel.analysis.exit_cost_history`.

    Parameters
    ----------
    *args, **kwargs
        Passed to :func:`virtmodel.analysis.exit_cost_history` unchanged.

    Returns
    -------
    pandas.DataFrame
        One row per processor generation.
    """
    return exit_cost_history(*args, **kwargs)


def _reference(history, reference):
    if reference is None:
        reference = next((history.attrs[k] for k in _REFERENCE_KEYS if k in history.attrs), None)
    if isinstance(reference, str):
        reference = history[reference].iloc[0]
    if reference is None:
        raise ParameterError("reference", None, "binary translation's equal-cost exit cycles (a number), "
                             "or attrs['break_even_cycles'] in the history")
    return float(reference)


def exit_cost_timeline_plot(history, ax=None, *, fraction=1.0, textwidth="article", aspect=0.55,
                            x="year", y="exit_cycles", name="generation", reference=None, legend_loc="auto"):
    """Plot exit cycles by launch date, binary translation's cost, and the take-over generation.

    Parameters
    ----------
    history : pandas.DataFrame
        From :func:`exit_cost_timeline_data` (see the module docstring).
    ax : matplotlib.axes.Axes, optional
    fraction, textwidth, aspect
        Size of a new figure (:func:`virtmodel.plotting.figure_size`).
    x, y, name : str
        Columns of launch date (decimal year), exit cost (cycles) and generation
        name (``name`` may also be the index).
    reference : float or str, optional
        Exit cycles at which hardware assist ties binary translation (a number or
        a column); default from ``history.attrs``.
    legend_loc : str
        A matplotlib ``loc``, ``"outside"``, ``"above"`` or ``"auto"``.

    Returns
    -------
    PlotHandles
        ``(fig, ax, artists)`` with ``artists["exits"]`` (Line2D of the
        generations), ``artists["reference"]`` (the horizontal line) and
        ``artists["takeover"]`` (the marker, or None if no generation is below);
        ``extras["takeover"]`` the generation's name; ``extras["labels"]`` the
        generation annotations.
    """
    table = history.reset_index() if name not in history.columns else history
    table = table.sort_values(x)
    years, cycles = table[x].to_numpy(float), table[y].to_numpy(float)
    level = _reference(history, reference)
    below = np.flatnonzero(cycles < level)
    takeover = str(table[name].iloc[below[0]]) if below.size else None
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    artists = {"takeover": None}
    hw, bt = technique_style("hardware_assist"), technique_style("binary_translation")
    with use_style():
        (artists["exits"],) = ax.plot(years, cycles, marker="o", label="VM exit + entry (hardware assist)", **hw)
        artists["reference"] = ax.axhline(level, color=bt["color"], linestyle=bt["linestyle"], linewidth=1.2,
                                          label="binary translation (equal-cost exit)")
        labels = [ax.annotate(str(g), (yr, c), xytext=(0, 5), textcoords="offset points", ha="center",
                              va="bottom", fontsize=6.5, rotation=30)
                  for g, yr, c in zip(table[name], years, cycles)]
        if takeover is not None:
            i = below[0]
            (artists["takeover"],) = ax.plot([years[i]], [cycles[i]], marker="*", markersize=11, linestyle="none",
                                             color=hw["color"], markeredgecolor="black", markeredgewidth=0.5,
                                             label=f"hardware assist takes over ({takeover})")
        ax.set_xlabel("launch date [year]")
        ax.set_ylabel("exit cost [cycles]")
        ax.set_ylim(0, 1.25 * max(cycles.max(), level))
        ax.set_xlim(years.min() - 0.7, years.max() + 0.7)
        legend = place_legend(ax, "upper right" if legend_loc == "auto" else legend_loc)
    extras = {"legend": legend, "takeover": takeover, "labels": labels, "reference_cycles": level}
    return PlotHandles(fig, ax, artists, extras)


__all__ = ["exit_cost_timeline_data", "exit_cost_timeline_plot"]
