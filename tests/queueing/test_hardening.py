"""Issue 13 (queueing core): each reported reproduction, now a clear error or a correct number."""

import time

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, UnstableError
from virtmodel.queueing import erlang_b, erlang_c, gg1, ggc, md1, mg1_ps, mm1, mmc, mmck
from virtmodel.queueing._erlang_b_large import LARGE_SERVERS, erlang_b_large, log1p_minus_x
from virtmodel.queueing.erlang import erlang_b_value
from virtmodel.queueing.mmck import MAX_STATES


@pytest.mark.parametrize("call", [
    lambda: mm1(sp.Integer(2), sp.Integer(1)),
    lambda: mmc(sp.Integer(3), sp.Integer(1), 2),
    lambda: md1(sp.Integer(2), sp.Integer(1)),
    lambda: mg1_ps(sp.Integer(2), sp.Integer(1)),
    lambda: gg1(sp.Integer(2), sp.Integer(1), 1, 1),
    lambda: ggc(sp.Integer(5), sp.Integer(1), 2, 1, 1),
    lambda: mm1(sp.Rational(1, 1), 1),  # exactly at saturation
])
def test_numeric_sympy_inputs_are_checked(call):
    # mm1(Integer(2), Integer(1)).response_time was -1
    with pytest.raises(UnstableError, match="utilization"):
        call()


def test_symbolic_inputs_stay_symbolic():
    lam = sp.Symbol("lambda", positive=True)
    assert mm1(lam, 1).response_time == 1 / (1 - lam)
    assert mm1(sp.Rational(1, 2), sp.Integer(1)).response_time == 2


def test_subnormal_service_rate_is_a_clear_error():
    # mmck(0.5, 5e-324, 2, 5) gave NaN utilization; mm1(.., 5e-324): "utilization = nan"
    for call in (lambda: mmck(0.5, 5e-324, 2, 5), lambda: mm1(0.5, 5e-324), lambda: mg1_ps(0.5, 1e-320)):
        with pytest.raises(ParameterError, match="subnormal"):
            call()
    # a small normal rate is a correct number (everything stays finite)
    r = mmck(0.5, 1e-300, 2, 5)
    assert r.blocking_probability == pytest.approx(1.0) and r.utilization == pytest.approx(1.0)
    assert r.response_time == pytest.approx((5 - 2) / 2e-300 + 1e300, rel=1e-9)  # finds 4: waits 3/(2 mu)


def test_overflowing_results_are_a_clear_error():
    with pytest.raises(ParameterError, match="float range"):
        mm1(1e-300 * (1 - 1e-15), 1e-300)  # R = 1/(mu - lambda) ~ 1e315 does not fit in a float


@pytest.mark.parametrize("call, name, text", [
    (lambda: mm1(10**400, 1), "arrival_rate", "float range"),
    (lambda: mm1(np.full(2, .5), np.full(3, 1.)), "service_rate", "broadcastable with arrival_rate"),
    (lambda: mm1(None, 1), "arrival_rate", "None is not a number"),
    (lambda: mmc(0.5, 1, 10**400), "servers", "<= 1e\\+300"),
    (lambda: gg1([0.1, 0.2], 1.0, [1, 1, 1], 1), "arrival_scv", "broadcastable"),
    (lambda: erlang_b(None, 1.0), "servers", "whole number"),
])
def test_bad_inputs_name_the_parameter(call, name, text):
    with pytest.raises(ParameterError, match=name) as err:
        call()
    assert err.value.parameter == name
    assert err.match(text)


def test_huge_server_counts_are_closed_forms():
    start = time.perf_counter()
    assert erlang_b(10**20, 1.5) == 0.0  # a^c/c! underflows: no blocking
    r = mmc(0.5, 1.0, 10**20)  # no one waits: R = 1/mu (the M/M/inf limit)
    assert r.response_time == 1.0 and r.waiting_time == 0.0
    assert ggc(0.5, 1.0, 10**20, 1.0, 1.0).response_time == 1.0
    # at the edge of capacity, a million servers: B ~ sqrt(2/(pi c)) (Jagerman 1974), 7.979e-4
    assert erlang_b(10**6, 10**6) == pytest.approx(np.sqrt(2 / (np.pi * 1e6)), rel=1e-3)
    c = erlang_c(10**6, 10**6 - 1000.0)
    assert 0 < c < 1
    assert time.perf_counter() - start < 2.0


def test_large_server_formula_matches_the_recursion():
    # the closed form (incomplete gamma / continued fraction) against the stable recursion
    for c in (LARGE_SERVERS + 1, 3 * LARGE_SERVERS):
        a = np.concatenate([np.linspace(0, 4 * c, 401), c + np.linspace(-40, 40, 81) * np.sqrt(c)])
        a = a[a >= 0]
        ref = erlang_b_value(c, a, "array")
        big = erlang_b_large(c, a)
        ok = ref > 1e-290
        assert np.allclose(big[ok], ref[ok], rtol=1e-11, atol=0)
    # across the switch: one step of the recursion B(c+1) = a B(c) / (c + 1 + a B(c)) from the last
    # recursion value gives the first closed-form value
    a = np.array([1900.0, 2000.0, 2500.0])
    below = erlang_b(LARGE_SERVERS, a)
    step = a * below / (LARGE_SERVERS + 1 + a * below)
    assert np.allclose(erlang_b(LARGE_SERVERS + 1, a), step, rtol=1e-11)


def test_log1p_minus_x_series_and_direct_agree():
    x = np.array([-0.5, -0.0101, -0.0099, -1e-8, 0.0, 1e-8, 0.0099, 0.0101, 3.0])
    exact = [float(sp.log(1 + sp.Rational(v)) - sp.Rational(v)) for v in x]
    assert np.allclose(log1p_minus_x(x), exact, rtol=1e-13, atol=1e-300)


def test_huge_capacity_is_fast_or_refused():
    start = time.perf_counter()
    r = mmck(0.5, 1.0, 2, 10**6)  # room for a million: the M/M/2 values
    assert r.response_time == pytest.approx(mmc(0.5, 1.0, 2).response_time, rel=1e-12)
    assert time.perf_counter() - start < 3.0
    with pytest.raises(ParameterError, match="capacity"):
        mmck(0.5, 1.0, 2, MAX_STATES + 1)
    with pytest.raises(ParameterError, match="capacity"):
        mmck(np.full(100, 0.5), 1.0, 2, MAX_STATES // 10)


def test_symbolic_many_servers_builds_without_recursion():
    lam = sp.Symbol("l", positive=True)
    r = mmc(lam, 1, 200)  # was a RecursionError
    value = float(sp.lambdify(lam, r.response_time, "mpmath")(150))
    assert value == pytest.approx(mmc(150.0, 1.0, 200).response_time, rel=1e-10)
    big = mmc(lam, 1, 10**6)  # beyond SYMBOLIC_TERMS: an unevaluated Sum, built at once
    assert big.response_time.has(sp.Sum)
