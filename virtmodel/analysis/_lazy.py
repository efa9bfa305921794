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

The blocks' memory is reused (:class:`BlockPool`): a task takes a block that an earlier
task's results left free, i.e. once no array of it is left anywhere (reduced, dropped by
dask), instead of new memory, which glibc had returned to the system and the kernel then
faulted in again page by page (measured: about a tenth of a chunk's CPU time in the 10^8-point
benchmark; benchmarks/README.md, "Seventh round").
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

from ._common import evaluate_many


class BlockPool:
    """Float arrays whose memory is handed back for reuse once no array of it is left.

    :meth:`take` returns a new C-contiguous float64 array of ``shape``; its memory is
    an earlier array's when one of the same size is free. An array's memory is free
    when the array and every view of it are gone (a ``weakref.finalize`` on the array
    that owns the views: NumPy points every view at it, never past it), so nothing
    still readable ever changes. At most ``keep_bytes`` of free memory is kept (the
    rest is released as usual): the process's peak memory grows by at most that much.
    ``keep_bytes`` may be a function, asked each time an array's memory comes back.
    """

    def __init__(self, keep_bytes: int):
        self.keep_bytes = keep_bytes
        self._free = []  # raw byte arrays, newest last
        self._lock = threading.Lock()

    def take(self, shape) -> np.ndarray:
        nbytes = int(np.prod(shape)) * 8
        with self._lock:
            at = next((j for j in range(len(self._free) - 1, -1, -1) if self._free[j].size == nbytes), None)
            raw = self._free.pop(at) if at is not None else None
        if raw is None:
            raw = np.empty(nbytes, dtype=np.uint8)
        # the array over a memoryview: views of it point at it (a non-array base ends NumPy's chain)
        owner = np.frombuffer(memoryview(raw), dtype=np.float64)
        weakref.finalize(owner, self._give_back, raw)
        return owner.reshape(shape)

    def _give_back(self, raw) -> None:
        with self._lock:
            self._free.append(raw)
            keep = self.keep_bytes() if callable(self.keep_bytes) else self.keep_bytes
            while self._free and sum(r.size for r in self._free) > keep:
                self._free.pop(0)

    def clear(self) -> None:
        """Release the memory kept free (to the system, as a freed array's)."""
        with self._lock:
            self._free.clear()

    def free_bytes(self) -> int:
        """The memory kept free for reuse now (bytes)."""
        with self._lock:
            return sum(r.size for r in self._free)


#: the chunk tasks' result blocks (at most 64 MB kept free: a few chunks' blocks)
BLOCKS = BlockPool(1 << 26)


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
        blocks = {m: BLOCKS.take((count,) + shape) for m in self.metrics if m != "bottleneck"}
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
