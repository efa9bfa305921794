"""The interrupt window (techniques/interrupt_window.py, queueing/polled_receiver.py): interrupts paid by
the requests that find NAPI's poll inactive. The closed form against its balances, the limits (receive
work = all the work: the previous wakeups="on"; no receive work and free notifications: an interrupt
per request; lambda -> 0), the saturation rate of a demand linear in the load, the model's capacity,
and the simulated poll-until-empty receive path (virtmodel/simulate/polled_receiver.py)."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel import techniques
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.queueing.mg1_exceptional import setup_delay
from virtmodel.queueing.polled_receiver import polled_idle, saturation_rate
from virtmodel.simulate.polled_receiver import simulate_polled_receiver
from virtmodel.symbols import symbols_for
from virtmodel.techniques._base import Load
from virtmodel.techniques.interrupt_window import never_negative, receive_work, window_terms
from virtmodel.techniques.notifications import idle_probability, receiver_terms

LAM, A, R, E, W = sp.symbols("lambda a r e w", nonnegative=True)


def test_closed_form_solves_both_balances():
    p, q = polled_idle(LAM, A, R, E, W)
    assert sp.simplify(1 - q - LAM * (R + E * q + W * p)) == 0    # the poll's window
    assert sp.simplify(1 - p - LAM * (A + E * q + W * p)) == 0    # the vCPU


def test_receive_work_equal_to_all_work_is_the_previous_on():
    p, q = polled_idle(LAM, A, A, E, W)
    assert sp.simplify(never_negative(p) - idle_probability(LAM, A, E + W)) == 0   # both clamped at 0
    assert sp.simplify(q - p) == 0
    old = receiver_terms(LAM, A, Load(E, 0), Load(W, 0))
    new = window_terms(LAM, A, A, Load(E, 0), Load(W, 0))
    for field in ("idle", "delay", "guest_work", "host_work"):
        assert sp.simplify(getattr(old, field) - getattr(new, field)) == 0
    assert sp.simplify(new.queued.mean) == 0


def test_no_receive_work_and_free_notifications_interrupt_every_request():
    p, q = polled_idle(LAM, A, 0, 0, 0)
    assert q == 1 and sp.simplify(p - (1 - LAM * A)) == 0


def test_light_load_every_request_interrupts_and_wakes():
    p, q = polled_idle(LAM, A, R, E, W)
    assert p.subs(LAM, 0) == 1 and q.subs(LAM, 0) == 1
    assert setup_delay(LAM, E + W, (E + W)**2, 0)[0].subs(LAM, 0) == E + W


@settings(max_examples=80, deadline=None)
@given(a=st.floats(1e-3, 1.0), share=st.floats(0.0, 1.0), e=st.floats(0.0, 2.0), w=st.floats(0.0, 2.0),
       u=st.floats(0.0, 0.999))
def test_probabilities_are_ordered_where_the_vcpu_is_stable(a, share, e, w, u):
    r = share * a
    k = float(saturation_rate(1, a + sp.Symbol("x") * e * (a - r), sp.Symbol("x")) or 1 / a)
    lam = u * k
    p, q = polled_idle(lam, a, r, e, w)
    assert -1e-12 <= p <= q + 1e-12 and q <= 1 + 1e-12
    assert 1 - p == pytest.approx(lam * (a + e * q + w * p), abs=1e-9)


def test_saturation_rate_is_the_root():
    x, alpha, beta, k = sp.symbols("x alpha beta k", positive=True)
    root = saturation_rate(k, alpha + beta * x, x)
    assert sp.simplify(root * (alpha + beta * root) - k) == 0
    assert saturation_rate(k, alpha + 0 * x, x) is None   # no load dependence: the caller keeps k / D
    with pytest.raises(ValueError, match="linear"):
        saturation_rate(k, alpha + beta * x**2, x)


def test_receive_work_is_the_guest_kernel_share():
    tech = techniques.get("hardware_assist", wakeups="on")
    s = symbols_for(type(tech))
    assert receive_work(s) == s.kernel_fraction * s.cpu_time


@pytest.mark.parametrize("name", ("hardware_assist", "paravirtual", "sriov", "nitro"))
def test_capacity_lies_between_the_first_model_and_suppression_while_busy(name):
    off = Model(techniques.get(name, wakeups="off"), "small_packet_rr")
    on = Model(techniques.get(name, wakeups="on"), "small_packet_rr")
    # suppression for as long as the vCPU is busy: the window is the whole vCPU (kernel share 1, no app work)
    limit_off, limit_on = off.evaluate("throughput_limit"), on.evaluate("throughput_limit")
    tech = on.technique
    s = symbols_for(type(tech))
    demands, suppressed = tech.first_model(s)
    if sp.sympify(suppressed.mean) == 0:  # posted interrupts (nitro): nothing to suppress
        assert limit_on == pytest.approx(limit_off, rel=1e-12)
        return
    assert limit_on > limit_off
    values = {getattr(s, name): value for name, value in on.values().items() if hasattr(s, name)}
    lam, vcpus = s.arrival_rate, on.values()["vcpus"]
    # at the limit the vCPU's queue is saturated: lambda D(lambda) = vcpus
    guest = tech.demands(s).guest.mean.subs({k: v for k, v in values.items() if k != lam})
    assert limit_on * float(guest.subs(lam, limit_on)) / vcpus == pytest.approx(1.0, rel=1e-9)
    base = float((demands.guest.mean - suppressed.mean).subs(values))
    assert limit_on < vcpus / base      # below suppression for as long as the vCPU is busy


CASES = [  # lambda, a, r, e, w, SCV of the receive work
    (0.3, 1.0, 1.0, 0.5, 0.5, 0.0),   # r = a: the previous model, exact
    (0.6, 1.0, 1.0, 0.2, 0.3, 1.0),
    (0.5, 1.0, 0.3, 0.2, 0.3, 0.0),
    (0.5, 1.0, 0.1, 0.02, 0.03, 0.0),
    (0.8, 1.0, 0.1, 0.02, 0.03, 0.0),
    (0.6, 1.0, 0.0, 0.3, 0.2, 0.0),   # no receive work: only interrupts and wake-ups hold the window
]


def model_response(lam, a, r, e, w, poll_scv):
    """The technique's form: the vCPU's queue at a + lambda (a - r) e (FCFS M/G/1), plus the setup term."""
    d = a + lam * (a - r) * e
    second = (a - r)**2 + poll_scv * r**2 + d**2          # exponential application work
    return lam * second / (2 * (1 - lam * d)) + d + setup_delay(lam, e + w, (e + w)**2, 0)[0]


@pytest.mark.parametrize("lam, a, r, e, w, poll_scv", CASES)
def test_against_the_simulated_poll_until_empty_receive_path(lam, a, r, e, w, poll_scv):
    sim = simulate_polled_receiver(lam, a, r, e, w, poll_scv=poll_scv, customers=2 * 10**5, seed=11)
    p, q = polled_idle(lam, a, r, e, w)
    assert sim.interrupts.contains(q, 0.999)
    assert sim.wakeups.contains(p, 0.999)
    got = model_response(lam, a, r, e, w, poll_scv)
    if r == a:  # Welch / Takagi: exact for one server
        assert sim.response_time.contains(got, 0.999)
    else:  # NAPI's poll preempts the application; the model keeps FCFS: low by up to a quarter here
        assert 0.70 * sim.response_time.mean < got < sim.response_time.mean


@pytest.mark.parametrize("kwargs, name", [
    (dict(poll_work=2.0), "poll_work"), (dict(interrupt=-1.0), "interrupt"), (dict(arrival_rate=0.0), "arrival_rate"),
])
def test_the_oracle_refuses_bad_input_by_name(kwargs, name):
    args = dict(arrival_rate=0.5, work=1.0, poll_work=0.5, interrupt=0.1, wake=0.1, **{})
    args.update(kwargs)
    with pytest.raises(ParameterError, match=name):
        simulate_polled_receiver(**args, customers=1000)


def test_station_capacity_uses_the_root_only_for_a_demand_linear_in_the_load():
    from virtmodel.model._derive import StationTerms
    from virtmodel.queueing.mgc import mgc_terms
    lam = sp.Symbol("lam", positive=True)
    linear = StationTerms("guest", mgc_terms(lam, 1 + lam, 0, 1), 1, "guest", 1, lam)
    assert float(linear.capacity) == pytest.approx((5**0.5 - 1) / 2, rel=1e-14)   # lam (1 + lam) = 1
    squared = StationTerms("guest", mgc_terms(lam, 1 + lam**2, 0, 1), 1, "guest", 1, lam)
    assert sp.simplify(squared.capacity - 1 / (1 + lam**2)) == 0     # not linear: c/D at the point's load
    assert squared.capacity.has(lam)
    fixed = StationTerms("guest", mgc_terms(lam, 2, 0, 1), 1, "guest", 1, lam)
    assert float(fixed.capacity) == 0.5


@pytest.mark.parametrize("name", ("hardware_assist", "paravirtual", "sriov"))
def test_a_longer_window_suppresses_more(name):
    """More receive work in the poll (a larger kernel share) keeps the window open longer: fewer
    interrupts at load, a higher throughput limit; even with no receive work the limit is above the first
    model's (arrivals during another's interrupt and wake-up find the window open)."""
    limits = []
    for share in (0.0, 0.4, 0.8):
        m = Model(techniques.get(name, wakeups="on"), "small_packet_rr")
        limits.append(m.evaluate("throughput_limit", kernel_fraction=share))
    assert limits[0] < limits[1] < limits[2]
    off = Model(techniques.get(name, wakeups="off"), "small_packet_rr").evaluate("throughput_limit")
    assert off < limits[0]
