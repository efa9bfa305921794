"""Where the CPU goes: guest, host and offload-card work per technique, stacked.

>>> from virtmodel.plotting.breakdown import cpu_breakdown_data, cpu_breakdown_plot
>>> table = cpu_breakdown_data(["paravirtual", "sriov", "nitro"], "small_packet_rr")
>>> list(table.columns)
['guest', 'host', 'card', 'wakeups']
>>> fig, ax, bars = cpu_breakdown_plot(table)

Per request (``per="request"``) the bars are the station demands :math:`D_i`
(core-seconds per request, :meth:`Model.station_table`) and the wake-up work paid off the
queues (``wakeups``, :mod:`virtmodel.techniques.notifications`); their sum is the
model's ``cpu_per_request``. At a load (``per="load"``) they are the cores busy
across all VMs: ``guest_cores`` :math:`V\\lambda D_{\\mathrm{guest}}`,
``host_cores`` :math:`V\\lambda D_{\\mathrm{host}}` and the card's busy cores
``card_load`` :math:`\\times c_{\\mathrm{card}}`. The table is computed by
:func:`virtmodel.analysis.breakdown.cpu_breakdown` (here under its plot's name); this
module only draws.
"""

from __future__ import annotations

import numpy as np

from ..analysis.breakdown import COMPONENTS
from ..analysis.breakdown import cpu_breakdown as cpu_breakdown_data
from ._common import (
    PlotHandles,
    axes_for,
    expect_data,
    place_legend,
    style_at,
    use_style,
)

_COMPONENT_LABELS = {"guest": "guest vCPUs", "host": "host cores", "card": "offload card",
                     "wakeups": "wake-ups (off the queues)"}
_HATCHES = {"guest": "", "host": "////", "card": "....", "wakeups": "xx"}


def _scale(table):
    from ._common import time_scale

    if table.attrs["unit"] != "s":
        return 1.0, "cores"
    factor, unit = time_scale(table.to_numpy().sum(axis=1))
    return factor, f"core-{unit}"


def cpu_breakdown_plot(table, ax=None, *, fraction=1.0, textwidth="article", aspect=None,
                       legend_loc="auto"):
    """Plot :func:`cpu_breakdown_data` as horizontal stacked bars, one per technique.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cpu_breakdown_data`.
    ax : matplotlib.axes.Axes, optional
    fraction, textwidth : float, str
        Figure size for a new figure (:func:`virtmodel.plotting.figure_size`).
    aspect : float, optional
        Height / width (default grows with the number of techniques).
    legend_loc : str
        A matplotlib ``loc``, ``"outside"``, ``"above"`` or ``"auto"`` (above).

    Returns
    -------
    PlotHandles
        ``(fig, ax, artists)`` with ``artists[component]`` the BarContainer of
        that component (guest, host, card, wakeups; all-zero ones are left out);
        ``extras["scale"]`` the divisor from the data's unit to the shown one;
        ``update(new_table)`` resizes the bars in place.
    """
    expect_data("table", table, (*COMPONENTS, "unit"), "virtmodel.analysis.breakdown.cpu_breakdown")
    factor, unit = _scale(table)
    shown = [c for c in COMPONENTS if (table[c] != 0).any()] or ["guest"]
    aspect = 0.2 + 0.11 * len(table) if aspect is None else aspect
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    positions = np.arange(len(table))[::-1]
    bars = {}
    with use_style():
        left = np.zeros(len(table))
        for i, c in enumerate(shown):
            width = table[c].to_numpy() / factor
            bars[c] = ax.barh(positions, width, left=left, height=0.6, label=_COMPONENT_LABELS[c],
                              color=style_at(i)["color"], hatch=_HATCHES[c], edgecolor="white", linewidth=0.5)
            left = left + width
        ax.set_yticks(positions, [table.attrs["labels"].get(t, t) for t in table.index])
        ax.grid(axis="y", visible=False)
        rate = table.attrs["arrival_rate"]
        what = "CPU time per request" if table.attrs["per"] == "request" else (
            "cores busy, all VMs" + (rf" at $\lambda$ = {rate:g}/s per VM" if rate is not None else ""))
        ax.set_xlabel(f"{what} [{unit}]")
        ax.set_xlim(0, 1.05 * left.max() if left.max() > 0 else 1.0)
        legend = place_legend(ax, "above" if legend_loc == "auto" else legend_loc)
    extras = {"legend": legend, "scale": factor, "unit": unit}
    return PlotHandles(fig, ax, bars, extras, _update)


def _update(handles, table):
    left = np.zeros(len(table))
    for c, container in handles.artists.items():
        width = table[c].to_numpy() / handles.extras["scale"]
        for rect, x0, w in zip(container.patches, left, width):
            rect.set_x(x0)
            rect.set_width(w)
        left = left + width


__all__ = ["COMPONENTS", "cpu_breakdown_data", "cpu_breakdown_plot"]
