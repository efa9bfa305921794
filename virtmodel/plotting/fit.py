"""Measured vs fitted: the result of :func:`virtmodel.analysis.fit` with a residual panel.

One column per fitted metric. Top: the measurements (markers) and the fitted
model (a line over the measured range when the data varies one parameter;
markers at the measured points otherwise), against that parameter (or the
point number). Bottom: the scaled residuals :math:`r` of the fit (in standard
deviations when the measurement errors were given, with the :math:`\\pm 1.96`
band; relative otherwise).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._common import PlotHandles, metric_label, parameter_label, style_at, time_scale, use_style
from .style import new_figure


def fit_plot(result, *, points=200, fraction=1.0, textwidth="article", aspect=None):
    """Plot a :class:`~virtmodel.analysis.FitResult`: measured vs fitted, residuals below.

    Returns
    -------
    PlotHandles
        ``(fig, axes, artists)``: ``axes`` is a 2 x metrics array;
        ``artists[metric]`` is ``{"measured", "fitted", "residuals"}``.
    """
    if not all(hasattr(result, a) for a in ("residuals", "metrics", "inputs", "model", "absolute_sigma")):
        raise ParameterError("result", type(result).__name__, "a FitResult (from virtmodel.analysis.fit)")
    if not (isinstance(points, (int, np.integer)) and not isinstance(points, bool) and 2 <= points <= 100_000):
        raise ParameterError("points", points, "a whole number in [2, 100000]")
    metrics = list(result.metrics)
    aspect = 0.75 if aspect is None else aspect
    fig, axes = new_figure(2, len(metrics), fraction=fraction, textwidth=textwidth, aspect=aspect, squeeze=False,
                           sharex="col", gridspec_kw={"height_ratios": [3, 1]})
    table = result.residuals
    xname = result.inputs[0] if len(result.inputs) == 1 else None
    artists = {}
    with use_style():
        for col, metric in enumerate(metrics):
            rows = table[table["metric"] == metric]
            x = rows[xname].to_numpy(dtype=float) if xname else rows["point"].to_numpy(dtype=float)
            factor, unit = time_scale(rows["measured"]) if _in_seconds(metric) else (1.0, None)
            top, bottom = axes[0, col], axes[1, col]
            measured = top.plot(x, rows["measured"] / factor, "o", label="measured", **_colour(0))[0]
            if xname:
                grid = np.linspace(x.min(), x.max(), points)
                with np.errstate(all="ignore"):
                    curve = np.asarray(result.model.evaluate_many([metric], **{xname: grid})[metric], dtype=float)
                fitted = top.plot(grid, curve / factor, "-", label="fitted", **_colour(1))[0]
            else:
                fitted = top.plot(x, rows["fitted"] / factor, "s", mfc="none", label="fitted", **_colour(1))[0]
            top.set_ylabel(metric_label(metric, unit) if unit else metric_label(metric))
            top.legend(loc="best")
            residuals = bottom.plot(x, rows["residual"], "o", **_colour(0))[0]
            bottom.axhline(0.0, color="0.3", linewidth=0.8)
            if result.absolute_sigma:
                for level in (-1.96, 1.96):
                    bottom.axhline(level, color="0.6", linewidth=0.6, linestyle="--")
            bottom.set_ylabel("residual [$\\sigma$]" if result.absolute_sigma else "relative residual")
            bottom.set_xlabel(parameter_label(xname) if xname else "measurement")
            artists[metric] = {"measured": measured, "fitted": fitted, "residuals": residuals}
    return PlotHandles(fig, axes, artists, {"x": xname})


def _in_seconds(metric) -> bool:
    from ..metrics import unit

    return unit(metric) == "s"


def _colour(index) -> dict:
    return {"color": style_at(index)["color"]}


__all__ = ["fit_plot"]
