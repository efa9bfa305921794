"""The NumPy stage of a compiled bundle over a large array, in pieces along its longest axis.

NumPy evaluates a bundle's array stage (:mod:`._compile`) one operation at a time, each
into a new temporary of the arguments' full size: at :math:`10^6` points every one of the
hundred or so operations of a technique's all-metrics bundle writes 8 MB of memory that is
not in the processor's cache, much of it fresh pages (glibc returns large freed blocks to
the system). :func:`evaluate_in_pieces` runs the same compiled function on consecutive
pieces of about :data:`PIECE` points instead (slices of the longest axis of the broadcast
shape), so that a piece's temporaries stay in the cache and their memory is reused from one
piece to the next, and writes each piece's outputs into the whole outputs (into the caller's
arrays where given: a sweep's result rows, so no copy follows).

Every operation of the array stage is element-wise, so each point gets the same operations
in the same order as over the whole array: the same bits (tested,
``tests/test_numpy_stage_pieces.py``). The one exception is Erlang C over the load
(:func:`virtmodel.queueing.erlang_function.erlang_c_over_load`), whose way of computing
(recursion or ``gammaincc``) depends on the number of points when the number of servers
exceeds ``RECURSION_SERVERS``: while pieces are evaluated, the compiled Erlang function
(:func:`virtmodel.model._numeric_modules.erlang_c_over_load_numeric`) refuses such a call and
the whole array is evaluated at once as before.

Output shapes are those of the whole evaluation: an output that does not vary along the cut
axis (a scalar, or one that depends only on arguments broadcast along it) is the first
piece's value.
"""

from __future__ import annotations

import math
import threading

import numpy as np

#: points per piece: a temporary is 128 kB, so the dozen or so alive at once stay in a 1-2 MB cache (the
#: all-metrics sweep at 10^6 points, best of 5, pieces of 4,096 / 8,192 / 16,384 / 32,768 / 65,536 points:
#: 1.22 / 0.99 / 0.89 / 0.92 / 1.04 s)
PIECE = 1 << 14

_STATE = threading.local()


class SizeDependent(Exception):
    """Raised inside a piece by a compiled function whose result would depend on the piece's size."""


def in_pieces() -> bool:
    """Whether the calling thread is evaluating a bundle in pieces now (:func:`evaluate_in_pieces`)."""
    return getattr(_STATE, "active", False)


def _cut(shape: tuple):
    """``(axis, rows)``: the axis the pieces are cut along (the longest, the first of equals) and its
    length per piece; rows 0 where the array is not worth pieces (too few points, or fewer than two
    rows a piece: the other axes hold about :data:`PIECE` points or more)."""
    if len(shape) == 0 or math.prod(shape) < 4 * PIECE:
        return 0, 0
    axis = int(np.argmax(shape))
    rows = max(PIECE * shape[axis] // math.prod(shape), 1)
    return (axis, rows) if rows >= 2 and shape[axis] >= 4 * rows else (0, 0)


def _along(a, axis: int, ndim: int, length: int):
    """Where ``a`` (broadcast to ``ndim`` axes from the right) has ``axis`` at ``length`` points,
    its own axis number for it, else None (it is constant along that axis)."""
    own = axis - (ndim - np.ndim(a))
    return own if own >= 0 and np.shape(a)[own] == length else None


def _piece(a, own, start: int, stop: int):
    """``a`` cut to ``start:stop`` on its axis ``own`` (None: ``a`` itself)."""
    return a if own is None else a[(slice(None),) * own + (slice(start, stop),)]


def evaluate_in_pieces(function, args: list, scalars: tuple, shape: tuple, out: dict):
    """``function(*args, *scalars)`` evaluated piece by piece (see the module docstring), or
    None when the array is not worth pieces or a compiled function refused (the caller then
    evaluates it whole).

    ``args``: the bundle's arguments as arrays (0-d for scalars) broadcasting to ``shape``;
    ``out``: ``{output index: array}``, writeable C-contiguous float64 arrays of ``shape`` that
    a varying float64 output is written into (and returned as).
    """
    shape = tuple(shape)
    axis, rows = _cut(shape)
    if not rows:
        return None
    n, ndim = shape[axis], len(shape)
    cuts = [_along(a, axis, ndim, n) for a in args]
    results = written = None
    _STATE.active = True
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for start in range(0, n, rows):
                stop = min(start + rows, n)
                part = function(*(_piece(a, c, start, stop) for a, c in zip(args, cuts)), *scalars)
                if results is None:
                    results, written = _allocate(part, shape, axis, rows, out)
                for i, own in written:
                    _piece(results[i], own, start, stop)[...] = part[i]
    except SizeDependent:
        return None
    finally:
        _STATE.active = False
    return results


def _allocate(part, shape: tuple, axis: int, rows: int, out: dict):
    """``(results, written)``: the whole outputs for the first piece's outputs ``part``, and
    ``(index, own axis)`` of those written piece by piece (the outputs that vary along the cut
    axis; the others are kept as the first piece gave them). An array the first piece returns for
    two outputs is one whole array for both, as in a whole evaluation (the caller then knows
    neither is its own to modify)."""
    results, written, first = [], [], {}
    for i, o in enumerate(part):
        o = np.asarray(o)
        own = _along(o, axis, len(shape), rows)
        if own is None:
            results.append(o)
        elif id(part[i]) in first:
            results.append(results[first[id(part[i])]])
        else:
            first[id(part[i])] = i
            full = o.shape[:own] + (shape[axis],) + o.shape[own + 1:]
            target = out.get(i)
            mine = target is not None and target.shape == full and target.dtype == o.dtype
            results.append(target if mine else np.empty(full, dtype=o.dtype))
            written.append((i, own))
    return results, written
