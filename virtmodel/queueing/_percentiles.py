"""Response-time percentiles: exact where the distribution is known, else a
documented two-moment approximation.

Methods
-------
exponential
    :math:`t_p = -\\bar R \\ln(1-p)`; exact when the response time is
    exponential (M/M/1 FCFS), an approximation elsewhere.
gamma two-moment fit
    The response time is taken as a gamma distribution with the model's exact
    mean and variance: shape :math:`k = \\bar R^2/\\mathrm{Var}(R)`, scale
    :math:`\\theta = \\mathrm{Var}(R)/\\bar R`, and :math:`t_p = \\theta\\,
    P^{-1}(k, p)` with :math:`P^{-1}` the inverse regularized lower incomplete
    gamma function. It is exact for M/M/1 (shape 1) and for a deterministic
    response (variance 0, where it returns the mean). An infinite mean or
    variance (a station at the edge of saturation) gives an infinite quantile.
    Numeric only.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .._backend import SYMBOLIC
from ..errors import SymbolicUnsupportedError

EXPONENTIAL = "exact (the response time is exponential)"
GAMMA_FIT = "approximation: gamma distribution fitted to the exact mean and variance of the response time"


def exponential_quantile(mean, p, kind: str):
    """:math:`-\\bar R \\ln(1-p)` for the exponential distribution of mean ``mean``."""
    if kind == SYMBOLIC:
        import sympy as sp

        return -mean * sp.log(1 - p)
    return -np.asarray(mean) * np.log1p(-np.asarray(p))


def gamma_quantile(mean, variance, p, kind: str, what: str = "this model"):
    """The ``p``-quantile of a gamma distribution with the given mean and variance.

    Where ``variance`` is 0 the distribution is a point mass and the mean is
    returned. Raises :class:`SymbolicUnsupportedError` for symbolic input (the
    inverse incomplete gamma function has no closed form). Large arrays use
    the interpolated inverse (:func:`gammaincinv_fast`).
    """
    if kind == SYMBOLIC:
        raise SymbolicUnsupportedError(
            f"the response-time percentile of {what} has no closed form; "
            "call the model with numbers to get it numerically"
        )
    return gamma_quantiles(mean, variance, [p])[0]


def gamma_quantiles(mean, variance, ps, out=None) -> list:
    """The ``p``-quantiles for each ``p`` of ``ps`` of one gamma fit (shape computed once).

    Numeric counterpart of :func:`gamma_quantile` for several probabilities. ``out``: one
    array per ``p`` (e.g. rows of a sweep's result) that the interpolated inverse writes its
    quantiles into where it is used and they fit (:func:`gammaincinv_fast`); the returned
    arrays are then those (the same values as without ``out``).

    Large arrays of one shape are fitted :data:`PIECE` points at a time (:func:`_in_pieces`).
    """
    mean = np.asarray(mean, dtype=float)
    variance = np.asarray(variance, dtype=float)
    if mean.shape == variance.shape and mean.size >= 2 * PIECE and all(np.ndim(p) == 0 for p in ps):
        return _in_pieces(mean, variance, ps, out)
    return _fit(mean, variance, ps, out)


#: points per piece of :func:`gamma_quantiles` (its temporaries stay near the processor; the
#: all-metrics sweep, 10^6 points, pieces of 16,384 / 32,768 / 65,536 / 131,072 / 262,144 points or the
#: whole array: 0.77-0.80 / 0.76-0.77 / 0.75-0.77 / 0.76 / 0.77-0.78 / 0.83 s, best of 5)
PIECE = 1 << 16


def _in_pieces(mean, variance, ps, out) -> list:
    """:func:`_fit` over consecutive pieces of ``PIECE`` points (the last one at least
    ``FAST_MIN_SIZE``, so every piece takes the interpolated inverse as the whole array does),
    written into ``out``'s arrays where they fit, else new ones. Every operation is element-wise:
    the same values as one fit of the whole arrays (tested), with each piece's temporaries in the
    processor's cache instead of a dozen arrays of the full size in fresh memory."""
    shape, n = mean.shape, mean.size
    into = list(out) if out is not None else [None] * len(ps)
    results = [o if _fits(o, shape) else np.empty(shape) for o in into]
    flat = [r.reshape(-1) for r in results]
    m, v = np.ascontiguousarray(mean).reshape(-1), np.ascontiguousarray(variance).reshape(-1)
    starts = list(range(0, n, PIECE))
    if n - starts[-1] < FAST_MIN_SIZE:
        starts.pop()
    for start, stop in zip(starts, starts[1:] + [n]):
        piece = slice(start, stop)
        for q, whole in zip(_fit(m[piece], v[piece], ps, [f[piece] for f in flat]), flat):
            if not np.may_share_memory(q, whole[piece]):  # (a new array: not written into out)
                whole[piece] = q
    return results


def _fit(mean, variance, ps, out=None) -> list:
    """:func:`gamma_quantiles` of arrays (``mean`` and ``variance`` as float arrays) in one go."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        shape = mean**2 / variance
        scale = variance / mean
        point = ~(variance > 0) | (shape > 1e16)  # a (numerically) deterministic response: the mean
        saturated = np.isinf(mean) | np.isinf(variance)  # at the edge of saturation: the quantile is inf
        qs = [np.multiply(q, scale, out=q) if _owned_full(q, scale) else scale * q
              for q in gammaincinv_fast(shape, ps, out)]  # in place: no new array per quantile
    if point.any():
        qs = [_where(point, mean, q) for q in qs]
    if saturated.any():
        qs = [_where(saturated, np.inf, q) for q in qs]
    return qs


def _where(mask, value, q):
    """``np.where(mask, value, q)``, written into ``q`` when it is an array of the result's shape."""
    if _owned_full(q, mask) and q.shape == np.broadcast_shapes(q.shape, np.shape(value)):
        np.copyto(q, value, where=mask)
        return q
    return np.where(mask, value, q)


def _fits(a, shape) -> bool:
    """Whether ``a`` is a writeable C-contiguous float64 array of ``shape``."""
    return isinstance(a, np.ndarray) and a.shape == shape and a.dtype == np.float64 \
        and a.flags.c_contiguous and a.flags.writeable


def _owned_full(q, scale) -> bool:
    """Whether ``scale * q`` can be written into ``q`` (a float array of the product's shape)."""
    return isinstance(q, np.ndarray) and q.ndim > 0 and q.dtype == np.float64 and q.flags.writeable \
        and q.shape == np.broadcast_shapes(q.shape, np.shape(scale))


#: the interpolated inverse: its domains in the shape k (the lower one tabulates k ln q, which stays
#: smooth as k -> 0 where q underflows), the points of each grid, the smallest array it is used for
FAST_K = (0.05, 1e8)
FAST_K_LOW = (1e-6, 0.05)
FAST_P = (0.01, 0.999)
FAST_GRID = 4096
#: the smallest array the interpolated inverse is used for: past about 40 points (3 quantiles) to
#: 80 (one) its fixed cost (about 50 us: the grid positions, one gather per block) is below
#: ``gammaincinv``'s 0.5-0.7 us per point and quantile (measured, benchmarks/README.md)
INTERPOLATE_MIN_SIZE = 128
#: the smallest array the compiled percentile kernel (:mod:`._percentile_kernel`) and the last
#: piece of :func:`_in_pieces` are used for
FAST_MIN_SIZE = 10_000
#: points per block of the splines (cells, offsets and a block of each quantile stay in the L2 cache)
BLOCK = 8192
#: bound on the relative error of the interpolated inverse against ``gammaincinv``
#: on [1e-6, 1e8] x FAST_P (measured: <= 2e-9 at p = 0.01, <= 3e-10 at p >= 0.5; tested)
FAST_RTOL = 1e-8


@lru_cache(maxsize=128)
def _table(p: float, low: bool):
    r"""Cubic-spline coefficients of :math:`\ln P^{-1}(k, p)` (``low``: times :math:`k`) on a
    uniform grid in :math:`\ln k`, with the grid's start and step."""
    from scipy.interpolate import CubicSpline
    from scipy.special import gammaincinv, gammaln

    lo, hi = np.log(FAST_K_LOW if low else FAST_K)
    u = np.linspace(lo, hi, FAST_GRID)
    k = np.exp(u)
    q = gammaincinv(k, p)
    if low:  # k ln q; where q underflows, its leading term ln(p Gamma(k + 1))
        y = np.where(q > 1e-300, k * np.log(np.maximum(q, 1e-300)), np.log(p) + gammaln(1 + k))
    else:
        y = np.log(q)
    coef = tuple(np.ascontiguousarray(c) for c in CubicSpline(u, y).c)
    return coef, lo, (hi - lo) / (FAST_GRID - 1)


@lru_cache(maxsize=128)
def _rows(p: float, low: bool):
    """:func:`_table`'s coefficients as one (cells, 4) table, a cell's (c3, c2, c1, c0) together."""
    return np.ascontiguousarray(np.stack(_table(p, low)[0], axis=1))


def _cells(k, lo, h):
    """Cell index and offset of ``ln k`` on a grid (out-of-range and NaN points land in a valid cell)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.log(k)
        t -= lo
        t *= 1 / h
        np.fmin(np.fmax(t, 0.0, out=t), FAST_GRID - 1 - 1e-9, out=t)  # NaN -> 0: fixed by the caller
        i = t.astype(np.intp)
        t -= i
        t *= h
    return i, t


def _spline(rows, i, t, q, scratch):
    """The cubic of cell ``i`` at offset ``t`` into ``q`` (Horner, in place; ``scratch``: (``q``'s size, 4)).

    One gather of each point's four coefficients (one row of ``rows``; the cells are in
    range, so ``mode="clip"`` changes nothing and spares ``take`` its buffered copy)."""
    c = np.take(rows, i, axis=0, out=scratch, mode="clip")
    np.multiply(c[:, 0], t, out=q)
    q += c[:, 1]
    q *= t
    q += c[:, 2]
    q *= t
    q += c[:, 3]
    return q


def gammaincinv_fast(k, ps, out=None) -> list:
    r"""``[scipy.special.gammaincinv(k, p) for p in ps]``, interpolated for large arrays.

    For arrays of at least ``INTERPOLATE_MIN_SIZE`` points and scalar ``p`` in
    ``FAST_P``: cubic splines on uniform grids in :math:`\ln k`
    (``FAST_GRID`` points, built once per ``p``) of :math:`\ln P^{-1}(k, p)`
    over ``FAST_K`` and of :math:`k \ln P^{-1}(k, p)` over ``FAST_K_LOW``;
    the grid positions are computed once for all ``ps``. Relative error <=
    ``FAST_RTOL``. Other points (0 < k < 1e-6, k > 1e8), smaller arrays and
    other ``p`` use ``gammaincinv`` itself; k <= 0 and NaN (outside its domain)
    give NaN, as ``gammaincinv`` does.

    The splines are evaluated ``BLOCK`` points at a time, every ``p`` of a block while its
    cells and offsets are in the processor's cache (the same operations in the same order
    as on whole arrays: the results do not depend on the block size). ``out``: arrays (one
    per ``p``) to write the interpolated quantiles into, each used if it is a writeable
    C-contiguous float array of ``k``'s shape.
    """
    from scipy.special import gammaincinv

    k = np.asarray(k, dtype=float)
    fast = [np.ndim(p) == 0 and FAST_P[0] <= p <= FAST_P[1] for p in ps]
    if k.size < INTERPOLATE_MIN_SIZE or not any(fast):
        return [gammaincinv(k, p) for p in ps]
    lo, h = _table(float(ps[fast.index(True)]), False)[1:]
    flat_k = np.ascontiguousarray(k).reshape(-1)
    into = list(out) if out is not None else [None] * len(ps)
    out = [(o if _fits(o, k.shape) else np.empty(k.shape)) if ok else gammaincinv(k, p)
           for p, ok, o in zip(ps, fast, into)]
    spline = [(_rows(float(p), False), q.reshape(-1)) for p, ok, q in zip(ps, fast, out) if ok]
    scratch = np.empty((min(BLOCK, flat_k.size), 4))
    for start in range(0, flat_k.size, BLOCK):
        block = slice(start, start + BLOCK)
        i, t = _cells(flat_k[block], lo, h)
        for rows, q in spline:
            np.exp(_spline(rows, i, t, q[block], scratch[:i.size]), out=q[block])
    inside = (k >= FAST_K[0]) & (k <= FAST_K[1])
    if not inside.all():
        low = np.flatnonzero((k >= FAST_K_LOW[0]) & (k < FAST_K_LOW[1]))
        # gammaincinv is NaN for k <= 0 or NaN (outside its domain; e.g. past saturation): NaN
        # without calling it, which costs about 0.1 s per million points and p
        exact = np.flatnonzero(~inside & ~((k >= FAST_K_LOW[0]) & (k < FAST_K_LOW[1])) & (k > 0))
        undefined = np.flatnonzero(~(k > 0))
        k_low = flat_k[low]
        _, lo_low, h_low = _table(float(ps[fast.index(True)]), True)
        i, t = _cells(k_low, lo_low, h_low)
        for p, ok, q in zip(ps, fast, out):
            if ok:
                flat = q.reshape(-1)
                flat[low] = np.exp(_spline(_rows(float(p), True), i, t, np.empty(i.size),
                                           np.empty((i.size, 4))) / k_low)
                flat[exact] = gammaincinv(flat_k[exact], p)
                flat[undefined] = np.nan
    return out
