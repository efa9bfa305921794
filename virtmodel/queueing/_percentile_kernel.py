r"""Gamma-fit percentiles plus a delay in four compiled passes (numba), for large arrays.

:func:`gamma_quantiles_plus` returns ``[q + delay for q in gamma_quantiles(mean, variance, ps)]``
(:mod:`._percentiles`): the gamma fit with shape :math:`k = \bar R^2/\mathrm{Var}(R)` and scale
:math:`\theta = \mathrm{Var}(R)/\bar R`, :math:`t_p = \theta\,P^{-1}(k, p)` from the same
cubic-spline tables in :math:`\ln k` (``_percentiles._table``, same cell arithmetic), SciPy's own
compiled ``gammaincinv`` (``scipy.special.cython_special``) where the tables do not reach, the
mean where the fit is a point mass, ``inf`` at the edge of saturation, then the delay added.

The NumPy path makes about a dozen temporary arrays per call (cell index, offset, four
coefficient gathers, the Horner steps, the masks); here the shape and its log go into the
thread's scratch memory and each percentile row is written in place: the spline's value,
its ``exp``, then the scale and the delay. ``log`` and ``exp`` are :mod:`._vector_math`'s,
which the CPU's vector units run without AVX-512 (NumPy's own vector ``exp`` and ``log`` need
it; numba has no vector math library): within 3 units in the last place of NumPy's. It is used where
:func:`virtmodel.model.kernels.wanted` says the fused kernels are (numba installed, large
arrays; in ``"auto"`` mode once compiled in a background thread), for arrays of at least ``FAST_MIN_SIZE`` points; everything else is the NumPy path.
Both paths agree to rounding (tested to :math:`10^{-12}` relative).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .._background import Builds
from . import _percentiles as P
from . import _vector_math


def _build(threads: bool):
    """The compiled kernel (raises if it cannot be built: the NumPy path stays); ``threads``: its
    loops over the points are split over the cores (:func:`virtmodel.model.kernels.parallel`; each
    point computed as in the one-thread loop).

    Four compiled passes (:func:`_staged`): the shape and its log; the spline's value where the
    tables reach; its exp; the scale, the delay and the cases the tables do not cover. The log and
    the exp are :mod:`._vector_math`'s, branch-free, so their loops run on the vector units: on an
    AVX2 processor without AVX-512 about 2.5 ns a point each, against 4-8 ns for NumPy's (one libm
    call a point there), measured on 2.5x10^5 points."""
    import ctypes
    import math

    import numba
    from numba.extending import get_cython_function_address

    dd_d = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double)
    gammaincinv = dd_d(get_cython_function_address("scipy.special.cython_special", "gammaincinv"))
    top = P.FAST_GRID - 1 - 1e-9
    k_lo, k_hi = P.FAST_K
    low_lo, low_hi = P.FAST_K_LOW

    def cubic(c, i, j, t):  # _percentiles._spline, one point (c: cell, p, power: a cell's coefficients together)
        q = c[i, j, 0] * t
        q += c[i, j, 1]
        q *= t
        q += c[i, j, 2]
        q *= t
        q += c[i, j, 3]
        return q

    def cell(log_k, lo, inv_h, h):  # _percentiles._cells, one point (log k given)
        t = (log_k - lo) * inv_h
        t = min(max(t, 0.0), top)
        i = int(t)
        return i, (t - i) * h

    cubic = numba.njit(inline="always")(cubic)
    cell = numba.njit(inline="always")(cell)
    exp_poly, log_poly = _vector_math.compiled()

    def shapes(mean, var, k, log_k):  # pass 1: the gamma shape k = mean^2 / var and its log (no branch: vectorized)
        for x in numba.prange(mean.shape[0]):
            kx = mean[x] ** 2 / var[x]
            k[x] = kx
            log_k[x] = log_poly(kx)   # (used only where k is in the tables' range: a positive normal number)

    def exps(out):  # between passes 2 and 3: e to the spline's value, in place (no branch: vectorized)
        for x in numba.prange(out.shape[0]):
            out[x] = exp_poly(out[x])

    def exponents(k, log_k, valid, coef, lo, inv_h, h, coef_low, lo_low, inv_h_low, h_low, out):
        # pass 2: the spline's value (the log of the unit-scale quantile) where the tables reach (a
        # p outside them has zeros in the tables: its value is 0, replaced in pass 3); a 0 elsewhere
        # for exp (what is there may be any bits: NaN, huge, which its vector loop takes slowly)
        one_valid = valid.shape[0] == 1
        for x in numba.prange(k.shape[0]):
            kx = k[x]
            ok = valid[0] if one_valid else valid[x]
            if ok and k_lo <= kx <= k_hi:
                i, t = cell(log_k[x], lo, inv_h, h)
                for j in range(out.shape[0]):
                    out[j, x] = cubic(coef, i, j, t)
            elif ok and low_lo <= kx < low_hi:
                i, t = cell(log_k[x], lo_low, inv_h_low, h_low)
                for j in range(out.shape[0]):
                    out[j, x] = cubic(coef_low, i, j, t) / kx
            else:
                for j in range(out.shape[0]):
                    out[j, x] = 0.0

    def quantiles(mean, var, delay, valid, k, ps, fast, every_fast, out):
        # pass 3 (out holds exp of pass 2): scale, the cases the tables do not cover, the delay
        n, one_delay, one_valid = mean.shape[0], delay.shape[0] == 1, valid.shape[0] == 1
        for x in numba.prange(n):
            ok = valid[0] if one_valid else valid[x]
            m, v, kx = mean[x], var[x], k[x]
            d = delay[0] if one_delay else delay[x]
            tables = k_lo <= kx <= k_hi or low_lo <= kx < low_hi
            if ok and every_fast and tables and v > 0 and kx <= 1e16 and not (math.isinf(m) or math.isinf(v)):
                scale = v / m  # the usual point: every p from the tables
                for j in range(ps.shape[0]):
                    out[j, x] = scale * out[j, x] + d
                continue
            if not ok:  # the caller's inf anyway: no inversion
                for j in range(ps.shape[0]):
                    out[j, x] = math.inf
                continue
            scale = v / m
            point = not (v > 0) or kx > 1e16
            edge = math.isinf(m) or math.isinf(v)
            for j in range(ps.shape[0]):
                if edge:
                    q = math.inf
                elif point:
                    q = m
                elif fast[j] and tables:
                    q = scale * out[j, x]
                else:
                    q = scale * gammaincinv(kx, ps[j])
                out[j, x] = q + d

    c1 = numba.types.Array(numba.float64, 1, "C", readonly=True)
    w1 = numba.types.Array(numba.float64, 1, "C")
    c3 = numba.types.Array(numba.float64, 3, "C", readonly=True)
    w2 = numba.types.Array(numba.float64, 2, "C")
    f = numba.float64
    b1 = numba.types.Array(numba.boolean, 1, "C", readonly=True)
    sigs = (numba.void(c1, c1, w1, w1),
            numba.void(c1, c1, b1, c3, f, f, f, c3, f, f, f, w2),
            numba.void(w1),
            numba.void(c1, c1, c1, b1, c1, c1, b1, numba.boolean, w2))
    fns = []
    for fn, sig in zip((shapes, exponents, exps, quantiles), sigs):
        fn = numba.njit(sig, nogil=True, error_model="numpy", cache=False, parallel=threads)(fn)
        fn.disable_compile()
        fns.append(fn)
    return tuple(fns)


def _staged(fns, mean, var, delay, valid, ps, fast, tables, out) -> None:
    """Run the passes of :func:`_build` on flat arrays into ``out`` (``(len(ps), n)``).

    The shape and its log are the calling thread's scratch memory
    (:func:`virtmodel.model.kernels.scratch`)."""
    from ..model import kernels

    shapes, exponents, exps, quantiles = fns
    k, log_k = kernels.scratch("percentile shapes", mean.shape, float, 2)
    shapes(mean, var, k, log_k)
    exponents(k, log_k, valid, *tables, out)
    exps(out.reshape(-1))
    quantiles(mean, var, delay, valid, k, ps, fast, bool(fast.all()), out)


_BUILDS = Builds(_build, "virtmodel-percentile-kernel-compile")  # key: on every core or not


def _kernel(points: int, ndim: int):
    """The compiled kernel if the settings want it for this array now, else None (may start compiling)."""
    from ..model import kernels

    how = kernels.wanted(points, ndim)
    if how is None:
        return None
    threads = kernels.parallel(points)
    fn = _BUILDS.get(threads, wait=how == "now")
    if isinstance(fn, Exception):
        if how == "now":
            raise RuntimeError("no fused percentile kernel") from fn
        return None
    if fn is None:  # still compiling: the other choice of threads if that one is ready
        other = _BUILDS.peek(not threads)
        return None if isinstance(other, Exception) else other
    return fn


def _writable(out, shape) -> bool:
    """Whether ``out`` can take the percentiles: a writeable C-contiguous float array of ``shape``."""
    return isinstance(out, np.ndarray) and out.shape == shape and out.dtype == np.float64 \
        and out.flags.c_contiguous and out.flags.writeable


@lru_cache(maxsize=32)
def _tables(ps: tuple, low: bool) -> tuple:
    """``(coef, lo, h)``: the spline tables of every ``p`` stacked ``(cell, p, power)`` (a cell's
    coefficients of every ``p`` next to each other; zeros for a ``p`` outside the tables' range);
    the grid is the same for every ``p``."""
    tables = [P._table(p, low) if P.FAST_P[0] <= p <= P.FAST_P[1] else None for p in ps]
    coef, lo, h = next(t for t in tables if t is not None)
    zero = np.zeros_like(np.stack(coef))
    stacked = np.stack([np.stack(t[0]) if t else zero for t in tables])  # (p, power, cell)
    return np.ascontiguousarray(stacked.transpose(2, 0, 1)), lo, h


def _inf_unless(q, valid):
    """``q`` (an array of its own) with ``inf`` where ``valid`` is False (in place if it can be)."""
    if valid.all():
        return q
    if np.ndim(q) and q.shape == np.broadcast_shapes(q.shape, valid.shape):
        np.copyto(q, np.inf, where=~valid)
        return q
    return np.where(valid, q, np.inf)


def gamma_quantiles_plus(mean, variance, ps, delay, valid=True, out=None) -> list:
    """``[q + delay for q in gamma_quantiles(mean, variance, ps)]``, in one pass where it pays.

    ``mean`` and ``variance`` arrays of one shape, ``delay`` of that shape or 0-d; other
    shapes, small arrays and non-scalar ``p`` take the NumPy path. ``valid`` (bool, broadcast
    to ``mean``): where it is False the result is ``inf`` (a saturated point): the kernel writes
    ``inf`` there without inverting anything, the NumPy path sets it after. ``out``: a
    C-contiguous float array of shape ``(len(ps), *shape)`` (the broadcast shape of the
    inputs) that both paths write into (its rows are then the result).
    """
    mean, variance, delay = (np.asarray(a, dtype=float) for a in (mean, variance, delay))
    valid = np.asarray(valid, dtype=bool)
    ps = [float(p) if np.ndim(p) == 0 else p for p in ps]
    fn = None
    fast = [isinstance(p, float) and P.FAST_P[0] <= p <= P.FAST_P[1] for p in ps]
    if mean.size >= P.FAST_MIN_SIZE and any(fast) and all(isinstance(p, float) for p in ps) \
            and mean.shape == variance.shape and delay.shape in ((), mean.shape) \
            and np.broadcast_shapes(valid.shape, mean.shape) == mean.shape:
        fn = _kernel(mean.size, mean.ndim)
    usable = all(isinstance(p, float) for p in ps) \
        and _writable(out, (len(ps),) + np.broadcast_shapes(mean.shape, variance.shape, delay.shape))
    if fn is None:
        qs = P.gamma_quantiles(mean, variance, ps, list(out) if usable and out.ndim > 1 else None)
        if usable:  # the same additions, into the caller's rows (where the quantiles already are, in place)
            return [_inf_unless(np.add(q, delay, out=out[j, ...]), valid) for j, q in enumerate(qs)]  # 0-d rows too
        return [_inf_unless(q + delay, valid) for q in qs]
    coef, lo, h = _tables(tuple(ps), False)
    coef_low, lo_low, h_low = _tables(tuple(ps), True)
    valid = valid if valid.shape in ((), mean.shape) else np.broadcast_to(valid, mean.shape)
    flat = [np.ascontiguousarray(a).reshape(-1) for a in (mean, variance, delay, valid)]
    if not usable:
        out = np.empty((len(ps),) + mean.shape)
    mean, variance, delay, valid = flat
    _staged(fn, mean, variance, delay, valid, np.array(ps), np.array(fast),
            (coef, lo, 1 / h, h, coef_low, lo_low, 1 / h_low, h_low), out.reshape(len(ps), -1))
    return list(out)
