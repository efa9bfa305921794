"""Bracketed roots: a grid scan for sign changes, then Brent (one root) or Illinois (many at once).

The break-even of two techniques is a root of :math:`g(x) = M_a(x) - M_b(x)`.
Without a closed form it is found by scanning a grid for sign changes of
:math:`g` between *finite* neighbours (saturated points, ``inf``, and points
where a technique does not apply, NaN, never bracket a root) and refining each
bracket: :func:`scipy.optimize.brentq` for one curve, and the Illinois variant
of regula falsi on whole arrays of brackets for a break-even *curve*, so 1,000
values of a second parameter cost a few dozen vectorized evaluations instead of
1,000 separate root searches. A root where :math:`g` touches zero without
changing sign is not bracketed (it is found only if it falls on a grid point).
Two metrics equal to rounding (:data:`TIE_RTOL`) count as equal, so an interval
where they coincide (both limited by the same shared device, say) is a tie, not
hundreds of crossings of rounding noise.

References
----------
M. Dowell and P. Jarratt, "A modified regula falsi method for computing the
root of an equation", BIT 11 (1971) 168-174 (the Illinois method).
"""

from __future__ import annotations

import numpy as np

#: relative difference below which two metric values count as equal (a tie)
TIE_RTOL = 1e-12


def scan_grid(lo: float, hi: float, n: int, typical: float, integer: bool = False) -> np.ndarray:
    """Grid over ``[lo, hi]``: linear plus geometric near ``lo`` (integers for counts)."""
    if integer:
        lo, hi = int(np.ceil(lo)), int(np.floor(hi))
        if hi - lo + 1 <= n:
            return np.arange(lo, hi + 1, dtype=float)
        return np.unique(np.round(np.geomspace(max(lo, 1), hi, n)))
    grid = np.linspace(lo, hi, n // 2)
    start = max(lo, min(typical, hi) * 1e-4, hi * 1e-7)
    if start < hi:
        grid = np.concatenate([grid, np.geomspace(start, hi, n - n // 2)])
    return np.unique(grid)


def ties(values: np.ndarray) -> np.ndarray:
    """Mask of the zeros of ``values`` that have a zero neighbour along axis 0: an interval
    where the two metrics are equal (a tie), not a crossing."""
    zero = values == 0
    run = np.zeros_like(zero)
    run[:-1] |= zero[:-1] & zero[1:]
    run[1:] |= zero[:-1] & zero[1:]
    return run


def brackets(values: np.ndarray):
    """``(i, j, zero)``: sign changes between finite rows ``i`` and ``i + 1`` (column ``j``),
    and the mask of exact zeros that are crossings (the rows on either side have opposite
    signs; zeros in a run are a tie, :func:`ties`; other zeros a touch, :func:`touches`).
    ``values`` has the grid along axis 0."""
    finite = np.isfinite(values)
    s = np.sign(np.where(finite, values, np.nan))
    change = finite[:-1] & finite[1:] & (s[:-1] * s[1:] < 0)
    i, j = np.nonzero(change)
    return i, j, _isolated_zeros(values) & _opposite_neighbours(s)


def touches(values: np.ndarray) -> np.ndarray:
    """Mask of isolated exact zeros that are not crossings: at the edge of the grid, or with
    the same sign on both sides (equal there, but the winner does not change)."""
    s = np.sign(np.where(np.isfinite(values), values, np.nan))
    return _isolated_zeros(values) & ~_opposite_neighbours(s)


def _isolated_zeros(values):
    return np.isfinite(values) & (values == 0) & ~ties(values)


def _opposite_neighbours(s):
    """Rows whose neighbours above and below have opposite signs (False on the edges)."""
    out = np.zeros(s.shape, dtype=bool)
    out[1:-1] = s[:-2] * s[2:] < 0
    return out


def illinois(g, a, b, fa, fb, rtol: float = 1e-12, maxiter: int = 200):
    """Vectorized Illinois regula falsi on brackets ``[a, b]`` with ``fa * fb < 0``.

    ``g(x, active)`` evaluates the function at ``x`` for the brackets selected
    by the boolean mask ``active`` (only unconverged brackets are evaluated).
    A non-finite value inside a bracket falls back to bisection there.
    """
    a, b, fa, fb = (np.array(v, dtype=float) for v in (a, b, fa, fb))
    done = np.zeros(a.shape, dtype=bool)
    for _ in range(maxiter):
        act = ~done
        if not act.any():
            break
        aa, bb, ffa, ffb = a[act], b[act], fa[act], fb[act]
        with np.errstate(divide="ignore", invalid="ignore"):
            c = bb - ffb * (bb - aa) / (ffb - ffa)
        lo, hi = np.minimum(aa, bb), np.maximum(aa, bb)
        c = np.where(np.isfinite(c) & (c > lo) & (c < hi), c, 0.5 * (aa + bb))
        fc = np.asarray(g(c, act), dtype=float)
        if not np.all(np.isfinite(fc)):
            c = np.where(np.isfinite(fc), c, 0.5 * (aa + bb))
            fc = np.where(np.isfinite(fc), fc, np.asarray(g(c, act), dtype=float))
            fc = np.where(np.isfinite(fc), fc, ffb)  # still undefined: shrink towards a
        flip = fc * ffb < 0
        a[act] = np.where(flip, bb, aa)
        fa[act] = np.where(flip, ffb, 0.5 * ffa)
        b[act], fb[act] = c, fc
        done[act] = (fc == 0) | (np.abs(c - np.where(flip, bb, aa)) <= rtol * np.maximum(np.abs(c), 1e-300))
    return b


def brent_roots(f, grid: np.ndarray, values: np.ndarray, rtol: float = 1e-12) -> list:
    """Every bracketed root of a scalar function ``f`` on a scanned grid (sorted)."""
    from scipy.optimize import brentq

    i, _, zero = brackets(values[:, None])
    roots = [float(x) for x in grid[zero[:, 0]]]
    for k in i:
        fa, fb = f(grid[k]), f(grid[k + 1])
        if fa == 0 or fb == 0:
            roots.append(float(grid[k] if fa == 0 else grid[k + 1]))
        elif np.sign(fa) != np.sign(fb):
            roots.append(brentq(f, grid[k], grid[k + 1], xtol=1e-300, rtol=max(rtol, 4 * np.finfo(float).eps)))
        # else: the scan's sign change was rounding noise of two equal metrics (the scalar
        # evaluation rounds differently from the array one): no crossing there
    return sorted(set(roots))
