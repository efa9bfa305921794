"""Answers with their uncertainty: bands of :func:`virtmodel.analysis.uncertainty` results.

Over a 1-D ``at=`` grid: the nominal curve, the median of the draws and two
shaded bands (the central 50% and 90% intervals by default). Without a grid:
a histogram of the draws with the nominal value and the interval marked.
Metrics in seconds are shown in a readable sub-unit (ms, us, ns).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..metrics import unit as metric_unit
from ._common import PlotHandles, axes_for, metric_label, parameter_label, time_scale, use_style

#: the central intervals drawn as bands, widest first
LEVELS = (0.9, 0.5)


def _scale(result):
    if metric_unit(result.metric) == "s":
        return time_scale(result.draws.values)
    return 1.0, None


def uncertainty_plot(result, ax=None, *, levels=LEVELS, color=None, label=None, fraction=1.0,
                     textwidth="article", aspect=0.618):
    """Plot an :class:`~virtmodel.analysis.uncertainty.UncertaintyResult`.

    Parameters
    ----------
    result : UncertaintyResult
        With no grid or a 1-D ``at=`` grid.
    ax : matplotlib.axes.Axes, optional
    levels : tuple of float
        Central intervals drawn as bands (widest first).
    color, label : str, optional
        Colour and legend label of the curve and its bands.

    Returns
    -------
    PlotHandles
        ``artists``: ``"nominal"``, ``"median"`` (lines, or the histogram's
        vertical lines) and ``("band", level)`` (PolyCollections) or
        ``"histogram"``.
    """
    if not hasattr(result, "draws") or not hasattr(result, "interval"):
        raise ParameterError("result", type(result).__name__, "an UncertaintyResult of virtmodel.analysis.uncertainty")
    dims = [d for d in result.draws.dims if d != "draw"]
    if len(dims) > 1:
        raise ParameterError("result", f"a grid over {dims}", "no grid or a 1-D at= grid")
    with use_style():
        fig, ax = axes_for(ax, fraction, textwidth, aspect)
        factor, unit = _scale(result)
        artists = {}
        if not dims:
            finite = result.draws.values[np.isfinite(result.draws.values)] / factor
            artists["histogram"] = ax.hist(finite, bins=50, color=color, alpha=0.6, label=label)[2]
            artists["nominal"] = ax.axvline(float(result.nominal) / factor, color="k", label="nominal")
            low, high = result.interval(levels[0])
            artists["band", levels[0]] = ax.axvspan(float(low) / factor, float(high) / factor, color=color or "C0",
                                                    alpha=0.15, label=f"{levels[0]:.0%} interval")
            ax.set_xlabel(metric_label(result.metric, unit))
            ax.set_ylabel("draws")
        else:
            x = result.draws[dims[0]].values
            line = ax.plot(x, result.nominal.values / factor, color=color, label=label or "nominal")[0]
            color = line.get_color()
            artists["nominal"] = line
            median = result.draws.quantile(0.5, dim="draw", method="inverted_cdf").values
            artists["median"] = ax.plot(x, median / factor, color=color, linestyle=":", label="median of draws")[0]
            for i, level in enumerate(levels):
                low, high = result.interval(level)
                artists["band", level] = ax.fill_between(x, low.values / factor, high.values / factor, color=color,
                                                         alpha=0.15 + 0.15 * i, linewidth=0,
                                                         label=f"{level:.0%} interval")
            ax.set_xlabel(parameter_label(dims[0]))
            ax.set_ylabel(metric_label(result.metric, unit))
        ax.legend()
    return PlotHandles(fig, ax, artists, {"factor": factor})


def uncertain_hatch(ax, x, y, uncertain):
    """Hatch (``xx``, no fill) the grid cells of a win-region map marked uncertain
    (``win_regions(..., uncertainty=...)``); returns the artist, or None when no cell is."""
    uncertain = np.asarray(uncertain, dtype=bool)
    if not uncertain.any():
        return None
    cells = np.ma.masked_where(~uncertain, np.ones(uncertain.shape))
    mesh = ax.pcolor(x, y, cells, hatch="xx", facecolor="none", edgecolor="0.1", linewidth=0, shading="auto")
    mesh.set_facecolor("none")
    return mesh
