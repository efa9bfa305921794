"""A container root file system shared over virtio-9p (techniques/shared_fs_9p.py) on hardware_assist.

Checks: ``shared_fs="none"`` (the default) is the previous model exactly, whatever the 9p parameters;
no 9p requests is the previous model (limiting case); the guest's demand and the CPU per request against
a hand computation (wake-ups off: fixed costs; then on); the calibration (the measured round trip is
the hold of the reported model); monotone in the requests per request and their time, the NumPy path
equal to scalar calls; the throughput bound of the held vCPUs; the symbolic formula; the station
network against the discrete-event oracle; bad values; the requirement's settings, without computing
the row it is for.
"""

from __future__ import annotations

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.shared_fs_9p import SHARED_FS_MODES, request_time_from_round_trip
from virtmodel.workload import Workload

METRICS = ("mean_latency", "latency_variance", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores",
           "overhead", "guest_cores_left")
PLATFORM = Platform(cores=16, vcpus=4)
#: a small web request: one packet in, one out, one receive interrupt, no disk
WEB = Workload(arrival_rate=2000.0, io_ops=2, io_interrupts=1)


def _tech(**kw):
    return get("hardware_assist", **kw)


def _guest_demand(tech, workload=WEB, platform=PLATFORM):
    return Model(tech, workload, platform).station_table().loc["guest", "demand"]


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("wakeups", ["off", "on"])
def test_none_is_the_previous_model_and_ignores_the_9p_parameters(metric, wakeups):
    base = _tech(wakeups=wakeups)
    assert base.shared_fs == "none" and set(SHARED_FS_MODES) == {"none", "9p"}
    old = Model(base, "web_serving", PLATFORM).evaluate(metric)
    changed = base.replace(ninep_requests=500.0, ninep_request_time=1e-3)
    assert Model(changed, "web_serving", PLATFORM).evaluate(metric) == pytest.approx(old, rel=1e-12, nan_ok=True)


@pytest.mark.parametrize("metric", METRICS)
def test_no_9p_requests_is_the_previous_model(metric):
    old = Model(_tech(), WEB, PLATFORM).evaluate(metric)
    none = Model(_tech(shared_fs="9p", ninep_requests=0.0), WEB, PLATFORM).evaluate(metric)
    assert none == pytest.approx(old, rel=1e-12)


def test_the_hold_by_hand_with_fixed_costs():
    """Wake-ups off: each 9p request holds the vCPU for one kick exit, the interrupt's exits and t_9p."""
    off = _tech(wakeups="off")
    on9p = off.replace(shared_fs="9p")
    f = PLATFORM.clock_hz
    t_x = (off.exit_cycles + off.exit_handling_cycles) / f
    hold = (1 + off.exits_per_interrupt) * t_x + off.ninep_request_time
    n = off.ninep_requests
    assert (n, off.exits_per_interrupt) == (36.0, 2.0)
    assert _guest_demand(on9p) - _guest_demand(off) == pytest.approx(n * hold, rel=1e-9)
    # only the exits are CPU: the held wait is taken out of the CPU metrics; the host is untouched
    cpu = Model(on9p, WEB, PLATFORM).evaluate("cpu_per_request") - Model(off, WEB, PLATFORM).evaluate("cpu_per_request")
    assert cpu == pytest.approx(n * (1 + off.exits_per_interrupt) * t_x, rel=1e-9)
    assert Model(on9p, WEB, PLATFORM).evaluate("host_cores") == pytest.approx(
        Model(off, WEB, PLATFORM).evaluate("host_cores"), rel=1e-12)
    # the guest's cores (all VMs): the exits at each VM's arrival rate
    extra_cores = Model(on9p, WEB, PLATFORM).evaluate("guest_cores") - Model(off, WEB, PLATFORM).evaluate("guest_cores")
    assert extra_cores == pytest.approx(
        PLATFORM.vms * WEB.arrival_rate * n * (1 + off.exits_per_interrupt) * t_x, rel=1e-9)


def test_the_hold_with_wakeups_on_adds_both_wake_ups_and_counts_them_on_the_host():
    on = _tech()
    on9p = on.replace(shared_fs="9p")
    f = PLATFORM.clock_hz
    t_x = (on.exit_cycles + on.exit_handling_cycles) / f
    wakes = on.vcpu_wake_time + on.backend_wake_time
    n = on.ninep_requests
    hold = (1 + on.exits_per_interrupt) * t_x + on.ninep_request_time + wakes
    assert _guest_demand(on9p) - _guest_demand(on) == pytest.approx(n * hold, rel=1e-9)
    cpu = Model(on9p, WEB, PLATFORM).evaluate("cpu_per_request") - Model(on, WEB, PLATFORM).evaluate("cpu_per_request")
    assert cpu == pytest.approx(n * ((1 + on.exits_per_interrupt) * t_x + wakes), rel=1e-9)
    host = Model(on9p, WEB, PLATFORM).evaluate("host_cores") - Model(on, WEB, PLATFORM).evaluate("host_cores")
    assert host == pytest.approx(PLATFORM.vms * WEB.arrival_rate * n * wakes, rel=1e-9)


@pytest.mark.parametrize("round_trip, clock_hz, name", [
    (1e-6, 3e9, "round_trip"),            # shorter than the kick, the exits and the wake-ups (11 us)
    (float("nan"), 3e9, "round_trip"),
    ("115e-6", 3e9, "round_trip"),         # a string is not a time
    (115e-6, 0.0, "clock_hz"),
    (115e-6, float("inf"), "clock_hz"),
])
def test_the_calibration_refuses_a_round_trip_it_cannot_explain(round_trip, clock_hz, name):
    with pytest.raises(ParameterError, match=name) as err:
        request_time_from_round_trip(round_trip, _tech(shared_fs="9p"), clock_hz)
    assert err.value.parameter == name


