"""Interrupts and wake-ups (techniques/notifications.py): the off mode is the first model, the
closed-form fixed point, the limits (lambda -> 0: the full wake-up; saturation: no wake-ups),
polling cores, and Hypothesis laws. The mechanism against a simulated halt/wake server is in
tests/queueing/test_mg1_exceptional.py (the model's form: queue at the ordinary work + setup delay)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel import techniques
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.symbols import symbols_for
from virtmodel.queueing.mg1_exceptional import idle_fraction, setup_delay
from virtmodel.techniques.notifications import WAKEUP_MODES, idle_probability

WITH_WAKEUPS = ("paravirtual", "hardware_assist", "sriov", "nitro")
TINY = 1e-9


@pytest.mark.parametrize("name", WITH_WAKEUPS)
def test_off_is_the_first_model(name):
    assert techniques.get(name).wakeups == "on"   # the package's default is the reported model
    tech = techniques.get(name, wakeups="off")
    s = symbols_for(type(tech))
    assert tech.demands(s) == tech.first_model(s)[0]
    assert tech.off_queue_work(s) == {} and tech.polling_host_cores(s) == 0


def test_unknown_mode_is_refused_by_name():
    with pytest.raises(ParameterError, match="wakeups"):
        techniques.get("hardware_assist", wakeups="sometimes")


def test_fixed_point_is_the_closed_form():
    lam, a, b = sp.symbols("lambda a b", positive=True)
    p = idle_fraction(lam, a, a + b)                         # the fixed point, below saturation
    assert idle_probability(lam, a, b) == sp.Max(0, p)        # clamped at 0 past it (never idle)
    assert sp.simplify(1 - lam * (a + b * p) - p) == 0      # p = 1 - rho with rho = lambda (a + b p)
    assert p.subs(lam, 0) == 1                                 # no 0/0 at lambda = 0
    assert sp.simplify(p.subs(lam, 1 / a)) == 0                # saturation: never idle
    assert sp.diff(p, lam).subs({a: 1, b: 2, lam: sp.Rational(1, 2)}) < 0
    assert setup_delay(lam, b, b**2, 0)[0].subs(lam, 0) == b


@pytest.mark.parametrize("name, extra", [
    ("hardware_assist", ("vcpu_wake_time", "backend_wake_time")),
    ("paravirtual", ("vcpu_wake_time", "backend_wake_time")),
    ("sriov", ("vcpu_wake_time",)),           # no back-end thread on the host
    ("nitro", ("vcpu_wake_time",)),
])
def test_at_light_load_every_request_pays_the_full_wake_up(name, extra):
    off = Model(techniques.get(name, wakeups="off"), "small_packet_rr")
    on = Model(techniques.get(name, wakeups="on"), "small_packet_rr")
    tech = on.technique
    added = sum(getattr(tech, n) for n in extra)
    got = on.evaluate("mean_latency", arrival_rate=TINY) - off.evaluate("mean_latency", arrival_rate=TINY)
    assert got == pytest.approx(added, rel=1e-5)
    assert on.evaluate("low_load_slowdown") > off.evaluate("low_load_slowdown")


def test_wake_up_costs_vanish_at_high_load():
    tech = techniques.get("hardware_assist", wakeups="on")
    m = Model(tech, "small_packet_rr")
    limit = m.evaluate("throughput_limit")
    rates = np.array([1e-3, 0.5, 0.9, 0.999]) * limit
    per_request = [m.evaluate("cpu_per_request", arrival_rate=r) for r in rates]
    off = Model(techniques.get("hardware_assist"), "small_packet_rr").evaluate("cpu_per_request")
    # the extra CPU per request (wake-ups paid by requests that find a server idle) falls with load
    extra = np.array(per_request) - off
    assert np.all(np.diff(extra) < 0)
    assert extra[0] > 0


def test_off_queue_work_falls_to_zero_where_the_guest_saturates():
    lam, a, b, d = sp.symbols("lambda a b d", positive=True)
    p = idle_probability(lam, a, b)
    assert sp.limit(p * d, lam, 1 / a) == 0


@pytest.mark.parametrize("name", WITH_WAKEUPS)
@pytest.mark.parametrize("workload", ["small_packet_rr", "cpu_bound", "web_serving"])
def test_a_saturated_vcpu_is_never_idle(name, workload):
    """Past the vCPU's saturation the fixed point's p is negative; the model clamps it at 0 (no
    wake-ups), so host cores never go negative (they did: SR-IOV small_packet_rr at 5x load, -0.25),
    and SR-IOV/Nitro, whose host cores are only the vCPU's wake-ups, have none left."""
    m = Model(techniques.get(name, wakeups="on"), workload)
    limit = m.evaluate("throughput_limit")
    rates = np.array([1.5, 5.0, 50.0]) * limit
    host = m.evaluate_many(["host_cores"], arrival_rate=rates)["host_cores"]
    assert np.all(host >= 0)
    if name in ("sriov", "nitro"):
        assert np.all(host == 0)
    for rate in rates:
        assert m.evaluate("host_cores", arrival_rate=float(rate)) >= 0      # the scalar path too
    lam, a, b = sp.symbols("lambda a b", positive=True)
    assert idle_probability(lam, a, b).subs({lam: 2, a: 1, b: 1}) == 0


def test_busy_poll_burns_whole_cores_at_any_load():
    on = Model(techniques.get("hardware_assist", wakeups="on"), "small_packet_rr")
    poll = Model(techniques.get("hardware_assist", wakeups="busy_poll", polling_cores=2), "small_packet_rr")
    assert poll.evaluate("host_cores", arrival_rate=TINY) == pytest.approx(2.0, rel=1e-6)
    assert on.evaluate("host_cores", arrival_rate=TINY) == pytest.approx(0.0, abs=1e-6)
    # no back-end wake-up: a light-load request is faster by backend_wake_time
    gap = on.evaluate("mean_latency", arrival_rate=TINY) - poll.evaluate("mean_latency", arrival_rate=TINY)
    assert gap == pytest.approx(on.technique.backend_wake_time, rel=1e-5)


def test_halt_poll_trades_host_cpu_for_latency():
    on = Model(techniques.get("hardware_assist", wakeups="on"), "small_packet_rr")
    hp = Model(techniques.get("hardware_assist", wakeups="halt_poll"), "small_packet_rr")
    rate = 1e4  # idle periods mostly shorter than the 200 us window
    assert hp.evaluate("mean_latency", arrival_rate=rate) < on.evaluate("mean_latency", arrival_rate=rate)
    assert hp.evaluate("host_cores", arrival_rate=rate) > on.evaluate("host_cores", arrival_rate=rate)
    # at lambda -> 0 no poll catches an arrival: the full wake-up, and no polling burnt
    assert hp.evaluate("mean_latency", arrival_rate=TINY) == pytest.approx(
        on.evaluate("mean_latency", arrival_rate=TINY), rel=1e-6)
    assert hp.evaluate("host_cores", arrival_rate=TINY) == pytest.approx(0.0, abs=1e-5)


@pytest.mark.parametrize("mode", WAKEUP_MODES)
def test_capacity_gains_only_the_suppressed_interrupts(mode):
    """At saturation no request finds the vCPU idle, and those that find NAPI's poll window open skip
    their interrupt exits (techniques/interrupt_window.py), so the guest saturates above the first model;
    with posted interrupts nothing is suppressed."""
    def limit(name, **flags):
        return Model(techniques.get(name, **flags), "small_packet_rr").evaluate("throughput_limit")

    assert limit("sriov", posted_interrupts=True, wakeups=mode) == pytest.approx(
        limit("sriov", posted_interrupts=True, wakeups="off"), rel=1e-12)
    tech = techniques.get("hardware_assist", wakeups=mode)
    suppressed = tech.first_model(symbols_for(type(tech)))[1]
    assert sp.sympify(suppressed.mean) != 0   # interrupt exits without posted interrupts
    if mode == "off":
        assert limit("hardware_assist", wakeups=mode) < limit("hardware_assist")   # the default suppresses
    else:
        assert limit("hardware_assist", wakeups=mode) > limit("hardware_assist", wakeups="off")


@settings(max_examples=60, deadline=None)
@given(a=st.floats(1e-3, 1.0), b=st.floats(0.0, 10.0), u1=st.floats(0.0, 0.99), u2=st.floats(0.0, 0.99))
def test_idle_probability_laws(a, b, u1, u2):
    lo, hi = sorted((u1 / a, u2 / a))
    p_lo, p_hi = idle_probability(lo, a, b), idle_probability(hi, a, b)
    assert 0 <= p_hi <= p_lo <= 1                                  # falls with load, a probability
    rho = hi * (a + b * p_hi)
    assert rho == pytest.approx(1 - p_hi, abs=1e-12)               # the fixed point
    assert (b == 0) or setup_delay(hi, b, b * b, 0)[0] <= b + 1e-15      # the setup term never exceeds b


@settings(max_examples=25, deadline=None)
@given(u1=st.floats(0.01, 0.95), u2=st.floats(0.01, 0.95))
def test_model_cpu_per_request_falls_with_load(u1, u2):
    m = Model(techniques.get("paravirtual", wakeups="on"), "small_packet_rr")
    limit = m.evaluate("throughput_limit")
    lo, hi = sorted((u1, u2))
    assert m.evaluate("cpu_per_request", arrival_rate=hi * limit) <= \
        m.evaluate("cpu_per_request", arrival_rate=lo * limit) * (1 + 1e-12)
