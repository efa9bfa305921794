"""Latency against load for several techniques, with saturation asymptotes.

>>> from virtmodel.plotting.latency import latency_curves_data, latency_curves_plot
>>> data = latency_curves_data(["hardware_assist", "sriov"], "small_packet_rr", points=50)
>>> fig, ax, lines = latency_curves_plot(data)
>>> sorted(lines)
['hardware_assist', 'sriov']

Each technique saturates at its own throughput limit :math:`X_{\\max}` (the
smallest station capacity, see :mod:`virtmodel.model`). The curve is masked
(NaN) at and past it instead of drawn as a spike, and a thin dashed vertical
line in the technique's colour marks :math:`\\lambda = X_{\\max}`.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._common import (
    PlotHandles,
    axes_for,
    compact_ticks,
    metric_label,
    metric_unit,
    parameter_label,
    place_legend,
    saturates,
    technique_label,
    technique_models,
    technique_style,
    time_scale,
    use_style,
)

X_AXES = ("arrival_rate", "utilization")
_UTILIZATION_LABEL = r"utilization of the bottleneck $\rho = \lambda / X_{\max}$"


def _load_grid(stop, points, limits):
    """An even grid on [0, stop] refined just below each limit (so curves reach the top)."""
    grid = [np.linspace(0.0, stop, points)]
    for limit in limits:
        if limit <= stop:
            grid.append(limit * (1 - np.geomspace(0.2, 1e-4, 24)))
    return np.unique(np.concatenate(grid))


def latency_curves_data(techniques, workload=None, platform=None, *, metric="mean_latency",
                        x="arrival_rate", points=200, x_max=None, **overrides):
    """Latency (or any saturating metric) against the load, one curve per technique.

    Parameters
    ----------
    techniques : sequence of str or Technique
        The techniques to compare (names of :func:`virtmodel.techniques.get`).
    workload : str or Workload, optional
        A workload preset name or a :class:`~virtmodel.workload.Workload`.
    platform : Platform, optional
    metric : str
        ``"mean_latency"`` or a percentile (``"p50"``, ``"p99"``, ``"p99.9"``, ...), or any
        metric that saturates (``"overhead"``, ``"latency_variance"``).
    x : {"arrival_rate", "utilization"}
        The load axis: the arrival rate per VM :math:`\\lambda` (1/s), shared by all
        techniques; or each technique's bottleneck utilization
        :math:`\\rho = \\lambda / X_{\\max}`.
    points : int
        Points of the even grid (more are added just below each throughput limit).
    x_max : float, optional
        End of the load axis (default: 1.15 times the largest throughput limit,
        or 0.999 for utilization).
    **overrides
        Scalar model parameters (``vms=16``, ``exit_cycles=1500``, ...).

    Returns
    -------
    xarray.Dataset
        ``metric`` (technique, x) in the metric's unit, NaN where the technique is
        saturated; ``saturated`` (technique, x); ``throughput_limit`` (technique)
        in 1/s per VM; the other load coordinate as a 2-D coordinate (``utilization``
        or ``arrival_rate``); ``label`` (technique); attrs ``metric``, ``x``, ``unit``.
    """
    import xarray as xr

    if x not in X_AXES:
        raise ParameterError("x", x, "one of " + ", ".join(X_AXES))
    if "arrival_rate" in overrides:
        raise ParameterError("arrival_rate", overrides["arrival_rate"], "not given (it is the load axis)")
    by_label = technique_models(techniques, workload, platform)
    names, models = list(by_label), list(by_label.values())
    check_saturating_metric(metric)
    limits = np.array([m.evaluate("throughput_limit", **overrides) for m in models], dtype=float)
    if np.ndim(limits) != 1:
        raise ParameterError("overrides", sorted(overrides), "scalars (one curve per technique)")
    if x == "arrival_rate":
        stop = 1.15 * limits.max() if x_max is None else float(x_max)
        grid = _load_grid(stop, int(points), limits)
        rates = np.broadcast_to(grid, (len(names), grid.size))
    else:
        stop = 0.999 if x_max is None else float(x_max)
        grid = _load_grid(stop, int(points), [1.0])
        rates = np.outer(limits, grid)
    values = np.array([m.evaluate(metric, arrival_rate=r, **overrides) for m, r in zip(models, rates)])
    saturated = ~np.isfinite(values)
    other = "utilization" if x == "arrival_rate" else "arrival_rate"
    other_values = rates / limits[:, None] if x == "arrival_rate" else rates
    return xr.Dataset(
        {metric: (("technique", x), np.where(saturated, np.nan, values)),
         "saturated": (("technique", x), saturated),
         "throughput_limit": ("technique", limits)},
        coords={"technique": names, x: grid, other: (("technique", x), other_values),
                "label": ("technique", [technique_label(t) for t in names])},
        attrs={"metric": metric, "x": x, "unit": metric_unit(metric),
                   "description": f"{metric} against {x}; NaN where saturated (utilization >= 1)"})


def saturating_metrics() -> tuple:
    """The listed metrics that saturate (latency-like: ``inf`` past a throughput limit)."""
    from ..model import metric_names

    return tuple(m for m in metric_names() if m != "bottleneck" and saturates(m))


def check_saturating_metric(metric) -> str:
    """``metric`` if it saturates (one of :func:`saturating_metrics` or any percentile ``p<P>``)."""
    from ..model import is_percentile
    from ..percentile_names import PERCENTILE_HINT

    if metric in saturating_metrics() or is_percentile(metric):
        return metric
    raise ParameterError("metric", metric, "a metric that saturates: " + ", ".join(saturating_metrics()),
                         PERCENTILE_HINT)


def _scaled(data):
    metric = data.attrs["metric"]
    unit = data.attrs["unit"]
    if unit != "s":
        return 1.0, unit
    low = data[metric].isel({data.attrs["x"]: slice(0, 3)}).values
    return time_scale(low)


def latency_curves_plot(data, ax=None, *, fraction=1.0, textwidth="article", aspect=0.618,
                        ylim=None, legend_loc="auto"):
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
        A matplotlib ``loc``, ``"outside"`` (right of the axes) or ``"auto"``
        (inside for wide axes, outside for narrow ones).

    Returns
    -------
    PlotHandles
        ``(fig, ax, artists)`` with ``artists[technique]`` the Line2D;
        ``extras["asymptotes"][technique]`` the vertical limit lines,
        ``extras["scale"]`` the divisor from the data's unit to the shown one;
        ``update(new_data)`` moves lines and asymptotes in place.
    """
    metric, x = data.attrs["metric"], data.attrs["x"]
    scale, unit = _scaled(data)
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    lines, asymptotes = {}, {}
    with use_style():
        for t in data["technique"].values:
            row = data.sel(technique=t)
            style = technique_style(str(t))
            (lines[str(t)],) = ax.plot(data[x].values, row[metric].values / scale, label=str(row["label"].values),
                                       **style)
            if x == "arrival_rate":
                asymptotes[str(t)] = ax.axvline(float(row["throughput_limit"]), color=style["color"],
                                                linestyle=(0, (2, 2)), linewidth=0.8, alpha=0.8)
        if x == "utilization":
            asymptotes["saturation"] = ax.axvline(1.0, color="0.3", linestyle=(0, (2, 2)), linewidth=0.8,
                                                  label=r"saturation $\rho = 1$")
        ax.set_xlabel(parameter_label("arrival_rate") if x == "arrival_rate" else _UTILIZATION_LABEL)
        ax.set_ylabel(metric_label(metric, unit))
        ax.set_xlim(0, float(data[x].max()) * (1.0 if x == "arrival_rate" else 1.02))
        ax.set_ylim(*(ylim if ylim is not None else _default_ylim(data[metric].values / scale)))
        if x == "arrival_rate":
            compact_ticks(ax, "x")
        legend = place_legend(ax, legend_loc)
    extras = {"asymptotes": asymptotes, "legend": legend, "scale": scale, "unit": unit}
    return PlotHandles(fig, ax, lines, extras, _update)


def _default_ylim(values):
    low = np.nanmax(values[:, :3]) if values.size else 1.0
    return 0.0, 6.0 * low if np.isfinite(low) and low > 0 else 1.0


def _update(handles, data):
    metric, x = data.attrs["metric"], data.attrs["x"]
    scale = handles.extras["scale"]
    for t, line in handles.artists.items():
        row = data.sel(technique=t)
        line.set_data(data[x].values, row[metric].values / scale)
        if t in handles.extras["asymptotes"]:
            limit = float(row["throughput_limit"])
            handles.extras["asymptotes"][t].set_xdata([limit, limit])


__all__ = ["latency_curves_data", "latency_curves_plot", "saturating_metrics"]
