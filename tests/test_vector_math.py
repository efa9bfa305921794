"""The percentile kernel's branch-free exp and log (virtmodel.queueing._vector_math) against NumPy's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

numba = pytest.importorskip("numba")

from virtmodel.queueing import _vector_math as V  # noqa: E402


@pytest.fixture(scope="module")
def loops():
    """The two functions in compiled loops, as the kernel compiles them (inlined, NumPy's error model)."""
    exp_one, log_one = V.compiled()

    @numba.njit(error_model="numpy")
    def exp_loop(x, out):
        for i in range(x.size):
            out[i] = exp_one(x[i])

    @numba.njit(error_model="numpy")
    def log_loop(x, out):
        for i in range(x.size):
            out[i] = log_one(x[i])

    def run(loop, x):
        x = np.ascontiguousarray(x, dtype=float)
        out = np.empty_like(x)
        loop(x, out)
        return out

    exp, log = (lambda x: run(exp_loop, x)), (lambda x: run(log_loop, x))
    exp.loop, log.loop = exp_loop, log_loop
    return exp, log


def _ulps(got, want):
    """Distance in units in the last place of ``want`` (0 where both are equal, inf and 0 included)."""
    same = got == want
    return np.where(same, 0.0, np.abs(got - want) / np.spacing(np.abs(want)))


@pytest.mark.parametrize("lo, hi", [(-745.0, 709.7), (-1.0, 1.0), (-1e-9, 1e-9), (-720.0, -700.0), (700.0, 709.7)])
def test_exp_within_one_ulp_of_numpy(loops, lo, hi):
    exp, _ = loops
    x = np.random.default_rng(1).uniform(lo, hi, 200_000)
    assert _ulps(exp(x), np.exp(x)).max() <= 1.0


def test_exp_edges_as_numpy(loops):
    """Underflow to the subnormals and to 0, overflow to inf, the infinities and NaN: NumPy's values."""
    exp, _ = loops
    x = np.array([-1e300, -1e6, -1000.0, -746.0, -745.2, -745.13, -740.0, -708.5, 0.0, -0.0,
                  709.78, 709.79, 710.0, 1e6, np.inf, -np.inf])
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(exp(x), np.exp(x))
    assert np.isnan(exp(np.array([np.nan]))).all()


@pytest.mark.parametrize("lo, hi", [(2.3e-308, 1.7e308), (0.5, 2.0), (0.999, 1.001), (1e-6, 1e8)])
def test_log_within_three_ulps_of_numpy(loops, lo, hi):
    _, log = loops
    x = np.exp(np.random.default_rng(2).uniform(np.log(lo), np.log(hi), 200_000))
    got, want = log(x), np.log(x)
    assert _ulps(got, want).max() <= 3.0
    assert (np.abs(got - want) <= 4.5e-16 * np.abs(want)).all()


def test_log_exact_points(loops):
    _, log = loops
    x = np.array([1.0, 2.0, 0.5, 4.0, 1024.0, 2.0**-1022, np.finfo(float).max, np.nextafter(1.0, 2.0)])
    assert _ulps(log(x), np.log(x)).max() <= 1.0
    assert log(np.array([1.0]))[0] == 0.0


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=2.3e-308, max_value=1.7e308))
def test_exp_of_log_returns_the_number(loops, x):
    """exp(log x) = x to within what the log's 3 ulps (relative 6.7e-16 |ln x| in x) and the exp's 1 allow."""
    exp, log = loops
    back = exp(log(np.array([x])))[0]
    assert abs(back - x) <= (8e-16 * abs(np.log(x)) + 2.3e-16) * x


def test_loops_run_on_the_vector_units(loops):
    """The point of the module: the compiled loop works on vectors of doubles, no libm call per point."""
    x = np.linspace(-5, 5, 64)
    for f in loops:
        f(x + 6.0)
        llvm = next(iter(f.loop.inspect_llvm().values()))
        assert "x double>" in llvm
        assert "@exp" not in llvm and "@log" not in llvm
