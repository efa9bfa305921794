"""Win-region maps: which technique is best over a 2-D parameter grid, and by how much.

The map takes the :class:`xarray.Dataset` of :func:`virtmodel.analysis.win_regions`
(two dimensions named after the model parameters swept):

``winner``   the best technique at each point, as a name or as an index into the
             ``technique`` coordinate;
``margin``   (optional) how far ahead the winner is (drawn as labelled contours,
             and hatched where below ``tie``); where it is below ``tie_margin``
             no technique wins: the point is a **tie**, drawn white with its own
             legend entry, never in a technique's colour;
masks        any boolean variable (``saturated``, ``violates``, ``mask``, ...):
             points where it is True are left blank (grey) and counted as "no
             feasible technique".

Colours are the techniques' own colours (the same as in every other figure);
the legend names each technique present.
"""

from __future__ import annotations

import numpy as np

from ..analysis import win_regions
from ..errors import ParameterError
from ._common import (
    PlotHandles,
    axes_for,
    compact_ticks,
    expect_data,
    parameter_label,
    place_legend,
    technique_label,
    technique_style,
    use_style,
)


def win_regions_data(*args, **kwargs):
    """The data behind :func:`win_regions_plot`: :func:`virtmodel.analysis.win_regions` itself.

    Parameters
    ----------
    *args, **kwargs
        Passed to :func:`virtmodel.analysis.win_regions` unchanged.

    Returns
    -------
    xarray.Dataset
        ``winner``, ``margin`` and boolean masks over two parameter dimensions.
    """
    return win_regions(*args, **kwargs)


def region_codes(regions) -> tuple:
    """``(codes, names)``: the winner as integer codes (-1 where masked) and the technique names.

    Parameters
    ----------
    regions : xarray.Dataset
        With a ``winner`` variable of names or of indices into ``technique``.
    """
    winner = regions["winner"]
    if winner.ndim != 2:
        raise ParameterError("regions", f"winner with dims {winner.dims}", "a map over two parameters")
    values = np.asarray(winner.values)
    if values.dtype.kind in "iu":
        names = [str(t) for t in regions["technique"].values]
        codes = values.astype(int)
    else:
        present = [str(v) for v in np.unique(values[values != ""]) if v is not None and str(v) not in ("", "nan")]
        listed = [str(t) for t in regions["technique"].values] if "technique" in regions.coords else []
        names = listed + [n for n in present if n not in listed]
        lookup = {n: i for i, n in enumerate(names)}
        codes = np.vectorize(lambda v: lookup.get(str(v), -1), otypes=[int])(values)
    masked = np.zeros(values.shape, dtype=bool)
    for name in mask_names(regions):
        masked |= np.asarray(regions[name].transpose(*winner.dims).values, dtype=bool)
    return np.where(masked, -1, codes), names


def mask_names(regions) -> list:
    """Names of the boolean mask variables of a regions dataset (everything boolean but ``winner``)."""
    return [n for n, v in regions.data_vars.items() if v.dtype == bool and n != "winner"]


#: relative margin below which two techniques tie (no winner is drawn): 0.1%
TIE_MARGIN = 1e-3


def tie_mask(regions, codes=None, tie_margin=TIE_MARGIN):
    """Boolean map of the feasible points where the winner leads by less than ``tie_margin`` (a tie).

    ``margin`` is the relative gap of the runner-up to the winner
    (:func:`virtmodel.analysis.win_regions`); without a ``margin`` variable or with
    ``tie_margin`` None or 0 there are no ties.
    """
    if codes is None:
        codes, _ = region_codes(regions)
    if "margin" not in regions or not tie_margin:
        return np.zeros(codes.shape, dtype=bool)
    margin = regions["margin"].transpose(*regions["winner"].dims).values
    with np.errstate(invalid="ignore"):
        return (codes >= 0) & np.isfinite(margin) & (margin < tie_margin)


def win_regions_plot(regions, ax=None, *, fraction=1.0, textwidth="article", aspect=0.75, margin_levels=None,
                     tie=None, tie_margin=TIE_MARGIN, legend_loc="auto", log=None):
    """Plot a win-region map: categorical colours, margin contours, masked points blank.

    Parameters
    ----------
    regions : xarray.Dataset
        From :func:`win_regions_data` (see the module docstring for the layout).
    ax : matplotlib.axes.Axes, optional
    fraction, textwidth, aspect
        Size of a new figure (:func:`virtmodel.plotting.figure_size`).
    margin_levels : sequence of float, optional
        Margin values to draw as labelled contours (default: 3 levels spread over
        the margin's range; ``[]`` for none).
    tie : float, optional
        Hatch the points whose margin is below this value (a near tie; they keep
        the winner's colour).
    tie_margin : float or None
        Points where the winner leads by less than this relative margin are
        ties: no winner's colour, white, with a "tie" legend entry (default 1e-3, 0.1%; None: every point has a winner).
    legend_loc : str
        A matplotlib ``loc``, ``"outside"``, ``"above"`` or ``"auto"`` (outside).
    log : (bool, bool), optional
        Log scale on x and y (default: log where the grid is geometric).

    Returns
    -------
    PlotHandles
        ``(fig, ax, artists)`` with ``artists["map"]`` the QuadMesh whose array
        is the winner codes (masked where infeasible; codes index
        ``extras["techniques"]``), ``artists["margin"]`` the contour set (or None),
        ``artists["tie"]`` the near-tie hatching (or None), ``artists["ties"]``
        the tie cells (a QuadMesh) and ``extras["ties"]`` their boolean map;
        ``update(new_regions)`` changes the map's array in place.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    expect_data("regions", regions, ("winner", "technique"), "virtmodel.analysis.win_regions")
    codes, names = region_codes(regions)
    ties = tie_mask(regions, codes, tie_margin)
    codes = np.where(ties, -1, codes)          # a tie is nobody's win
    ydim, xdim = regions["winner"].dims
    x, y = regions[xdim].values, regions[ydim].values
    cmap = ListedColormap([technique_style(n)["color"] for n in names]).with_extremes(bad="0.85")
    norm = BoundaryNorm(np.arange(-0.5, len(names) + 0.5), len(names))
    fig, ax = axes_for(ax, fraction, textwidth, aspect)
    artists = {"margin": None, "tie": None}
    with use_style():
        artists["map"] = ax.pcolormesh(x, y, np.ma.masked_less(codes, 0), cmap=cmap, norm=norm, shading="auto",
                                       rasterized=True)
        artists["ties"] = _draw_ties(ax, x, y, ties)
        margin = regions["margin"].transpose(ydim, xdim).values if "margin" in regions else None
        if margin is not None:
            artists["margin"], artists["tie"] = _margin(ax, x, y, np.where(codes < 0, np.nan, margin),
                                                        margin_levels, tie)
        if "uncertain" in regions:
            from .bands import uncertain_hatch

            artists["uncertain"] = uncertain_hatch(ax, x, y, regions["uncertain"].transpose(ydim, xdim).values)
        for axis, values, flag in zip("xy", (x, y), log or (_geometric(x), _geometric(y))):
            if flag:
                getattr(ax, f"set_{axis}scale")("log")
        for axis, flag in zip("xy", log or (_geometric(x), _geometric(y))):
            if not flag and np.nanmax(np.abs(x if axis == "x" else y)) >= 1e4:
                compact_ticks(ax, axis)
        ax.set_xlabel(_dim_label(regions, xdim))
        ax.set_ylabel(_dim_label(regions, ydim))
        ax.grid(False)
        shown = sorted(set(codes[codes >= 0].ravel().tolist()))
        handles = [Patch(facecolor=cmap(i), label=technique_label(names[i])) for i in shown]
        if ties.any():
            handles.append(Patch(facecolor="white", edgecolor="0.3", linewidth=0.6,
                                 label=f"tie (within {100 * tie_margin:g}%)"))
        if ((codes < 0) & ~ties).any():
            handles.append(Patch(facecolor="0.85", label="infeasible / saturated"))
        if artists["tie"] is not None:
            handles.append(Patch(facecolor="none", edgecolor="0.35", hatch="///", label=f"margin < {tie:g}"))
        if artists.get("uncertain") is not None:
            handles.append(Patch(facecolor="none", edgecolor="0.1", hatch="xx", label="uncertain"))
        if artists["margin"] is not None:
            handles.append(Line2D([], [], color="0.15", linewidth=0.6, label="margin (contours)"))
        legend = place_legend(ax, "outside" if legend_loc == "auto" else legend_loc, handles=handles)
    extras = {"legend": legend, "techniques": names, "cmap": cmap, "ties": ties, "tie_margin": tie_margin}
    return PlotHandles(fig, ax, artists, extras, _update)


def _draw_ties(ax, x, y, ties):
    """The tie cells: white (a QuadMesh whose array is 1 on a tie, masked elsewhere)."""
    from matplotlib.colors import ListedColormap

    mesh = ax.pcolormesh(x, y, np.ma.masked_where(~ties, np.ones(ties.shape)), cmap=ListedColormap(["white"]),
                         vmin=0, vmax=2, shading="auto", rasterized=True)
    return mesh


def _margin(ax, x, y, margin, levels, tie):
    finite = margin[np.isfinite(margin)]
    contours = hatch = None
    if levels is None and finite.size and finite.max() > finite.min():
        from matplotlib.ticker import MaxNLocator

        lo, hi = np.quantile(finite, [0.1, 0.9])
        levels = [v for v in MaxNLocator(3).tick_values(lo, hi) if lo <= v <= hi]
    if levels is not None and len(levels) and finite.size:
        contours = ax.contour(x, y, margin, levels=sorted(levels), colors="0.15", linewidths=0.6)
        ax.clabel(contours, fontsize=6, fmt="%g")
    if tie is not None:
        hatch = ax.contourf(x, y, np.where(np.isfinite(margin), margin, np.inf), levels=[-np.inf, tie],
                            colors="none", hatches=["///"])
        for coll in getattr(hatch, "collections", [hatch]):
            coll.set_edgecolor("0.35")
            coll.set_linewidth(0)
    return contours, hatch


def _geometric(values) -> bool:
    v = np.asarray(values, dtype=float)
    if v.size < 3 or (v <= 0).any():
        return False
    return bool(np.allclose(np.diff(np.log(v)), np.log(v[1] / v[0]), rtol=1e-6)) and v[-1] / v[0] > 20


def _dim_label(regions, dim):
    try:
        return parameter_label(dim)
    except ParameterError:
        return str(regions[dim].attrs.get("long_name", dim)).replace("_", " ")


def _update(handles, regions):
    codes, _ = region_codes(regions)
    ties = tie_mask(regions, codes, handles.extras["tie_margin"])
    handles.extras["ties"] = ties
    handles.artists["map"].set_array(np.ma.masked_less(np.where(ties, -1, codes), 0).ravel())
    handles.artists["ties"].set_array(np.ma.masked_where(~ties, np.ones(ties.shape)).ravel())


__all__ = ["TIE_MARGIN", "mask_names", "region_codes", "tie_mask", "win_regions_data", "win_regions_plot"]
