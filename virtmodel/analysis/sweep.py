"""Sweeps: any metrics of any techniques over a grid of parameters, as labelled arrays.

Each named 1-D array becomes a dimension (the grid is their outer product,
broadcast, never materialized as inputs); :class:`xarray.DataArray` inputs keep
their own dimensions; N-D NumPy arrays share unnamed dimensions ``dim_0``,
``dim_1``, ... (aligned from the right, NumPy broadcasting). Every metric is a
variable over ``(technique, *grid dims)`` with its unit (``units``) and the
coordinates carry the parameters' units and descriptions from
:mod:`virtmodel.symbols`.

NumPy input is evaluated at once, technique by technique, into one
``(technique, metric, *grid)`` block that the metrics' variables are views of
(the fused kernels write there directly; a metric that is one value per technique
over the whole grid is a broadcast view of those values instead); DataArray input goes through
:func:`xarray.apply_ufunc` (its coordinates aligned as xarray does).
Chunked input (a dask array, or a dask-backed DataArray) gives a lazy result:
the compiled models run through :func:`xarray.apply_ufunc` with
``dask="parallelized"``, one task per chunk for every technique and metric,
the technique axis one chunk (:mod:`._lazy`), on whatever dask scheduler is active
(threads by default, a cluster if one is connected); call ``.compute()`` or
write it out with ``to_zarr``, or use :func:`compute` for a progress bar. Large
chunks run through the fused kernels of :mod:`virtmodel.model.kernels` when
numba is installed. Saturated points are ``inf`` (latency metrics), points past
the SR-IOV VF limit NaN.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..errors import ParameterError
from ..metrics import unit as metric_unit
from ..symbols import info
from ._common import as_list, check_metric, check_parameters, evaluate_many, make_models, valid_metrics
from ..model import kernels
from ._lazy import BlockPool, is_lazy, lazy_variables


def _inputs(grid: dict) -> tuple:
    """``({name: _Grid or DataArray}, {name: coordinate}, {name: (array, attrs)})``: 1-D grids become
    dimensions whose coordinates (and pandas indexes, one copy each) are attached once, to the
    result; the last dict holds the 1-D arrays whose coordinate must be a copy (:func:`_copied`:
    the in-memory sweep makes it in the kernels' pass)."""
    import xarray as xr

    depth = max((np.ndim(v) for v in grid.values() if not isinstance(v, (xr.DataArray, str))), default=0)
    out, coords, pending = {}, {}, {}
    for name, value in grid.items():
        if isinstance(value, str):
            raise ParameterError(name, value, "numbers (strings are never parsed)")
        if not isinstance(value, xr.DataArray) and not hasattr(value, "chunks"):  # dask arrays stay lazy
            try:
                value = np.asarray(value, dtype=float)
            except (TypeError, ValueError, OverflowError):
                raise ParameterError(name, value, "numbers or an array of numbers") from None
            if value.size == 0:
                raise ParameterError(name, "an empty array", "at least one value")
        about = info(name)
        attrs = {"units": about.unit, "long_name": about.description}
        if isinstance(value, xr.DataArray):
            out[name] = value.assign_attrs({**attrs, **value.attrs})
        elif np.ndim(value) == 1 and depth == 1:
            out[name] = _Grid(value, (name,), name, attrs)
            # the index is built from one copy (the caller may change its array later), or from the
            # array itself when nobody can change it (xarray would copy it for each index it builds)
            if isinstance(value, np.ndarray) and not _unchangeable(value, grid[name]):
                pending[name], coords[name] = (value, attrs), None  # (None keeps the grid's order)
            else:  # (a dask array: its values, computed, as before)
                kept = value if isinstance(value, np.ndarray) else np.array(value, dtype=float)
                coords[name] = _coordinate(name, kept, attrs)
        else:
            nd = np.ndim(value)
            out[name] = _Grid(value, tuple(f"dim_{i}" for i in range(depth - nd, depth)), name, attrs)
    _broadcast_unnamed(out)
    return out, coords, pending


def _broadcast_unnamed(out: dict) -> None:
    """Give the N-D inputs on the unnamed dimensions ``dim_i`` NumPy's broadcasting: an input of size 1
    along a dimension another input spans becomes a read-only view of that size (xarray would refuse
    the two sizes); sizes that NumPy would not broadcast either raise naming the parameters."""
    grids = {name: g for name, g in out.items()
             if isinstance(g, _Grid) and any(d.startswith("dim_") for d in g.dims)}
    sizes: dict = {}
    for name, g in grids.items():
        for dim, n in zip(g.dims, g.shape):
            if n != 1:
                first = sizes.setdefault(dim, (n, name))
                if first[0] != n:
                    raise ParameterError(name, f"an array of shape {g.shape}",
                                         f"a shape that broadcasts with {first[1]}'s along {dim} "
                                         f"(size {first[0]})")
    for name, g in grids.items():
        target = tuple(sizes.get(dim, (n, name))[0] for dim, n in zip(g.dims, g.shape))
        if target != g.shape and not hasattr(g.data, "chunks"):
            out[name] = _Grid(np.broadcast_to(g.data, target), g.dims, g.name, g.attrs)


class _Grid:
    """A NumPy or dask input of :func:`_inputs` with its dimensions: what the in-memory sweep reads
    (``dims``, ``shape``, ``data``), without an :class:`xarray.DataArray` (10-15 us each, more
    within a 10^6-point sweep: benchmarks/README.md, "Eleventh round"); :meth:`dataarray` for
    :func:`xarray.apply_ufunc`."""

    def __init__(self, data, dims: tuple, name: str, attrs: dict):
        self.data, self.dims, self.name, self.attrs = data, dims, name, attrs
        self.shape = tuple(data.shape)

    def dataarray(self):
        import xarray as xr

        return xr.DataArray(self.data, dims=list(self.dims), name=self.name, attrs=self.attrs)


def _coordinate(name: str, kept, attrs: dict):
    """The coordinate of a 1-D grid over ``kept`` (held, not copied): its pandas index (:class:`_Coordinate`)."""
    import pandas as pd

    return _Coordinate(pd.Index(kept, copy=False, name=name), attrs)


class _Coordinate:
    """A 1-D grid's coordinate before it is in a Dataset: its pandas index and attributes. The in-memory
    sweep's Dataset gets its coordinate variable from the index (``PandasIndex.create_variables``, which
    reads ``attrs`` and ``encoding`` here); :meth:`variable` for xarray's public constructors. A
    variable made first and its index read back cost 13 us, about 40 within a 10^6-point sweep
    (benchmarks/README.md, "Eleventh round")."""

    encoding = None

    def __init__(self, index, attrs: dict):
        self.index, self.attrs = index, attrs

    def variable(self):
        import xarray as xr

        return xr.Variable(self.index.name, self.index, self.attrs)


def _copied(pending: dict, coords: dict, targets=None, written=()) -> dict:
    """``coords`` with the coordinates of ``pending`` (:func:`_inputs`): copies of their arrays,
    into ``targets[name]`` if given, which a kernel may have written already (``written``,
    :func:`virtmodel.model.kernels.copying`)."""
    for name, (value, attrs) in pending.items():
        target = (targets or {}).get(name)
        if target is None:
            target = kernels.copy(value)
        elif not any(target is w for w in written):
            kernels.copy(value, out=target)
        coords[name] = _coordinate(name, target, attrs)
    return coords


def _unchangeable(array, given) -> bool:
    """Whether ``array`` (a 1-D float array made from the caller's ``given``) stays as it is: it was
    made here (from a list, or from another dtype), or the caller handed it over read-only
    (``array.flags.writeable = False``: a promise not to change it through another view)."""
    return (array is not given and array.base is None) or not array.flags.writeable


def sweep(metrics, techniques, workload, platform=None, **grid):
    """Metrics of techniques over a parameter grid, as an :class:`xarray.Dataset`.

    Parameters
    ----------
    metrics : str or list of str or None
        Metric names (None: every metric, :func:`virtmodel.model.metric_names`).
    techniques : str or list of (str or Technique)
    workload : str or Workload
    platform : Platform, optional
    **grid
        ``name=values``: 1-D arrays (outer product), scalars, N-D arrays
        (broadcast together), xarray DataArrays or dask arrays (lazy, chunked).
        A parameter only some techniques have is ignored by the others.
        A 1-D array's coordinate is a copy of it (the result does not change
        when the caller's array does), unless it is read-only
        (``values.flags.writeable = False``): then it is kept, no copy.

    Returns
    -------
    xarray.Dataset
        One variable per metric over ``("technique", *grid dims)``; attrs
        ``units``; coordinates with ``units`` and ``long_name``. Dask-backed
        (lazy) when any input is. In memory, a metric whose value no technique
        varies along the grid (a throughput limit over arrival rates, usually
        the bottleneck's name) is a read-only broadcast view of one value per
        technique, as :meth:`~virtmodel.model.Model.evaluate` returns a metric
        that does not vary (``.copy()`` gives a writeable array).

    Examples
    --------
    >>> import numpy as np
    >>> ds = sweep("mean_latency", ["hardware_assist", "sriov"], "small_packet_rr",
    ...            arrival_rate=np.linspace(1e3, 5e4, 4))
    >>> ds["mean_latency"].dims
    ('technique', 'arrival_rate')

    References
    ----------
    S. Hoyer and J. Hamman, "xarray: N-D labeled arrays and datasets in Python",
    Journal of Open Research Software 5 (2017).
    """
    import xarray as xr

    models = make_models(techniques, workload, platform)
    metrics = list(valid_metrics(next(iter(models.values())))) if metrics is None else \
        [check_metric(m, models, numeric=False) for m in as_list(metrics, "metric")]
    check_parameters(grid, models)
    inputs, coords, pending = _inputs(grid)
    labels = np.array(list(models), dtype=str)
    ds = None if any(isinstance(v, xr.DataArray) or hasattr(v, "chunks") for v in grid.values()) else \
        _eager(models, metrics, inputs, coords, labels, pending)
    if ds is not None:
        return ds
    coords = _copied(pending, coords)
    inputs = {name: v.dataarray() if isinstance(v, _Grid) else v for name, v in inputs.items()}
    names, arrays = list(inputs), list(inputs.values())
    dtypes = [object if metric == "bottleneck" else float for metric in metrics]
    # lazy: one task per chunk for every technique (._lazy); else per technique (one technique: one
    # DataArray per metric; several: one block per metric)
    per, blocks = [], {}
    if is_lazy(arrays):
        per = [lazy_variables(models.values(), metrics, names, arrays, dtypes)]
    for t, model in enumerate(models.values() if not per else ()):
        out = xr.apply_ufunc(_kernel(model, metrics, names), *arrays, dask="parallelized",
                             output_core_dims=[()] * len(metrics), output_dtypes=dtypes, keep_attrs="drop")
        out = out if len(metrics) > 1 else (out,)
        if len(models) > 1 and isinstance(out[0].data, np.ndarray):
            template = out[0].coords, out[0].dims
            for metric, da in zip(metrics, out):
                _store(blocks, metric, t, da.data, len(models))
        else:
            per.append(out)
        del out  # the technique's arrays are free for the next one's
    variables = {}
    for j, metric in enumerate(metrics):
        if blocks:
            da = xr.DataArray(blocks.pop(metric), coords=template[0], dims=("technique",) + template[1])
        elif len(per) > 1:
            da = xr.concat([p[j] for p in per], dim="technique", coords="minimal", compat="override",
                           join="exact")
        elif "technique" not in per[0][j].dims:
            da = per[0][j].expand_dims("technique")
        else:
            da = per[0][j]
        da = da.assign_coords(technique=("technique", labels))
        variables[metric] = da.assign_attrs(units=metric_unit(metric), long_name=metric)
    ds = xr.Dataset(variables).assign_coords({name: c.variable() for name, c in coords.items()})
    for name, value in inputs.items():  # apply_ufunc drops coordinate attrs: put them back (no new index)
        if name in ds.coords and ds[name].dims == (name,) and name not in coords:
            ds[name].attrs.update({**ds[name].attrs, **value.attrs})
    ds.attrs.update(workload=repr(next(iter(models.values())).workload))
    return ds


def _eager(models: dict, metrics: list, inputs: dict, coords: dict, labels, pending: dict):
    """The in-memory sweep without :func:`xarray.apply_ufunc`: the Dataset :func:`sweep` builds
    from NumPy input, or None (dimension sizes that disagree: apply_ufunc reports them).
    The coordinates to copy (``pending``, :func:`_inputs`) are copied by the first fused kernel
    that reads them, in its own pass (:func:`virtmodel.model.kernels.copying`), else after it.

    The grid's dimensions in order of first appearance (as apply_ufunc orders them), each input
    a view broadcastable to them; every float metric of every technique is computed into its
    row of one ``(technique, metric, *grid)`` block (the fused kernels write there directly;
    the NumPy path's arrays are copied in), and each metric's variable is a view of it. With
    one technique, an array the evaluation made for the result alone is kept instead (no copy).
    """
    import xarray as xr

    order, sizes = [], {}
    for da in inputs.values():
        for dim, n in zip(da.dims, da.shape):
            if sizes.setdefault(dim, n) != n:
                return None
            if dim not in order:
                order.append(dim)
    shape = tuple(sizes[d] for d in order)
    values = {name: _aligned(da.data, da.dims, order) for name, da in inputs.items()}
    floats = sorted(m for m in metrics if m != "bottleneck")  # percentiles next to each other
    row = {m: j for j, m in enumerate(floats)}
    block = _result_block((len(models), len(floats)) + shape)
    strings: dict = {}
    targets = {name: np.empty_like(value) for name, (value, _) in pending.items()}
    with kernels.copying([(pending[name][0], target) for name, target in targets.items()]) as written:
        _evaluate_into(models, metrics, values, shape, block, row, strings)
    coords = _copied(pending, coords, targets, written)
    dims = ("technique",) + tuple(order)
    variables = {m: xr.Variable(dims, strings.pop(m) if m in strings else block[:, row[m]],
                                {"units": metric_unit(m), "long_name": m}) for m in metrics}
    return _dataset(variables, labels, coords, {"workload": repr(next(iter(models.values())).workload)})


#: result blocks smaller than this are new memory each time (reuse pays for large ones only)
POOLED_BYTES = 1 << 20


#: how old (seconds) a reading of the free memory :func:`_keep_bytes` goes by may be
KEEP_READING_SECONDS = 1.0


def _keep_bytes() -> int:
    """How much freed result memory :data:`RESULTS` keeps: an eighth of what the process can
    still get (:func:`virtmodel._memory.available_bytes`: the system's ``MemAvailable`` or
    its control group's headroom, whichever is smaller, so a 2 GB Binder session keeps at most
    a quarter GB), at most 2 GiB; nothing where that is unknown. The reading is at most
    :data:`KEEP_READING_SECONDS` old (:func:`virtmodel._memory.recent_available_bytes`, the one
    :func:`~virtmodel._memory.check_fits` reads too): it opens five files (about 0.1 ms), asked
    each time a result is dropped, which a 10^6-point one-metric sweep (2 ms) felt
    (benchmarks/README.md, "Ninth round")."""
    from .._memory import recent_available_bytes

    return min(2 << 30, (recent_available_bytes(KEEP_READING_SECONDS) or 0) // 8)


#: the in-memory sweeps' result blocks: a sweep's block is the memory of an earlier result that
#: is gone (no variable or view of it left), when one of the same size was kept (:func:`_keep_bytes`)
RESULTS = BlockPool(_keep_bytes)


def _result_block(shape: tuple):
    """A float64 array of ``shape`` for a sweep's results (uninitialized): from :data:`RESULTS`
    when large. New memory costs its first touch (the kernel zeroes each page as it faults
    in: about 0.2 s for the 1.2 GB of 16 metrics x 10 techniques x 10^6 points, more when the
    host has to find the memory: benchmarks/README.md, "Eighth round"); an earlier result's
    memory that was kept is written without that."""
    if math.prod(shape) * 8 < POOLED_BYTES:
        return np.empty(shape)
    return RESULTS.take(shape)


def _dataset(variables: dict, labels, coords: dict, attrs: dict, direct: bool = True):
    """``xarray.Dataset(variables, coords=_coordinates(labels, coords), attrs=attrs)``, built
    directly from its parts where this xarray allows it (its ``Dataset._construct_direct``:
    the checks and alignment of the public constructor are a third of a small sweep's fixed
    cost, 0.13 of 0.55 ms measured, and have nothing to do here: every variable is made over
    the grid's own dimensions). Tested identical to the public construction (``direct=False``)."""
    import xarray as xr

    direct = getattr(xr.Dataset, "_construct_direct", None) if direct else None
    if direct is not None:
        try:
            indexes = _indexes(labels, coords)
            grid = {}
            for name, index in indexes.items():
                grid.update(index.create_variables({name: coords[name]} if name in coords else None))
            everything = {**variables, **grid}
            sizes: dict = {}
            for var in everything.values():
                sizes.update(zip(var.dims, var.shape))
            return direct(everything, set(grid), sizes, dict(attrs), indexes)
        except TypeError:  # another signature in another xarray: the public way
            pass
    return xr.Dataset(variables, coords=_coordinates(labels, coords), attrs=dict(attrs))


def _evaluate_into(models: dict, metrics: list, values: dict, shape: tuple, block, row: dict, strings: dict):
    """Every technique's metrics into its rows of ``block`` (``row``: metric -> row), names and
    a single technique's own arrays into ``strings`` (see :func:`_eager`).

    A metric that does not vary along the grid (one value per technique: a throughput limit
    over arrival rates, most often the bottleneck's name) is kept as that value until every
    technique is done: when it is so for every technique, ``strings`` gets a read-only
    broadcast view of the techniques' values (nothing written per point; its rows of the
    block are never touched, so they take no memory), else the values are written into
    their rows then."""
    uniform: dict = {}
    for t, model in enumerate(models.values()):
        into = {m: block[t, j, ...] for m, j in row.items()}  # 0-d arrays too, not scalars
        if "bottleneck" in strings and len(models) > 1:  # the names straight into the block if it is wide enough
            into["bottleneck"] = strings["bottleneck"][t, ...]
        got = evaluate_many(model, metrics, values, into)
        for m in metrics:
            if m in into and got[m] is into[m]:
                continue
            if _uniform(got[m]):
                uniform.setdefault(m, {})[t] = np.asarray(got[m]).reshape(-1)[0]
            elif len(models) == 1 and _fresh(got, m, values, shape, m in row):  # its own array: no copy
                strings[m] = got[m][None]
            elif m in row:
                np.copyto(into[m], got[m])
            else:
                _store(strings, m, t, np.broadcast_to(got[m], shape), len(models))
        del got
    for m, by in uniform.items():
        if len(by) == len(models) and m not in strings:
            strings[m] = _broadcast_values([by[t] for t in range(len(models))], shape)
            continue
        for t, value in by.items():  # (in order: a wider name widens the block as before)
            if m in row:
                block[t, row[m], ...] = value
            else:
                _store(strings, m, t, np.broadcast_to(np.asarray(value), shape), len(models))


def _uniform(value) -> bool:
    """Whether ``value`` (an evaluated metric) is one value broadcast over the grid (every stride
    0; a 0-d array too): a metric that does not depend on the grid's parameters."""
    return isinstance(value, np.ndarray) and value.size >= 1 and all(s == 0 for s in value.strides)


def _broadcast_values(values: list, shape: tuple):
    """``(len(values), *shape)``: ``values[t]`` at every point of row ``t``, as a read-only broadcast
    view of one array of the values (their common dtype, as concatenating them would give); the
    array itself when the grid is a single point."""
    stacked = np.array(values).reshape((len(values),) + (1,) * len(shape))
    full = (len(values),) + tuple(shape)
    return stacked if stacked.shape == full else np.broadcast_to(stacked, full)


def _coordinates(labels, coords: dict):
    """:class:`xarray.Coordinates` of the techniques and the 1-D grids, with their pandas indexes
    given (xarray's default index creation costs more than the rest of building the Dataset)."""
    import xarray as xr

    variables = {"technique": xr.Variable("technique", labels), **{name: c.variable() for name, c in coords.items()}}
    return xr.Coordinates(variables, indexes=_indexes(labels, coords))


def _indexes(labels, coords: dict) -> dict:
    """The pandas indexes of the techniques and of the 1-D grids (from their own pandas index).

    The techniques' index is made once per list of labels (:func:`_technique_index`: an
    index is immutable, as xarray treats its indexes, so results can share it); a grid's is its
    coordinate's own pandas index, wrapped as it is (no second cast: 10-20 us of a sweep's
    fixed cost, measured; benchmarks/README.md, "Tenth round")."""
    from xarray.indexes import PandasIndex

    indexes = {"technique": _technique_index(tuple(str(x) for x in labels))}
    for name, coordinate in coords.items():
        index = coordinate.index
        try:
            indexes[name] = PandasIndex(index, name, fastpath=True) if index.name == name else PandasIndex(index, name)
        except TypeError:  # an xarray without the fast path
            indexes[name] = PandasIndex(index, name)
    return indexes


@lru_cache(maxsize=256)
def _technique_index(labels: tuple):
    """The ``technique`` dimension's :class:`xarray.indexes.PandasIndex` of these labels (cached)."""
    import pandas as pd
    from xarray.indexes import PandasIndex

    return PandasIndex(pd.Index(np.array(labels, dtype=str), name="technique"), "technique")


def _fresh(got: dict, metric: str, values: dict, shape: tuple, number: bool) -> bool:
    """Whether ``got[metric]`` is an array of its own that the result can hold as it is: of
    ``shape`` (and float64 for a ``number``), writeable, owning its memory, no other metric's
    and no input's."""
    a = got[metric]
    return isinstance(a, np.ndarray) and a.flags.owndata and a.flags.writeable and a.shape == shape \
        and (a.dtype == np.float64 or not number) \
        and not any(v is a for k, v in got.items() if k != metric) \
        and not any(np.may_share_memory(a, v) for v in values.values() if isinstance(v, np.ndarray))


def _aligned(data, dims: tuple, order: list):
    """``data`` over ``dims`` as a view over ``order`` (its axes in that order, length-1 axes
    for the dimensions it lacks), as apply_ufunc broadcasts an input."""
    data = np.asarray(data)
    own = sorted(dims, key=order.index)
    if list(own) != list(dims):
        data = np.transpose(data, [dims.index(d) for d in own])
    return data.reshape([data.shape[own.index(d)] if d in own else 1 for d in order]) if data.ndim else data


def _store(blocks: dict, metric: str, t: int, value, techniques: int) -> None:
    """Write technique ``t``'s array of ``metric`` into its row of ``blocks[metric]``, a
    ``(technique, *shape)`` array made on first use (no concatenation copy afterwards); a wider
    dtype (a longer station name) widens the block, as concatenating would."""
    block = blocks.get(metric)
    if block is None:
        block = blocks[metric] = np.empty((techniques,) + value.shape, value.dtype)
    elif block.dtype != value.dtype:
        try:
            wider = np.result_type(block.dtype, value.dtype)
        except TypeError:
            wider = np.dtype(object)
        if wider != block.dtype:
            block = blocks[metric] = block.astype(wider)
    block[t] = value


def _kernel(model, metrics, names):
    """The function applied chunk by chunk: the compiled model at broadcastable arrays.

    Every requested metric of the technique from one fused evaluation
    (:func:`~virtmodel.analysis._common.evaluate_many`), as a tuple (one metric: the array).
    """
    def kernel(*arrays):
        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
        out = evaluate_many(model, metrics, dict(zip(names, arrays)))
        res = tuple(np.broadcast_to(out[m], shape) for m in metrics)
        return res if len(res) > 1 else res[0]
    return kernel


def _distributed_client():
    """The active ``dask.distributed`` client, or None (also when distributed is not installed)."""
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:
        return None


def compute(*objects, progress: bool = True):
    """``dask.compute(*objects)`` with a progress bar; one object gives its computed value.

    On a ``dask.distributed`` cluster (a ``Client`` is active) the objects are
    computed there and :func:`distributed.progress` draws the bar (a widget in
    Jupyter, text elsewhere); on the local schedulers (threads, processes)
    :class:`dask.diagnostics.ProgressBar` does. Objects that are not lazy come
    back as they are.

    Parameters
    ----------
    *objects
        Lazy results: an :func:`sweep` Dataset on chunked input, anything
        reduced from it, dask arrays.
    progress : bool
        Draw the bar (False: plain ``dask.compute``).

    Returns
    -------
    object or tuple
        The computed object, or a tuple of them for several.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> ds = sweep("mean_latency", "sriov", "small_packet_rr",
    ...            arrival_rate=da.from_array(np.linspace(1e3, 5e4, 8), chunks=4))
    >>> compute(ds["mean_latency"].max(), progress=False).item() > 0
    True
    """
    import dask

    client = _distributed_client()
    if not progress:
        out = dask.compute(*objects)
    elif client is not None:
        from distributed import progress as draw

        futures = client.compute(list(objects))
        draw(futures)
        out = tuple(client.gather(futures))
    else:
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            out = dask.compute(*objects)
    return out[0] if len(objects) == 1 else out


__all__ = ["compute", "sweep"]
