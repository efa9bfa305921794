"""Sweeps: any metrics of any techniques over a grid of parameters, as labelled arrays.

Each named 1-D array becomes a dimension (the grid is their outer product,
broadcast, never materialized as inputs); :class:`xarray.DataArray` inputs keep
their own dimensions; N-D NumPy arrays share unnamed dimensions ``dim_0``,
``dim_1``, ... (aligned from the right, NumPy broadcasting). Every metric is a
variable over ``(technique, *grid dims)`` with its unit (``units``) and the
coordinates carry the parameters' units and descriptions from
:mod:`virtmodel.symbols`.

Chunked input (a dask array, or a dask-backed DataArray) gives a lazy result:
the compiled model runs through :func:`xarray.apply_ufunc` with
``dask="parallelized"``, chunk by chunk, on whatever dask scheduler is active
(threads by default, a cluster if one is connected); call ``.compute()`` or
write it out with ``to_zarr``. Saturated points are ``inf`` (latency metrics),
points past the SR-IOV VF limit NaN.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._common import as_list, check_metric, check_parameters, evaluate, make_models, valid_metrics


def _inputs(grid: dict) -> dict:
    import xarray as xr

    from ..symbols import info

    depth = max((np.ndim(v) for v in grid.values() if not isinstance(v, xr.DataArray)), default=0)
    out = {}
    for name, value in grid.items():
        if isinstance(value, str):
            raise ParameterError(name, value, "numbers (strings are never parsed)")
        attrs = {"units": info(name).unit, "long_name": info(name).description}
        if isinstance(value, xr.DataArray):
            out[name] = value.assign_attrs({**attrs, **value.attrs})
        elif np.ndim(value) == 1 and depth == 1:
            out[name] = xr.DataArray(value, dims=[name], coords={name: (name, np.asarray(value), attrs)},
                                     name=name, attrs=attrs)
        else:
            nd = np.ndim(value)
            out[name] = xr.DataArray(value, dims=[f"dim_{i}" for i in range(depth - nd, depth)], attrs=attrs,
                                     name=name)
    return out


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

    Returns
    -------
    xarray.Dataset
        One variable per metric over ``("technique", *grid dims)``; attrs
        ``units``; coordinates with ``units`` and ``long_name``. Dask-backed
        (lazy) when any input is.

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

    from .compare import metric_unit

    models = make_models(techniques, workload, platform)
    metrics = list(valid_metrics(next(iter(models.values())))) if metrics is None else \
        [check_metric(m, models, numeric=False) for m in as_list(metrics, "metric")]
    check_parameters(grid, models)
    inputs = _inputs(grid)
    names, arrays = list(inputs), list(inputs.values())
    labels = np.array(list(models), dtype=str)
    variables = {}
    for metric in metrics:
        dtype = object if metric == "bottleneck" else float
        per = [xr.apply_ufunc(_kernel(model, metric, names), *arrays, dask="parallelized",
                              output_dtypes=[dtype], keep_attrs="drop") for model in models.values()]
        da = xr.concat(per, dim="technique", coords="minimal", compat="override", join="exact") if len(per) > 1 \
            else per[0].expand_dims("technique")
        da = da.assign_coords(technique=("technique", labels))
        variables[metric] = da.assign_attrs(units=metric_unit(metric), long_name=metric)
    ds = xr.Dataset(variables)
    for name, value in inputs.items():  # apply_ufunc drops coordinate attrs: put them back
        if name in ds.coords and ds[name].dims == (name,):
            ds = ds.assign_coords({name: (name, ds[name].values, {**ds[name].attrs, **value.attrs})})
    ds.attrs.update(workload=repr(next(iter(models.values())).workload))
    return ds


def _kernel(model, metric, names):
    """The function applied chunk by chunk: the compiled model at broadcastable arrays."""
    def kernel(*arrays):
        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
        out = evaluate(model, metric, dict(zip(names, arrays)))
        return np.broadcast_to(out, shape)
    return kernel


__all__ = ["sweep"]
