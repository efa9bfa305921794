"""Bard-Schweitzer approximate MVA: its error against exact MVA, measured and bounded."""

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, SymbolicUnsupportedError
from virtmodel.queueing import mva, mva_approx, mva_multiclass

D = np.array([0.5, 0.3, 0.8, 0.2])


def test_peer_octave_queueing_qncsmvaap():
    # peer value: GNU Octave queueing 1.2.7 qncsmvaap(20, [0.5 0.3 0.8 0.2], ones(1,4), ones(1,4), 2.5, 1e-10, 10000)
    r = mva_approx(D, 20, 2.5, tol=1e-13)
    assert r.converged
    assert r.system_throughput == pytest.approx(1.227160707496804, rel=1e-9)
    assert r.response_time == pytest.approx([1.198757136575428, 0.4613544887281195,
                                             11.87686147618829, 0.2608107811070021], rel=1e-8)


def test_exact_for_one_customer():
    assert mva_approx(D, 1, 2.5).system_throughput == pytest.approx(1 / (D.sum() + 2.5), rel=1e-9)


def test_error_against_exact_is_small_and_vanishes_with_population():
    # What we assert (measured, not a theorem): on these networks the relative throughput error
    # is below 5 % at every population (largest measured: 4.7 %, balanced 3 stations at N = 10,
    # near the knee), and below 0.1 % at N = 400, far past the knees N* = (D + Z)/D_max <= 6.
    rng = np.random.default_rng(7)
    for Ds, Z in [(D, 2.5), (rng.uniform(0.1, 1.0, 8), 0.0), (np.array([1.0, 1.0, 1.0]), 1.0)]:
        exact = mva(Ds, 400, Z, history=True).throughput_by_population
        errors = [abs(mva_approx(Ds, n, Z, tol=1e-12).system_throughput / exact[n - 1] - 1)
                  for n in (2, 5, 10, 20, 50, 100, 400)]
        assert max(errors) < 0.05
        assert (Ds.sum() + Z) / Ds.max() <= 6
        assert errors[-1] < 1e-3


def test_multiclass_error_bounded():
    S = np.array([[0.2, 0.5, 0.1], [0.6, 0.1, 0.3], [0.3, 0.3, 0.3], [0.1, 0.4, 0.2]])
    N = [6, 4, 5]
    exact = mva_multiclass(S, N, [1.0, 0.0, 2.0])
    approx = mva_approx(S, N, [1.0, 0.0, 2.0], tol=1e-12)
    assert approx.converged
    # measured: 5.2 %, 1.9 %, 1.6 % per class at these small populations
    assert np.max(np.abs(approx.system_throughput / exact.system_throughput - 1)) < 0.06
    assert np.sum(approx.number_in_system, axis=0) + approx.system_throughput * [1.0, 0.0, 2.0] \
        == pytest.approx(N, rel=1e-9)  # Little's law holds at the fixed point


def test_reports_non_convergence():
    r = mva_approx(D, 500, max_iter=2)
    assert r.converged is False and r.iterations == 2 and r.tol == 1e-8


@pytest.mark.parametrize("kwargs, name", [({"method": "linearizer"}, "method"), ({"tol": 0}, "tol"),
                                          ({"max_iter": 0}, "max_iter"), ({"think_times": -1}, "think_times")])
def test_bad_input(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        mva_approx(D, 10, **kwargs)


def test_symbolic_is_refused_clearly():
    with pytest.raises(SymbolicUnsupportedError, match="mva_multiclass"):
        mva_approx([sp.Symbol("a", positive=True)], 3)


def test_default_stopping_rule_is_within_1e_8_of_the_fixed_point():
    """Issue 18's case: the old rule (max |dQ| / N <= 1e-8) left 1.9e-5 relative error in the response
    times here; the default now bounds the relative distance of every R and X to the fixed point."""
    D2 = np.random.default_rng(20240701).uniform(0.05, 1, (10, 2))
    ref = mva_approx(D2, [1000, 1000], [20, 50], tol=1e-14)
    assert ref.converged and ref.accuracy <= 1e-14
    r = mva_approx(D2, [1000, 1000], [20, 50])
    error = max(np.max(np.abs(r.response_time / ref.response_time - 1)),
                np.max(np.abs(r.system_throughput / ref.system_throughput - 1)))
    assert r.converged and r.accuracy <= 1e-8 and r.iterations > 2
    assert error <= 1e-8
    assert error <= 2 * r.accuracy  # the reported accuracy is an honest estimate, not a loose bound
    assert r.accuracy <= 2 * error
