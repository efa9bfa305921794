"""The winning technique at every point of a sweep: one pass per technique, chunk by chunk.

For a metric :math:`M_t` of the techniques :math:`t = 0, \\dots, T-1` at a point,
the winner is

.. math:: w = \\min \\{\\, t : M_t \\text{ finite and } M_t = \\min_{s\\,:\\,M_s \\text{ finite}} M_s \\,\\}

(the first technique on a tie, as ``argmin``; the largest value for
throughput-like metrics), and :math:`w = -1` where no technique's value is
finite. A sweep writes ``inf`` where a technique is saturated and NaN where it
does not apply (SR-IOV past its virtual functions), so "finite" is "feasible"
in :func:`~virtmodel.analysis.win_regions`' sense without constraints. That
function is the 2-D map with margins and statuses; this one is the winner
alone, on any sweep, in memory or lazy.

On a lazy (dask) sweep the technique axis is one chunk, so the winner is one
NumPy pass per technique inside each chunk's task (dask fuses it with the
sweep's task): no tree of partial ``argmin`` results, no copy of the values
with NaN replaced (what ``fillna(inf).argmin("technique")`` costs), and the
result is one small integer per point (``int8`` for up to 127 techniques).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._common import HIGHER_IS_BETTER


def best_index(values: np.ndarray, minimize: bool = True) -> np.ndarray:
    """The winner along the last axis of ``values`` (see the module docstring); -1 where none is finite.

    Branch-free passes over the techniques' columns (a masked write per point
    costs several times a comparison on this data): the best value
    ``fmin``-reduced over them (``fmin`` skips NaN), then, from the last
    technique to the first, the index moved to ``t`` where column ``t``
    equals it (integer arithmetic with the comparison as 0/1), so the first
    of equal values wins; -1 where the best is not below ``inf``. ``-inf``
    is not finite either: where it occurs, it is set to NaN first (a copy).
    """
    values = np.asarray(values, dtype=float)
    count, shape = values.shape[-1], values.shape[:-1]
    columns = [values[..., t] if minimize else np.negative(values[..., t]) for t in range(count)]
    best = np.full(shape, np.inf)
    for column in columns:
        np.fmin(best, column, out=best)
    if np.isneginf(best).any():
        columns = [np.where(np.isneginf(c), np.nan, c) for c in columns]
        best = np.full(shape, np.inf)
        for column in columns:
            np.fmin(best, column, out=best)
    dtype = _index_dtype(count)
    index = np.full(shape, count, dtype=dtype)
    equal, step = np.empty(shape, dtype=bool), np.empty(shape, dtype=dtype)
    for t in range(count - 1, -1, -1):
        np.equal(columns[t], best, out=equal)  # at best = inf a saturated column matches too: fixed below
        np.subtract(dtype(t), index, out=step)
        step *= equal
        index += step
    found = best < np.inf  # False where every column is inf or NaN
    index *= found
    index -= ~found
    return index


def _index_dtype(count: int):
    """The integer type of a winner index over ``count`` techniques (-1 included): int8 up to 127."""
    return np.int8 if count <= 127 else np.int32


def winner(values, minimize: bool | None = None):
    """The index of the best technique at every point of a sweep's metric (-1 where none is finite).

    Parameters
    ----------
    values : xarray.DataArray
        One metric of :func:`~virtmodel.analysis.sweep` (a ``technique``
        dimension; in memory or dask-backed).
    minimize : bool, optional
        Smaller is better (default: True except for throughput-like metrics,
        read from the DataArray's name).

    Returns
    -------
    xarray.DataArray
        The sweep's other dimensions, integers indexing its ``technique``
        coordinate; lazy when ``values`` is (one task per chunk, fused with
        the sweep's). ``(w == k).sum()`` counts technique ``k``'s points.

    Examples
    --------
    >>> import numpy as np
    >>> from virtmodel.analysis import sweep
    >>> ds = sweep("mean_latency", ["hardware_assist", "sriov"], "small_packet_rr",
    ...            arrival_rate=np.linspace(1e3, 5e4, 4))
    >>> winner(ds["mean_latency"]).dims
    ('arrival_rate',)
    """
    import xarray as xr

    if not isinstance(values, xr.DataArray) or "technique" not in values.dims:
        raise ParameterError("values", type(values).__name__, "a sweep's DataArray with a 'technique' dimension")
    minimize = (values.name not in HIGHER_IS_BETTER) if minimize is None else bool(minimize)
    v = values.transpose(..., "technique")
    dtype = _index_dtype(v.sizes["technique"])
    if v.chunks is None:
        data = best_index(v.values, minimize)
    else:
        import dask.array as da

        # the technique axis as a list of blocks (concatenate=None): one block for a sweep, so no copy
        # (apply_ufunc's concatenation copies even one block) and the layer fuses with the sweep's task
        ndim = v.ndim
        data = da.blockwise(_best_of_blocks, tuple(range(ndim - 1)), v.data, tuple(range(ndim)), dtype=dtype,
                            minimize=minimize)
    coords = {name: c for name, c in v.coords.items() if "technique" not in c.dims}
    return xr.DataArray(data, dims=v.dims[:-1], coords=coords, name="winner",
                        attrs={"long_name": "best technique (index into technique; -1: none finite)"})


def _best_of_blocks(blocks, minimize):
    """:func:`best_index` of the technique axis' blocks (a list: one block for a sweep)."""
    return best_index(blocks[0] if len(blocks) == 1 else np.concatenate(blocks, axis=-1), minimize)


__all__ = ["best_index", "winner"]
