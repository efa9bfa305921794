"""Erlang C over the load for whole server counts by the Erlang B recursion (no scipy.special).

Checked against 40-digit arithmetic of the finite sum, against the incomplete-gamma path it
replaces, against GNU Octave's ``erlangc`` and against textbook values; and a first use of a
model with an Erlang C host must not import ``scipy.special``.
"""

import subprocess
import sys

import mpmath
import numpy as np
import pytest

from virtmodel.queueing import erlang_b
from virtmodel.queueing._erlang_b_recursion import BLOCK, erlang_b_recursion
from virtmodel.queueing.erlang_function import (RECURSION_SERVERS, _b_over_load_gamma, _b_over_load_recursion,
                                                _by_recursion, erlang_c_over_load)

from octave_peer import matrix, octave_lines, printing


def _k(b_over_a, c, a):
    return c * b_over_a / (c - a * (1 - a * b_over_a))


def by_recursion(c, a):
    a = np.asarray(a, dtype=float)
    return _k(_b_over_load_recursion(np.asarray(float(c)), a), c, a)


def by_gamma(c, a):
    a = np.asarray(a, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _k(_b_over_load_gamma(np.asarray(float(c)), a), c, a)


def exact(c, a):
    """C(c, a)/a from the finite sum in 40-digit arithmetic."""
    with mpmath.workdps(40):
        a = mpmath.mpf(float(a))
        b = a**c / mpmath.factorial(c) / mpmath.fsum(a**k / mpmath.factorial(k) for k in range(c + 1))
        return float(c * b / (c - a * (1 - b)) / a)


@pytest.mark.parametrize("c", [2, 8, 32, 64, 128, 500])
def test_recursion_against_forty_digits(c):
    a = np.linspace(0.02, 0.999, 60) * c
    want = np.array([exact(c, x) for x in a])
    got = by_recursion(c, a)
    normal = want > 1e-300  # 500 servers at a load of 10: below the smallest double, 0 in both
    assert np.max(np.abs(got[normal] / want[normal] - 1)) < 1e-14  # the bound the module docstring states
    assert np.all(np.abs(got[~normal] - want[~normal]) < 1e-300)


@pytest.mark.parametrize("c", [2, 3, 5, 16, 32, 33, 64])
def test_recursion_equals_the_gamma_path(c):
    a = np.concatenate([np.linspace(0, 0.9999 * c, 4001), [1e-300, 1e-8, c * (1 - 1e-12)]])
    new, old = erlang_c_over_load(float(c), a), by_gamma(c, a)
    assert _by_recursion(np.asarray(float(c)), a)
    big = old > 1e-250  # below it both are underflowing towards 0
    assert np.allclose(new[big], old[big], rtol=1e-12, atol=0)
    assert np.all(new[~big] < 1e-240) and new[0] == old[0] == 0.0  # no work: no wait (not 0/0)


@pytest.mark.parametrize("c, a, want", [
    (2, 1.0, 1 / 3),  # exact; peer value: GNU Octave queueing 1.2.7, erlangc(1, 2)
    (3, 1.5, 9 / 38),  # Gross et al., Fundamentals of Queueing Theory, 4th ed., eq. 2.32
    (10, 8.0, 0.409180150796444),  # peer value: GNU Octave queueing 1.2.7, erlangc(8, 10)
    (100, 95.0, 0.50645685391302),  # peer value: GNU Octave queueing 1.2.7, erlangc(95, 100)
])
def test_recursion_textbook_and_peer_values(c, a, want):
    assert erlang_c_over_load(float(c), np.array([a]))[0] * a == pytest.approx(want, rel=1e-12)


def test_recursion_against_octave_erlangc():
    cs, loads = [], []
    for c in (2, 4, 8, 32, 64):
        for a in np.linspace(0.05, 0.995, 9) * c:
            cs.append(c)
            loads.append(a)
    cs, loads = np.array(cs, dtype=float), np.array(loads)
    (peer,) = octave_lines(f"A = {matrix(loads)}; m = {matrix(cs)}; C = erlangc(A, m); " + printing("C"))
    assert np.allclose(erlang_c_over_load(cs, loads) * loads, peer, rtol=1e-12, atol=0)


def test_servers_per_point_and_blocks_change_nothing():
    rng = np.random.default_rng(5)
    c = rng.integers(1, 40, 3 * BLOCK + 17).astype(float)
    a = rng.uniform(0, 1, c.size) * c
    whole = erlang_c_over_load(c, a)
    one_by_one = np.array([erlang_c_over_load(ci, np.array([ai]))[0] for ci, ai in zip(c, a)])
    many = c > 1  # (a scalar c = 1 is 1 exactly, without the recursion)
    assert np.array_equal(whole[many], one_by_one[many])  # the same operations, bit for bit
    assert np.allclose(whole[~many], 1.0, rtol=1e-15, atol=0)  # C(1, a) = a


def test_erlang_b_recursion_shapes_and_values():
    assert erlang_b_recursion(10, 5.0) == pytest.approx(0.0183845703366481, rel=1e-13)  # as test_erlang.py
    assert erlang_b_recursion(0, [3.0, 4.0]).tolist() == [1.0, 1.0]  # B(0, a) = 1
    grid = erlang_b_recursion(np.array([[1], [2]]), np.array([0.0, 1.0, 2.0]))
    assert grid.shape == (2, 3) and grid[0, 1] == 0.5 and grid[1, 1] == pytest.approx(0.2)  # (1/2)/(1+1+1/2)
    assert erlang_b_recursion(3, np.empty(0)).shape == (0,)
    assert erlang_b(7, 3.0) == erlang_b_recursion(7, 3.0)


def test_which_path():
    one = np.ones(10**6)
    assert _by_recursion(np.asarray(float(RECURSION_SERVERS)), one)
    assert not _by_recursion(np.asarray(float(RECURSION_SERVERS + 1)), one)  # many points: gammaincc is cheaper
    assert _by_recursion(np.asarray(1000.0), np.ones(100))  # few points: any whole number
    assert not _by_recursion(np.asarray(2.5), np.ones(3))  # not whole: gammaincc
    got = erlang_c_over_load(2.5, np.array([0.5, 1.5, 2.4]))
    assert np.all(np.isfinite(got)) and np.all(np.diff(got) > 0)
    # between the whole numbers around it (waiting falls with more servers at the same load)
    assert np.all(erlang_c_over_load(3.0, np.array([1.5])) < got[1]) and np.all(got[1] < erlang_c_over_load(2.0, np.array([1.5])))


def test_first_use_imports_no_special_functions():
    code = ("import sys\n"
            "from virtmodel.model import Model\n"
            "from virtmodel.techniques import get\n"
            "m = Model(get('hardware_assist', io_path='virtio_pooled'), 'small_packet_rr')\n"
            "from virtmodel.queueing.erlang_function import ErlangCOverLoad\n"
            "calls = m.expression('mean_latency').expr.atoms(ErlangCOverLoad)\n"
            "assert any(f.args[0] != 1 for f in calls), calls  # an Erlang C host station\n"
            "m.evaluate('mean_latency'); m.evaluate('mean_latency', arrival_rate=[1e3, 2e3])\n"
            "print(' '.join(k for k in ('scipy.special', 'numpy.f2py', 'numpy.testing') if k in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []
