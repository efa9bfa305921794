"""Sanity of the simulators: reproducibility, exact invariants, interval behaviour, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel import ParameterError, UnstableError
from virtmodel.simulate import (distribution, simulate_closed_network, simulate_gg1, simulate_ggc,
                                simulate_open_network, simulate_ps)
from virtmodel.simulate.lindley import lindley_waits

SMALL = dict(customers=20_000, seed=3)


def _loop_lindley(a, s_prev):
    w, out = 0.0, []
    for x, y in zip(a, s_prev):
        w = max(0.0, w + y - x)
        out.append(w)
    return np.array(out)


def test_vectorized_lindley_equals_the_recursion():
    rng = np.random.default_rng(0)
    a, s = rng.exponential(1.0, 5000), rng.exponential(0.9, 5000)
    assert np.allclose(lindley_waits(a, s), _loop_lindley(a, s), atol=1e-9)


@pytest.mark.parametrize("sim, args", [
    (simulate_gg1, (0.7, 1.0)), (simulate_ggc, (1.4, 1.0, 2)), (simulate_ps, (0.7, 1.0)),
    (simulate_open_network, ([1.0, 0.0], [[0, 1], [0, 0]], [2.0, 2.0])),
    (simulate_closed_network, ([0.1, 0.2], 3)),
])
def test_same_seed_same_result_other_seed_other_result(sim, args):
    a, b, c = sim(*args, **SMALL), sim(*args, **SMALL), sim(*args, customers=20_000, seed=4)
    assert np.array_equal(a.response_time.mean, b.response_time.mean)
    assert not np.array_equal(a.response_time.mean, c.response_time.mean)


def test_dd1_under_capacity_never_waits():
    r = simulate_gg1(0.9, 1.0, 0.0, 0.0, **SMALL)
    assert r.waiting_time.mean == 0 and r.waiting_time.half_width == 0
    assert r.response_time.mean == pytest.approx(1.0)
    assert r.utilization.mean == pytest.approx(0.9)


def test_throughput_equals_arrival_rate_and_little_holds():
    r = simulate_gg1(0.6, 1.0, 1.0, 2.0, customers=2 * 10**5, seed=5)
    assert r.throughput.contains(0.6, 0.99)
    assert r.number_in_system.mean == pytest.approx(r.throughput.mean * r.response_time.mean, rel=0.01)
    assert r.waiting_time.mean >= 0 and r.response_time.mean > r.waiting_time.mean


def test_interval_shrinks_with_more_customers():
    short = simulate_gg1(0.8, 1.0, customers=10**4, seed=6)
    long = simulate_gg1(0.8, 1.0, customers=10**6, seed=6)
    assert long.response_time.half_width < short.response_time.half_width / 3


def test_one_server_ggc_matches_lindley_exactly():
    # same seed, same draws (arrivals then services in one block each): identical waits
    a = simulate_ggc(0.7, 1.0, 1, customers=10**4, warmup=0, batches=10, seed=7)
    rng = np.random.default_rng(7)
    ia, s = rng.exponential(1 / 0.7, 10**4), rng.exponential(1.0, 10**4)
    w = lindley_waits(ia, np.concatenate(([0.0], s[:-1])))
    assert a.waiting_time.mean == pytest.approx(w.reshape(10, -1).mean(axis=1).mean())


def test_blocking_only_with_a_finite_buffer():
    assert simulate_ggc(1.4, 1.0, 2, **SMALL).blocking_probability is None
    r = simulate_ggc(5.0, 1.0, 2, capacity=2, **SMALL)  # M/M/2/2: Erlang B(2, 5) = 25/37
    assert r.blocking_probability.contains(25 / 37, 0.99)
    assert r.waiting_time.mean == 0


def test_closed_network_one_customer_response_is_the_sum_of_demands():
    r = simulate_closed_network([0.1, 0.2, 0.3], 1, think_time=0.5, customers=4 * 10**4, seed=8)
    assert r.system_response_time.contains(0.6, 0.99)
    assert np.all(r.waiting_time.mean < 1e-9)  # nobody queues (up to rounding of t + s - t - s)


def test_result_lookup_and_percentile_errors():
    r = simulate_gg1(0.5, 1.0, **SMALL)
    assert r["response_time"] is r.response_time and r.contains("throughput", 0.5, 0.999)
    assert r.response_time.ci_low < r.response_time.mean < r.response_time.ci_high
    with pytest.raises(ParameterError, match="metric"):
        r["latency"]
    with pytest.raises(ParameterError, match="percentiles"):
        r.response_time_percentile(0.9)


@pytest.mark.parametrize("family, scv", [("gamma", 0.5), ("hyperexponential", 3.0), ("lognormal", 2.0),
                                         ("deterministic", 0.0), ("exponential", 1.0)])
def test_distribution_moments(family, scv):
    x = distribution(2.0, scv, family).sample(np.random.default_rng(9), 10**6)
    assert x.mean() == pytest.approx(2.0, rel=0.01)
    assert x.var() / x.mean() ** 2 == pytest.approx(scv, rel=0.05, abs=1e-12)


@pytest.mark.parametrize("call, name", [
    (lambda: simulate_gg1(-1.0, 1.0), "arrival_rate"),
    (lambda: simulate_gg1(0.5, float("nan")), "mean_service_time"),
    (lambda: simulate_gg1(0.5, 1.0, customers=10), "customers"),
    (lambda: simulate_gg1(0.5, 1.0, seed=None), "seed"),
    (lambda: simulate_gg1([0.5, 0.6], 1.0), "arrival_rate"),
    (lambda: simulate_ggc(0.5, 1.0, 2.5), "servers"),
    (lambda: simulate_ggc(0.5, 1.0, 2, capacity=1), "capacity"),
    (lambda: distribution(1.0, 0.5, "hyperexponential"), "scv"),
    (lambda: distribution(1.0, 1.0, "weibull"), "family"),
    (lambda: simulate_open_network([1.0, 0.0], [[0, 1], [1, 0]], [2.0, 2.0]), "routing"),
    (lambda: simulate_closed_network([0.1, -0.2], 3), "demands"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=name):
        call()


def test_unstable_raises_unless_allowed():
    with pytest.raises(UnstableError, match="1.2"):
        simulate_gg1(1.2, 1.0)
    with pytest.raises(UnstableError, match="station 1"):
        simulate_open_network([1.0, 0.0], [[0, 1], [0, 0]], [2.0, 0.9])
    r = simulate_gg1(1.2, 1.0, customers=10**4, allow_unstable=True, seed=1)
    # like the closed forms' sweeps, utilization reports the offered load (>= 1) past saturation
    assert r.utilization.mean == pytest.approx(1.2, rel=0.05)
    assert r.waiting_time.mean > 100


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rho=st.floats(0.01, 0.95),
       ca2=st.floats(0.0, 4.0), cs2=st.floats(0.0, 4.0))
def test_lindley_results_are_finite_and_waits_nonnegative(seed, rho, ca2, cs2):
    r = simulate_gg1(rho, 1.0, ca2, cs2, customers=2000, seed=seed)
    for name in r.metrics():
        assert np.isfinite(r[name].mean) and np.isfinite(r[name].half_width)
    assert r.waiting_time.mean >= 0
    assert r.response_time.mean >= 1.0 - 1e-9 or cs2 > 0
