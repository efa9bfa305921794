"""The NumPy stage of a compiled bundle over a large array, in pieces along its first axis.

NumPy evaluates a bundle's array stage (:mod:`._compile`) one operation at a time, each
into a new temporary of the arguments' full size: at :math:`10^6` points every one of the
hundred or so operations of a technique's all-metrics bundle writes 8 MB of memory that is
not in the processor's cache, much of it fresh pages (glibc returns large freed blocks to
the system). :func:`evaluate_in_pieces` runs the same compiled function on consecutive
pieces of about :data:`PIECE` points instead (rows of the first axis of the broadcast
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

Output shapes are those of the whole evaluation: an output that does not vary along the first
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


def _rows(shape: tuple) -> int:
    """Rows of the first axis per piece (0: not worth pieces: too few points, or too few rows)."""
    if len(shape) == 0 or math.prod(shape) < 4 * PIECE:
        return 0
    rows = max(PIECE // max(math.prod(shape[1:]), 1), 1)
    return rows if rows >= 2 and shape[0] >= 4 * rows else 0


def evaluate_in_pieces(function, args: list, scalars: tuple, shape: tuple, out: dict):
    """``function(*args, *scalars)`` evaluated piece by piece (see the module docstring), or
    None when the array is not worth pieces or a compiled function refused (the caller then
    evaluates it whole).

    ``args``: the bundle's arguments as arrays (0-d for scalars) broadcasting to ``shape``;
    ``out``: ``{output index: array}``, writeable C-contiguous float64 arrays of ``shape`` that
    a varying float64 output is written into (and returned as).
    """
    rows = _rows(tuple(shape))
    if not rows:
        return None
    n = shape[0]
    ndim = len(shape)
    # an argument varies along the first axis when it has every axis and the first one in full
    along = [a.ndim == ndim and a.shape[0] == n for a in args]
    results = written = None
    _STATE.active = True
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for start in range(0, n, rows):
                stop = min(start + rows, n)
                part = function(*(a[start:stop] if v else a for a, v in zip(args, along)), *scalars)
                if results is None:
                    results, written = _allocate(part, shape, rows, out)
                for i in written:
                    results[i][start:stop] = part[i]
    except SizeDependent:
        return None
    finally:
        _STATE.active = False
    return results


def _allocate(part, shape: tuple, rows: int, out: dict):
    """``(results, written)``: the whole outputs for the first piece's outputs ``part``, and the
    indices of those written piece by piece (the outputs that vary along the first axis; the
    others are kept as the first piece gave them). An array the first piece returns for two
    outputs is one whole array for both, as in a whole evaluation (the caller then knows neither
    is its own to modify)."""
    results, written, first = [], [], {}
    for i, o in enumerate(part):
        o = np.asarray(o)
        if not (o.ndim == len(shape) and o.shape[0] == rows):
            results.append(o)
        elif id(part[i]) in first:
            results.append(results[first[id(part[i])]])
        else:
            first[id(part[i])] = i
            full = (shape[0],) + o.shape[1:]
            target = out.get(i)
            mine = target is not None and target.shape == full and target.dtype == o.dtype
            results.append(target if mine else np.empty(full, dtype=o.dtype))
            written.append(i)
    return results, written
