"""A hosted monitor's world switches per host interrupt and host tick (techniques/hosted_world_switch.py):
limiting cases, the exact terms, the guard, where it applies, and the simulation oracle
(simulate/world_switches.py)."""

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.simulate.world_switches import available_time, simulate_world_switches, wall_time
from virtmodel.techniques import binary_translation as bt
from virtmodel.techniques import get
from virtmodel.techniques._base import Load
from virtmodel.techniques.hosted_world_switch import tick_share, with_world_switches
from virtmodel.workload import Workload

ONE = Platform(clock_hz=2.4e9, cores=1, vms=1, vcpus=1, device_bandwidth=1.25e8)
HOSTED = get("binary_translation", io_path="hosted")
WORKLOADS = ("web_serving", "oltp", "kernel_build", "small_packet_rr", Workload(arrival_rate=100.0))
#: only user CPU time and device interrupts: the VMM's demand is D = cpu_time + n_irq c_ws / f
BARE = Workload(arrival_rate=100.0, cpu_time=200e-6, kernel_fraction=0.0, syscalls=0, page_faults=0,
                pte_updates=0, context_switches=0, register_writes=0, exceptions=0, interrupts=0, io_ops=0,
                io_interrupts=3, tlb_misses=0)
BARE_BT = HOSTED.replace(interrupt_cycles=0.0)


def _demands(tech, workload, **values):
    model = Model(tech, workload, ONE)
    return tech.demands(bt._Numbers({**model.values(), **values}))


def _guest(tech, workload):
    return Model(tech, workload, ONE).station_table().loc["guest", "demand"]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_zero_world_switch_cost_is_the_previous_model_exactly(workload, monkeypatch):
    free = HOSTED.replace(world_switch_cycles=0.0)
    after = _demands(free, workload)
    monkeypatch.setattr(bt, "with_world_switches", lambda tech, s, guest: guest)  # the model before it
    before = _demands(free, workload)
    assert after.loads.keys() == before.loads.keys()
    for name in before.loads:
        assert float(after.loads[name].mean) == float(before.loads[name].mean), name
        assert float(after.loads[name].var) == float(before.loads[name].var), name


def test_no_interrupts_and_no_ticks_leave_only_the_per_io_trip():
    quiet = HOSTED.replace(host_timer_hz=0.0)
    workload = Workload(arrival_rate=100.0, io_ops=6, io_interrupts=0)
    assert _guest(quiet, workload) == pytest.approx(_guest(quiet.replace(world_switch_cycles=0.0), workload),
                                                    rel=1e-15)
    # the per-I/O trip is still there: 6 x 16,640 cycles
    no_trip = quiet.replace(hosted_io_cycles=0.0)
    assert _guest(quiet, workload) - _guest(no_trip, workload) == pytest.approx(6 * 16640 / 2.4e9, rel=1e-12)


@pytest.mark.parametrize("workload", WORKLOADS)
def test_each_device_interrupt_costs_one_round_trip(workload):
    quiet = HOSTED.replace(host_timer_hz=0.0)
    n_irq = Model(quiet, workload, ONE).values()["io_interrupts"]
    extra = _guest(quiet, workload) - _guest(quiet.replace(world_switch_cycles=0.0), workload)
    assert extra == pytest.approx(n_irq * 6670 / 2.4e9, rel=1e-9, abs=1e-18)


@pytest.mark.parametrize("workload", WORKLOADS)
def test_ticks_stretch_the_vmm_demand_by_one_over_one_minus_their_share(workload):
    no_ticks = _guest(HOSTED.replace(host_timer_hz=0.0), workload)
    r = 100.0 * 6670 / 2.4e9
    assert _guest(HOSTED, workload) == pytest.approx(no_ticks / (1 - r), rel=1e-12)
    assert r == pytest.approx(2.779e-4, rel=1e-3)


def test_the_saturated_cpu_loses_the_ticks_share_of_its_time():
    fast = BARE_BT.replace(host_timer_hz=1000.0, world_switch_cycles=120_000.0)  # 50 us ticks: 5% of the CPU
    model = Model(fast, BARE, ONE)
    assert model.evaluate("bottleneck") == "guest"
    d1 = 200e-6 + 3 * 50e-6
    assert model.evaluate("throughput_limit") == pytest.approx((1 - 0.05) / d1, rel=1e-12)


def test_the_variance_counts_each_world_switch_as_an_event():
    s = bt._Numbers({"world_switch_cycles": 2400.0, "clock_hz": 2.4e9, "host_timer_hz": 1000.0,
                     "io_interrupts": 2.0})
    out = with_world_switches(HOSTED, s, Load(1e-3, 4e-7))
    t, r = 1e-6, 1e-3
    d_prime = (1e-3 + 2 * t) / (1 - r)
    assert float(out.mean) == pytest.approx(d_prime, rel=1e-12)
    assert float(out.var) == pytest.approx(4e-7 + (2 + 1000.0 * d_prime) * t**2, rel=1e-12)
    assert float(tick_share(s)) == pytest.approx(r, rel=1e-12)


