"""The sandbox's user-space network stack (techniques/netstack.py) on syscall_intercept.

Checks: the host network and zero costs are the model before the station exactly (values recorded
from the previous model's code, tests/data/golden_syscall_intercept_host.json); the station's demand
and its M/G/1 response against the closed form; the calibration reproduces the two tcp_benchmark
rates it came from; the GSO limiting cases (messages of one packet, GSO off, one segment per message);
heavy and light load; disk block requests; the symbolic formula; bad input; the simulation oracle.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.queueing import mg1
from virtmodel.techniques import get
from virtmodel.techniques.netstack import netstack_units
from virtmodel.workload import Workload

GOLDEN = pathlib.Path(__file__).parents[1] / "data" / "golden_syscall_intercept_host.json"
METRICS = ("mean_latency", "throughput_limit", "host_cores", "guest_cores", "cpu_per_request", "p99")
PLATFORM = Platform(cores=4, vcpus=2, clock_hz=2.2e9)
#: a bulk stream of 64 KiB sends on a wide wire, so the stack's station is what binds
BULK = Workload(arrival_rate=1000.0, cpu_time=20e-6, syscalls=1, io_ops=44, io_bytes=1500, io_interrupts=4,
                message_packets=44)
WIDE = Platform(cores=4, vcpus=4, clock_hz=2.2e9, device_bandwidth=1e12)


def _golden_cases():
    golden = json.loads(GOLDEN.read_text())
    for key, values in golden.items():
        platform_name, preset = key.split("/")
        yield key, platform_name, preset, values


@pytest.mark.parametrize("key, platform_name, preset, values", list(_golden_cases()), ids=lambda v: str(v)[:30])
def test_the_host_network_and_zero_costs_are_the_previous_model_exactly(key, platform_name, preset, values):
    flash = preset.endswith("+flash")
    preset = preset.removesuffix("+flash")
    platform = Platform(disk="flash") if flash else PLATFORM
    host = get("syscall_intercept", platform=platform_name, sandbox_network="host")
    free = get("syscall_intercept", platform=platform_name, netstack_unit_time=0.0, netstack_byte_time=0.0)
    for tech in (host, free):
        model = Model(tech, preset, platform)
        for metric in METRICS:
            assert model.evaluate(metric) == pytest.approx(values[metric], rel=1e-12, abs=1e-15), (key, metric)


def test_the_station_demand_and_its_response_are_the_closed_form():
    tech = get("syscall_intercept")
    model = Model(tech, BULK, WIDE)
    row = model.station_table().loc["netstack"]
    units = min(44, max(44 / 44, 44 * 1500 / 65536))
    demand = units * tech.netstack_unit_time + 44 * 1500 * tech.netstack_byte_time
    assert row["demand"] == pytest.approx(demand, rel=1e-12)
    assert row["servers"] == 1
    assert row["arrival_rate"] == pytest.approx(BULK.arrival_rate, rel=1e-12)
    want = mg1(BULK.arrival_rate, demand, row["service_scv"])
    assert row["response_time"] == pytest.approx(float(want.response_time), rel=1e-12)
    # its busy time is host CPU: the Sentry is a host process
    host = Model(tech.replace(sandbox_network="host"), BULK, WIDE)
    assert model.evaluate("host_cores") - host.evaluate("host_cores") == pytest.approx(
        BULK.arrival_rate * WIDE.vms * demand, rel=1e-9)


@pytest.mark.parametrize("gso, payload, rate_mbit", [("off", 1500, 1214), ("on", 65536, 10825)])
def test_the_calibration_reproduces_the_tcp_benchmark_rates(gso, payload, rate_mbit):
    """One flow of sends of ``payload`` bytes in 1500-byte packets, bound by the stack's station: its
    rate is the tcp_benchmark rate the two costs were derived from (to the rounding of the costs)."""
    n = payload / 1500
    stream = Workload(arrival_rate=1.0, cpu_time=1e-9, syscalls=0, page_faults=0, pte_updates=0, context_switches=0,
                      io_ops=n, io_bytes=1500, io_interrupts=0, message_packets=n)
    model = Model(get("syscall_intercept", netstack_gso=gso), stream, WIDE)
    assert model.station_table()["capacity"].idxmin() == "netstack"
    bits_per_second = model.evaluate("throughput_limit") * payload * 8
    assert bits_per_second == pytest.approx(rate_mbit * 1e6, rel=2e-3)


def test_gso_limiting_cases():
    on, off = get("syscall_intercept"), get("syscall_intercept", netstack_gso="off")
    singles = BULK.replace(message_packets=1)  # every packet a message of its own: nothing to coalesce
    assert Model(on, singles, WIDE).station_table().loc["netstack", "demand"] == pytest.approx(
        Model(off, singles, WIDE).station_table().loc["netstack", "demand"], rel=1e-12)
    small = BULK.replace(io_ops=10, message_packets=10)  # one message of 15 kB: one unit
    per_byte = 10 * 1500 * on.netstack_byte_time
    assert Model(on, small, WIDE).station_table().loc["netstack", "demand"] == pytest.approx(
        on.netstack_unit_time + per_byte, rel=1e-12)
    assert Model(off, small, WIDE).station_table().loc["netstack", "demand"] == pytest.approx(
        10 * on.netstack_unit_time + per_byte, rel=1e-12)
    # a segment as small as a packet is GSO off
    tiny = on.replace(netstack_gso_bytes=1500.0)
    assert Model(tiny, BULK, WIDE).evaluate("throughput_limit") == pytest.approx(
        Model(off, BULK, WIDE).evaluate("throughput_limit"), rel=1e-12)


def test_heavy_load_the_stack_caps_throughput_and_light_load_adds_its_service():
    tech = get("syscall_intercept")
    new, old = Model(tech, BULK, WIDE), Model(tech.replace(sandbox_network="host"), BULK, WIDE)
    demand = new.station_table().loc["netstack", "demand"]
    assert new.evaluate("throughput_limit") == pytest.approx(min(old.evaluate("throughput_limit"), 1 / demand),
                                                             rel=1e-12)
    lone = dict(arrival_rate=1e-9)
    assert new.evaluate("mean_latency", **lone) - old.evaluate("mean_latency", **lone) == pytest.approx(
        demand, rel=1e-6)
    # the application's CPU is not charged: same guest demand
    assert new.station_table().loc["guest", "demand"] == pytest.approx(
        old.station_table().loc["guest", "demand"], rel=1e-12)
    assert new.evaluate("mean_latency", arrival_rate=0.9 / demand) > old.evaluate("mean_latency",
                                                                                  arrival_rate=0.9 / demand)


def test_a_request_without_packets_never_visits_the_stack():
    tech = get("syscall_intercept")
    quiet = BULK.replace(io_ops=0, io_interrupts=0)
    assert Model(tech, quiet, WIDE).station_table().get("demand", {}).get("netstack", 0.0) == 0.0
    for metric in METRICS:
        assert Model(tech, quiet, WIDE).evaluate(metric) == pytest.approx(
            Model(tech.replace(sandbox_network="host"), quiet, WIDE).evaluate(metric), rel=1e-12), metric


def test_disk_block_requests_do_not_take_the_stack():
    tech = get("syscall_intercept")
    assert tech.block_io_view().sandbox_network == "host"
    disk_only = Workload(arrival_rate=100.0, io_ops=0, io_interrupts=0, file_reads=2, file_read_bytes=65536 * 4)
    flash = Platform(disk="flash")
    for metric in METRICS:
        assert Model(tech, disk_only, flash).evaluate(metric) == pytest.approx(
            Model(tech.replace(sandbox_network="host"), disk_only, flash).evaluate(metric), rel=1e-12), metric


def test_the_symbolic_formula_names_the_stack_costs_only_with_netstack():
    names = lambda e: {str(x) for x in e.free_symbols}  # noqa: E731
    on = Model(get("syscall_intercept"), BULK, WIDE).expression("throughput_limit").expr
    off = Model(get("syscall_intercept", sandbox_network="host"), BULK, WIDE).expression("throughput_limit").expr
    assert {"netstack_unit_time", "netstack_byte_time", "netstack_gso_bytes"} <= names(on)
    assert not {"netstack_unit_time", "netstack_byte_time"} & names(off)


def test_the_unit_count_is_the_segment_count_and_stays_symbolic():
    import sympy as sp

    n, b, k, size = sp.symbols("io_ops io_bytes message_packets netstack_gso_bytes", positive=True)
    s = type("S", (), dict(io_ops=n, io_bytes=b, message_packets=k, netstack_gso_bytes=size))
    on = netstack_units(get("syscall_intercept"), s)
    assert on.subs({n: 44, b: 1500, k: 44, size: 65536}) == sp.Rational(44 * 1500, 65536)
    assert netstack_units(get("syscall_intercept", netstack_gso="off"), s) == n


def test_the_costs_are_sourced_parameters():
    sources = get("syscall_intercept").parameter_sources()
    for name in ("netstack_unit_time", "netstack_byte_time", "netstack_gso_bytes"):
        assert sources[name] == "gvisor_gso2019", name


def test_bad_input_names_the_parameter():
    with pytest.raises(ParameterError, match="sandbox_network"):
        get("syscall_intercept", sandbox_network="hostinet")
    with pytest.raises(ParameterError, match="netstack_gso"):
        get("syscall_intercept", netstack_gso="yes")
    with pytest.raises(ParameterError, match="netstack_unit_time"):
        get("syscall_intercept", netstack_unit_time=-1.0)
    with pytest.raises(ParameterError, match="netstack_gso_bytes"):
        Model(get("syscall_intercept"), BULK, WIDE).evaluate("throughput_limit", netstack_gso_bytes=0.0)


def test_the_stack_station_agrees_with_the_simulation_oracle():
    """The discrete-event oracle, fed the model's stations, agrees with the closed form at 60% of the
    stack's capacity (the stack is the busiest station)."""
    from virtmodel.model.simulation import simulate_model

    tech = get("syscall_intercept", netstack_gso="off")
    base = Model(tech, BULK, WIDE)
    model = Model(tech, BULK.replace(arrival_rate=0.6 * base.evaluate("throughput_limit")), WIDE)
    assert model.station_table()["capacity"].idxmin() == "netstack"
    sim, delay = simulate_model(model, customers=40_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)
