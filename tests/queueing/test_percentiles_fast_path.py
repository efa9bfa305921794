"""The interpolated gamma inverse after perf12: one gather of a cell's four coefficients and
no ``gammaincinv`` call outside its domain change no value (pinned against the former path)."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincinv

from virtmodel.queueing import _percentiles as P


def _former(k, p):
    """The former evaluation: four ``take``s per Horner step on the whole array, ``gammaincinv``
    on every point outside the tables (k <= 0 and NaN included)."""
    flat = np.asarray(k, dtype=float).reshape(-1)
    coef, lo, h = P._table(p, False)
    i, t = P._cells(flat, lo, h)
    c3, c2, c1, c0 = coef
    q = np.exp(((np.take(c3, i) * t + np.take(c2, i)) * t + np.take(c1, i)) * t + np.take(c0, i))
    low = (flat >= P.FAST_K_LOW[0]) & (flat < P.FAST_K_LOW[1])
    coef, lo, h = P._table(p, True)
    i, t = P._cells(flat[low], lo, h)
    c3, c2, c1, c0 = coef
    q[low] = np.exp((((np.take(c3, i) * t + np.take(c2, i)) * t + np.take(c1, i)) * t + np.take(c0, i))
                    / flat[low])
    exact = ~((flat >= P.FAST_K[0]) & (flat <= P.FAST_K[1])) & ~low
    q[exact] = gammaincinv(flat[exact], p)
    return q.reshape(np.shape(k))


def _ks():
    rng = np.random.default_rng(12)
    k = np.exp(rng.uniform(np.log(1e-8), np.log(1e10), 60_000))
    k[:20_000] *= -1  # past saturation: a negative shape
    k[:8] = [np.nan, 0.0, -0.0, -np.inf, np.inf, 1e-6, 0.05, 1e8]
    return rng.permutation(k)


def test_fast_path_is_bit_identical_to_the_former_one():
    k, ps = _ks(), [0.5, 0.95, 0.99]
    for p, got in zip(ps, P.gammaincinv_fast(k, ps)):
        assert np.array_equal(got, _former(k, p), equal_nan=True)


def test_outside_the_domain_is_nan_as_in_scipy():
    k = _ks()
    bad = ~(k > 0)
    assert bad.sum() >= 19_990
    (got,) = P.gammaincinv_fast(k, [0.99])
    assert np.isnan(got[bad]).all() and np.isnan(gammaincinv(k[bad], 0.99)).all()
    assert not np.isnan(got[~bad & np.isfinite(k)]).any()  # gammaincinv(inf, p) is NaN too


def test_rows_hold_the_tables_coefficients():
    rows = P._rows(0.95, False)
    assert rows.shape == (P.FAST_GRID - 1, 4) and rows.flags.c_contiguous
    for j, c in enumerate(P._table(0.95, False)[0]):
        assert np.array_equal(rows[:, j], c)
