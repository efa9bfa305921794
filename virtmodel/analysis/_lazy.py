"""The lazy (dask) path of :func:`~virtmodel.analysis.sweep`: one task per chunk for every technique.

A chunk of the grid is evaluated by one task that runs every technique's
compiled model (:func:`~virtmodel.analysis._common.evaluate_many`, all
requested metrics in one pass each) and writes the results straight into one
``(technique, *chunk)`` block per metric (the fused kernels write into its
rows themselves; other results are copied in). Each metric is then one dask array
whose technique axis is a single chunk, so a reduction over techniques (the
winner, ``argmin("technique")``; "any technique feasible") is blockwise: one
NumPy call per chunk, no tree of partial argmins and no concatenation across
techniques, which is what a graph of one ``apply_ufunc`` per technique joined
by ``xr.concat`` costs (measured: most of the 10^8-point benchmark's time
outside the models themselves; see benchmarks/README.md).

The block is written technique-first (C order) and handed to
:func:`xarray.apply_ufunc` as a view with the technique axis last (its new
core dimension); the ``transpose`` back to ``("technique", *grid dims)`` is a
view of the same memory again, so reductions read contiguous arrays.

The tasks hold no state but the models (pickled once into the graph), so the
same graph runs on the threaded scheduler or a ``dask.distributed`` cluster.
"""

from __future__ import annotations

import numpy as np

from ._common import evaluate_many


class ChunkKernel:
    """The function applied to each chunk: every technique's ``metrics`` at the chunk's arrays.

    Returns one array per metric of shape ``(*chunk shape, technique)``: a view
    of a C-contiguous ``(technique, *chunk shape)`` block (one metric: the array).
    """

    def __init__(self, models, metrics, names):
        self.models = list(models)
        self.metrics = list(metrics)
        self.names = list(names)

    def __call__(self, *arrays):
        from .sweep import _store

        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
        values = dict(zip(self.names, arrays))
        count = len(self.models)
        blocks = {m: np.empty((count,) + shape) for m in self.metrics if m != "bottleneck"}
        for t, model in enumerate(self.models):
            into = {m: block[t] for m, block in blocks.items()}  # the fused kernels write there
            out = evaluate_many(model, self.metrics, values, into)
            for metric in self.metrics:
                if metric not in into:  # the station names
                    _store(blocks, metric, t, np.broadcast_to(out[metric], shape), count)
                elif out[metric] is not into[metric]:
                    np.copyto(into[metric], out[metric])
            del out
        res = tuple(np.moveaxis(blocks[m], 0, -1) for m in self.metrics)
        return res if len(res) > 1 else res[0]


def lazy_variables(models, metrics, names, arrays, dtypes) -> list:
    """One lazy DataArray per metric over ``("technique", *grid dims)``, technique in one chunk.

    ``models`` the sweep's models (in technique order), ``arrays`` its input
    DataArrays (``names`` their parameter names, at least one dask-backed),
    ``dtypes`` each metric's result dtype. No technique coordinate yet (the
    caller labels it).
    """
    import xarray as xr

    out = xr.apply_ufunc(ChunkKernel(models, metrics, names), *arrays, dask="parallelized",
                         output_core_dims=[["technique"]] * len(metrics), output_dtypes=dtypes,
                         dask_gufunc_kwargs={"output_sizes": {"technique": len(models)}}, keep_attrs="drop")
    out = out if len(metrics) > 1 else (out,)
    return [o.transpose("technique", ...) for o in out]


def is_lazy(arrays) -> bool:
    """Whether any of these DataArrays is dask-backed (chunked)."""
    return any(a.chunks is not None for a in arrays)
