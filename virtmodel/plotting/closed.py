"""The closed model's curve: throughput and mean latency against the users per VM.

>>> from virtmodel.model import Model
>>> from virtmodel.workload import Workload
>>> result = Model("paravirtual", Workload(users=20, think_time=1e-3)).closed()
>>> handles = closed_curve_plot(result)
>>> sorted(handles.artists)
['mean_latency', 'throughput']

Draws :attr:`virtmodel.model.ClosedResult.curve` (the same exact MVA run as the
result's metrics): throughput per VM on the left axis, mean latency on the right;
the dotted line is the open model's throughput limit, the asymptote MVA approaches.
"""

from __future__ import annotations

from ._common import (
    PlotHandles,
    axes_for,
    compact_ticks,
    metric_label,
    place_legend,
    style_at,
    time_scale,
    use_style,
)


def closed_curve_plot(result, ax=None, *, fraction=1.0, textwidth="article", aspect=0.618, legend_loc="auto"):
    """Plot a :class:`~virtmodel.model.ClosedResult`'s throughput and latency against the users.

    Parameters
    ----------
    result : ClosedResult
        From :meth:`virtmodel.model.Model.closed`.
    ax : matplotlib.axes.Axes, optional
        The throughput axes (the latency gets a twin on the right).
    fraction, textwidth, aspect, legend_loc
        As for the other plots (:func:`virtmodel.plotting.figure_size`).

    Returns
    -------
    PlotHandles
        ``artists["throughput"]``, ``artists["mean_latency"]`` (Line2D);
        ``extras["latency_axes"]``, ``extras["limit"]`` (the asymptote) and ``extras["scale"]``.
    """
    curve = result.curve
    users = curve.index.to_numpy()
    factor, unit = time_scale(curve["mean_latency"].to_numpy())
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    with use_style():
        right = ax.twinx()
        (x_line,) = ax.plot(users, curve["throughput"], label="throughput per VM", **style_at(0))
        (r_line,) = right.plot(users, curve["mean_latency"] / factor, label="mean latency", **style_at(1))
        limit = ax.axhline(result.throughput_limit, color="0.4", linestyle=":",
                           linewidth=0.9, label="throughput limit (open model)")
        ax.set_xlabel("users per VM $N$")
        ax.set_ylabel(metric_label("throughput"))
        right.set_ylabel(metric_label("mean_latency", unit))
        ax.set_xlim(users.min(), users.max())
        ax.set_ylim(0, 1.1 * result.throughput_limit)
        right.set_ylim(0, None)
        compact_ticks(ax, "y")
        lines = [x_line, r_line, limit]
        legend = place_legend(ax, "above" if legend_loc == "auto" else legend_loc, handles=lines,
                              **({"ncols": len(lines)} if legend_loc in ("auto", "above") else {}))
    return PlotHandles(fig, ax, {"throughput": x_line, "mean_latency": r_line},
                       {"latency_axes": right, "limit": limit, "scale": factor, "legend": legend})


__all__ = ["closed_curve_plot"]