def test_the_calibration_is_the_measured_round_trip_of_the_reported_model():
    tech = _tech(shared_fs="9p")
    round_trip = 1 / (6492 + 2169)  # kata-containers/runtime#2815: reads + writes per second, one in flight
    assert round_trip == pytest.approx(115.46e-6, rel=1e-4)
    assert request_time_from_round_trip(round_trip, tech, 3e9) == pytest.approx(tech.ninep_request_time, rel=1e-4)
    t_x = (tech.exit_cycles + tech.exit_handling_cycles) / 3e9
    by_hand = (1 + tech.exits_per_interrupt) * t_x + tech.ninep_request_time + tech.vcpu_wake_time + \
        tech.backend_wake_time
    assert by_hand == pytest.approx(round_trip, rel=1e-4)
    # the model's hold at 3 GHz is that round trip: the guest's demand grows by n_9p of it
    clock = Platform(cores=16, vcpus=4, clock_hz=3e9)
    grown = _guest_demand(tech, platform=clock) - _guest_demand(_tech(), platform=clock)
    assert grown == pytest.approx(tech.ninep_requests * round_trip, rel=1e-4)
    # the plain VM's cache=none run of the same issue is faster: a lower value, not used
    assert (3070 + 1026) * 256 / 71.26 > 1 / round_trip


def test_monotone_in_requests_and_their_time_and_numpy_is_scalar():
    model = Model(_tech(shared_fs="9p"), WEB.replace(arrival_rate=500.0), PLATFORM)
    counts = np.array([0.0, 6.0, 20.0, 36.0, 50.0])
    limit = model.evaluate("throughput_limit", ninep_requests=counts)
    latency = model.evaluate("mean_latency", ninep_requests=counts)
    assert np.all(np.diff(limit) < 0)
    finite = latency[np.isfinite(latency)]
    assert len(finite) >= 3 and np.all(np.diff(finite) > 0)
    for i, n in enumerate(counts):
        assert limit[i] == pytest.approx(model.evaluate("throughput_limit", ninep_requests=float(n)), rel=1e-12)
    times = model.evaluate("throughput_limit", ninep_request_time=np.array([0.0, 50e-6, 100e-6, 200e-6]))
    assert np.all(np.diff(times) < 0)


def test_the_held_vcpus_bound_the_throughput():
    tech = _tech(shared_fs="9p", wakeups="off")
    model = Model(tech, WEB, PLATFORM)
    t_x = (tech.exit_cycles + tech.exit_handling_cycles) / PLATFORM.clock_hz
    held = tech.ninep_requests * ((1 + tech.exits_per_interrupt) * t_x + tech.ninep_request_time)
    assert model.station_table()["utilization"].idxmax() == "guest"
    assert model.evaluate("throughput_limit") <= PLATFORM.vcpus / held * (1 + 1e-12)
    # a slow server: the limit tends to the vCPUs over the held time alone
    slow = Model(tech.replace(ninep_request_time=1.0), WEB, PLATFORM).evaluate("throughput_limit")
    assert slow == pytest.approx(PLATFORM.vcpus / (tech.ninep_requests * 1.0), rel=1e-3)


def test_the_symbolic_formula_names_the_9p_terms_only_with_9p():
    names = lambda e: {str(x) for x in e.free_symbols}  # noqa: E731
    on = Model(_tech(shared_fs="9p"), WEB, PLATFORM).expression("throughput_limit").expr
    off = Model(_tech(), WEB, PLATFORM).expression("throughput_limit").expr
    assert {"ninep_requests", "ninep_request_time"} <= names(on)
    assert not {"ninep_requests", "ninep_request_time"} & names(off)


@pytest.mark.slow
def test_the_9p_hold_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    tech = _tech(shared_fs="9p")
    base = Model(tech, WEB, PLATFORM)
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, WEB.replace(arrival_rate=rate), PLATFORM)
    assert model.station_table()["utilization"].idxmax() == "guest"  # the held vCPUs bind
    sim, delay = simulate_model(model, customers=40_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


@pytest.mark.parametrize("kw, named", [
    (dict(shared_fs="nfs"), "shared_fs"), (dict(shared_fs=9), "shared_fs"),
    (dict(ninep_requests=-1.0), "ninep_requests"), (dict(ninep_request_time=float("nan")), "ninep_request_time"),
    (dict(ninep_request_time=-1e-6), "ninep_request_time"),
])
def test_bad_values_are_named(kw, named):
    with pytest.raises(ParameterError, match=named):
        _tech(**kw)


def test_the_requirement_stands_for_9p_on_its_recipe_only():
    from virtmodel.validation import applications

    assert "shared_fs_9p" in applications.SUPPORTED_MECHANISMS
    assert applications.REQUIREMENT_SETTINGS["shared_fs_9p"] == {"shared_fs": "9p"}
    recipes = applications.recipes()
    named = sorted(k for k, r in recipes.items() if "shared_fs_9p" in r["requires"])
    assert named == ["kata_overlay_qps2018.overlay2"]
    for key in named:  # read, not computed: the technique the harness would build
        settings = applications._recipe_settings(recipes[key])
        assert settings == {"shared_fs": "9p", "io_path": "virtio", "host_switch": "bridge_nat"}
        assert get(recipes[key]["technique"], **settings).shared_fs == "9p"
    # the reference (runc) never takes it, and no recipe sets the flag itself
    assert not any("shared_fs" in r["technique_params"] for r in recipes.values())
    assert "shared_fs" not in applications._reference_settings(recipes[named[0]])