@pytest.mark.parametrize("name", ["binary_translation", "emulation"])
def test_a_monitor_that_is_not_hosted_never_pays_it(name):
    tech = get(name)  # io_path="binary_emul": an ESX-style monitor owns the hardware
    costly = tech.replace(world_switch_cycles=1e6, host_timer_hz=1000.0)
    for workload in WORKLOADS:
        for metric in ("mean_latency", "throughput_limit", "cpu_per_request"):
            assert (Model(costly, workload, ONE).evaluate(metric, arrival_rate=0.1)
                    == Model(tech, workload, ONE).evaluate(metric, arrival_rate=0.1))
    expr = Model(tech, "web_serving", ONE).expression("cpu_per_request").expr
    assert not {"world_switch_cycles", "host_timer_hz"} & {str(x) for x in expr.free_symbols}


def test_the_hosted_formula_is_symbolic_in_both_parameters():
    expr = Model(HOSTED, "web_serving", ONE).expression("cpu_per_request").expr
    assert {"world_switch_cycles", "host_timer_hz"} <= {str(x) for x in expr.free_symbols}


def test_ticks_that_would_fill_the_cpu_are_refused_by_name():
    with pytest.raises(ParameterError, match="host_timer_hz"):
        Model(HOSTED.replace(host_timer_hz=400_000.0), "web_serving", ONE)
    with pytest.raises(ParameterError, match="host_timer_hz"):
        Model(HOSTED, "web_serving", ONE).evaluate("mean_latency", host_timer_hz=np.array([100.0, 1e6]))
    Model(HOSTED.replace(host_timer_hz=1e5), "web_serving", ONE)  # r = 0.28: allowed


def test_available_time_and_wall_time_are_inverse_outside_the_ticks():
    t = np.array([0.3e-3, 1.05e-3, 2.5e-3, 9.99e-3])
    a = available_time(t, 1e-3, 0.1e-3, 0.0)
    assert np.allclose(wall_time(a, 1e-3, 0.1e-3, 0.0), [0.3e-3, 1.1e-3, 2.5e-3, 9.99e-3])  # 1.05 ms is in a tick
    assert a[-1] == pytest.approx(9 * 0.9e-3 + 0.89e-3)


@pytest.mark.parametrize("rho", [0.3, 0.6])
def test_the_closed_form_agrees_with_the_simulated_cpu(rho):
    """Exaggerated so the mechanism shows: 50 us world switches, 1,000 ticks per second (5% of the CPU),
    3 device interrupts per request; the closed form is the M/G/1 CPU with the stretched demand."""
    tech = BARE_BT.replace(host_timer_hz=1000.0, world_switch_cycles=120_000.0)
    d_prime = (200e-6 + 3 * 50e-6) / 0.95
    rate = rho / d_prime
    model = Model(tech, BARE, ONE)
    sim = simulate_world_switches(rate, 200e-6, 1.0, 3, 50e-6, 1000.0, customers=300_000, warmup=30_000, seed=3)
    assert sim["capacity"] == pytest.approx(model.evaluate("throughput_limit"), rel=0.01)
    assert sim["span"] == pytest.approx(d_prime, rel=0.02)
    assert sim["response"] == pytest.approx(model.evaluate("mean_latency", arrival_rate=rate), rel=0.04)


def test_the_simulated_cpu_without_world_switches_is_the_plain_queue():
    sim = simulate_world_switches(2000.0, 200e-6, 1.0, 3, 0.0, 1000.0, customers=200_000, warmup=20_000, seed=1)
    assert sim["span"] == pytest.approx(200e-6, rel=0.02)
    assert sim["response"] == pytest.approx(200e-6 / (1 - 0.4), rel=0.04)  # M/M/1 at rho = 0.4


def test_the_values_are_the_published_records_and_their_arithmetic():
    from virtmodel.presets import measurement

    status = measurement("iopath.hosted.lance_status_inout").value
    factor = measurement("iopath.hosted.vmm_handled_out_vs_world_switch").value
    round_trip = measurement("iopath.hosted.world_switch_round_trip").value
    assert round_trip == pytest.approx(status / factor, rel=1e-12)
    assert measurement("iopath.hosted.world_switch_round_trip_cycles").value == pytest.approx(round_trip * 733, abs=1)
    assert HOSTED.world_switch_cycles == measurement("iopath.hosted.world_switch_round_trip_cycles").value
    # a lower bound of the round trip, below the whole trip of an I/O (22.7 us)
    assert round_trip < measurement("iopath.hosted.vmnet_transmit_per_packet").value
    assert HOSTED.host_timer_hz == measurement("host.linux24_x86_hz").value == measurement("host.linux24_x86_hz.love").value
