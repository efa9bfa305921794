"""The veth crossing of a bridged container (techniques/veth_crossing.py): the sourced value and the
microbenchmark behind it, the limiting cases (no hand-off wait = the previous container exactly; the
same delay at light and heavy load, nothing on any station), the symbolic formula, the discrete-event
oracle."""

from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.model.simulation import simulate_model
from virtmodel.platform import Platform
from virtmodel.presets.published import measurement
from virtmodel.techniques import get
from virtmodel.techniques._base import cycles, events, native_demands
from virtmodel.techniques.offload import carried_bytes, io_count
from virtmodel.techniques.veth_crossing import remote_idle, wake_delay
from virtmodel.symbols import symbols_for
from virtmodel.workload import Workload

RR = Workload(arrival_rate=2000.0, cpu_time=50e-6, io_ops=8, io_bytes=300, io_interrupts=2, message_packets=2)
PLATFORM = Platform(cores=8, vcpus=4, clock_hz=3.0e9)
METRICS = ("mean_latency", "throughput_limit", "host_cores", "guest_cores", "cpu_per_request", "p99")
BRIDGED = ("bridge_nat", "bridge")

# yang2017_docker_qperf (published_veth.json): qperf tcp_lat between two machines, both ends in containers
# (us, half a round trip)
QPERF_BRIDGE = measurement("veth.qperf_tcp_lat.two_hosts.bridge").value * 1e-6
QPERF_HOST = measurement("veth.qperf_tcp_lat.two_hosts.host").value * 1e-6
CROSSINGS_PER_ROUND_TRIP = 4  # two ends, a request in and a reply out at each


def _metrics(tech, workload=RR, platform=PLATFORM):
    model = Model(tech, workload, platform)
    return {m: model.evaluate(m) for m in METRICS}


def test_sourced_values():
    assert get("container").veth_handoff_time == 0.0
    assert get("container").rps_wake_time == pytest.approx(measurement("idle_state.c1e.exit_latency").value * 1e-6)


@pytest.mark.parametrize("clock", [2.4e9, 3.5e9])
def test_assumed_cycles_take_the_measured_crossing_within_its_residual(clock):
    """1.25 us per crossing measured (veth, bridge, NAT in all); the 3,500 cycles leave -0.21..+0.25 us."""
    per_crossing = 2 * (QPERF_BRIDGE - QPERF_HOST) / CROSSINGS_PER_ROUND_TRIP
    assert per_crossing == pytest.approx(1.25e-6)
    tech = get("container")
    residual = per_crossing - (tech.veth_bridge_cycles + tech.nat_cycles) / clock
    assert abs(residual) <= 0.25e-6 + 1e-12


@pytest.mark.parametrize("clock", [2.4e9, 3.5e9])
def test_model_adds_what_the_microbenchmark_measured_per_round_trip(clock):
    """One containerised end of a lone 1-byte round trip: the model's added latency against qperf's
    half of (bridge - host) round trip, within the residual above (0.25 us per crossing, two crossings)."""
    rr = Workload(arrival_rate=1.0, cpu_time=10e-6, io_ops=2, io_bytes=66, io_interrupts=1)
    platform = Platform(cores=16, vcpus=16, clock_hz=clock)
    added = Model(get("container"), rr, platform).evaluate("mean_latency") - \
        Model(get("container", network="host"), rr, platform).evaluate("mean_latency")
    measured_per_end = 2 * (QPERF_BRIDGE - QPERF_HOST) / 2
    assert abs(added - measured_per_end) <= 2 * 0.25e-6 + 1e-12


@pytest.mark.parametrize("network", BRIDGED)
@pytest.mark.parametrize("offload", ["off", "on"])
@pytest.mark.parametrize("proxy", ["off", "on"])
def test_no_wait_is_the_previous_container_exactly(network, offload, proxy):
    """With t_hand = 0 the demands are the previous formula's: native + n_x (c_veth [+ c_nat])/f on the
    guest (and the proxy's station when it is on), no added delay."""
    tech = get("container", network=network, segment_offload=offload, port_proxy=proxy)
    s = symbols_for(type(tech))
    per_packet = s.veth_bridge_cycles + (s.nat_cycles if network == "bridge_nat" else 0)
    previous = tech.with_proxy(native_demands(s).add(guest=events(io_count(tech, s, "veth"), cycles(s, per_packet))), s)
    now = tech.demands(s)
    assert now.loads == previous.loads
    assert sp.simplify(now.delay.subs(s.veth_handoff_time, 0) - previous.delay) == 0


@pytest.mark.parametrize("network", BRIDGED)
@pytest.mark.parametrize("share", [0.1, 0.9])
def test_wait_adds_n_crossings_times_t_at_any_load_and_nothing_else(network, share):
    t = 7e-6
    base = get("container", network=network)
    limit = Model(base, RR, PLATFORM).evaluate("throughput_limit")
    load = RR.replace(arrival_rate=share * limit)
    before, after = _metrics(base, load), _metrics(base.replace(veth_handoff_time=t), load)
    assert after["mean_latency"] - before["mean_latency"] == pytest.approx(RR.io_ops * t, rel=1e-9)
    for name in ("throughput_limit", "host_cores", "guest_cores", "cpu_per_request"):
        assert after[name] == pytest.approx(before[name], rel=1e-12), name


def test_segments_cross_whole():
    """With segmentation offload the crossings are the segments (the count the cycles are paid on)."""
    t = 5e-6
    bulk = Workload(arrival_rate=100.0, cpu_time=50e-6, io_ops=44, io_bytes=1500, io_interrupts=1, message_packets=44)
    tech = get("container", segment_offload="on")
    added = Model(tech.replace(veth_handoff_time=t), bulk, PLATFORM).evaluate("mean_latency") - \
        Model(tech, bulk, PLATFORM).evaluate("mean_latency")
    n_seg = bulk.io_ops * bulk.io_bytes / carried_bytes(bulk.io_bytes, tech.segment_bytes, bulk.message_packets)
    assert n_seg < 1.01  # 44 packets of 1500 B: about one 64 KiB segment, not 44 packets
    assert added == pytest.approx(n_seg * t, rel=1e-9)


def test_host_network_and_no_packets_add_nothing():
    t = 9e-6
    host = get("container", network="host")
    assert _metrics(host.replace(veth_handoff_time=t)) == _metrics(host)
    quiet = RR.replace(io_ops=0, io_interrupts=0)
    assert _metrics(get("container", veth_handoff_time=t), quiet) == _metrics(get("container"), quiet)


def test_symbolic_formula_names_the_handoff():
    """Structural: the bridged container's latency formula carries t_hand (at value 0), the host network's not."""
    bridged = Model(get("container"), RR, PLATFORM).expression("mean_latency").expr
    hosted = Model(get("container", network="host"), RR, PLATFORM).expression("mean_latency").expr
    assert any("hand" in str(x) for x in bridged.free_symbols), bridged.free_symbols
    assert not any("hand" in str(x) for x in hosted.free_symbols)


def test_negative_wait_is_refused_by_name():
    with pytest.raises(ParameterError, match="veth_handoff_time"):
        get("container", veth_handoff_time=-1e-6)


@pytest.mark.slow
def test_wait_stays_out_of_the_queues_in_simulation():
    """The discrete-event oracle runs the container's stations without the hand-off wait; the model's
    mean latency is the simulated sojourn plus the path's fixed delay, which carries n_x t_hand."""
    t = 20e-6
    tech = get("container", veth_handoff_time=t)
    rate = 0.7 * Model(tech, RR, PLATFORM).evaluate("throughput_limit")
    model = Model(tech, RR.replace(arrival_rate=rate), PLATFORM)
    native_delay = RR.io_ops * PLATFORM.device_latency
    sim, delay = simulate_model(model, customers=60_000, seed=5)
    assert delay == pytest.approx(native_delay + RR.io_ops * t, rel=1e-12)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


# --- receive packet steering (veth_backlog="rps"): the closed forms of techniques/notifications.py --------------
def test_rps_at_light_load_every_crossing_pays_the_whole_wake_up():
    tech = get("container", veth_backlog="rps")
    lone = RR.replace(arrival_rate=1e-3)
    added = Model(tech, lone, PLATFORM).evaluate("mean_latency") - Model(get("container"), lone, PLATFORM).evaluate("mean_latency")
    assert added == pytest.approx(RR.io_ops * tech.rps_wake_time, rel=1e-5)


def test_rps_idle_share_vanishes_as_the_core_saturates():
    tech = get("container", veth_backlog="rps")
    s = SimpleNamespace(arrival_rate=None, vcpus=4, io_ops=8, rps_wake_time=tech.rps_wake_time)
    work = 100e-6  # the container's work per request: a core saturates at vcpus / work = 40,000 requests/s
    shares = []
    for rate in (1e-6, 20_000.0, 39_000.0, 40_000.0):
        s.arrival_rate = rate
        shares.append(remote_idle(tech, s, work))
    assert shares[0] == pytest.approx(1.0, rel=1e-6)
    assert shares[0] > shares[1] > shares[2] > shares[3]
    assert shares[3] == pytest.approx(0.0, abs=1e-12)


def test_rps_adds_delay_only_and_nothing_on_the_stations():
    load = RR.replace(arrival_rate=0.5 * Model(get("container"), RR, PLATFORM).evaluate("throughput_limit"))
    local, rps = _metrics(get("container"), load), _metrics(get("container", veth_backlog="rps"), load)
    assert rps["mean_latency"] > local["mean_latency"]
    for name in ("throughput_limit", "host_cores", "guest_cores", "cpu_per_request"):
        assert rps[name] == pytest.approx(local[name], rel=1e-12), name


def test_rps_on_the_host_network_or_without_packets_adds_nothing():
    assert _metrics(get("container", network="host", veth_backlog="rps")) == _metrics(get("container", network="host"))
    quiet = RR.replace(io_ops=0, io_interrupts=0)
    assert _metrics(get("container", veth_backlog="rps"), quiet) == _metrics(get("container"), quiet)


def _core_with_wakeups(lam, work, wake, n=200_000, seed=7):
    """Mean response of one core fed Poisson crossings of fixed ``work``, which leaves idle ``wake`` after
    the arrival that finds it empty (and pays nothing otherwise); an independent event loop."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / lam, n)
    t, free, total, woken = 0.0, 0.0, np.zeros(n), 0
    for i, gap in enumerate(gaps):
        t += gap
        begin = t + wake if free <= t else free
        woken += free <= t
        free = begin + work
        total[i] = free - t
    keep = total[n // 10:]
    return keep.mean(), 3 * keep.reshape(20, -1).mean(axis=1).std(ddof=1) / np.sqrt(20), woken / n


@pytest.mark.parametrize("rho", [0.2, 0.8])
def test_rps_setup_delay_matches_a_simulated_waking_core(rho):
    """Delta_x against the event loop: the extra mean response of a core that wakes per busy period, over
    the same core without wake-ups (M/D/1); the share of woken crossings against p."""
    tech = get("container", veth_backlog="rps")
    work = 2e-6
    lam = rho / work
    with_wake, half, woken = _core_with_wakeups(lam, work, tech.rps_wake_time)
    without, half0, _ = _core_with_wakeups(lam, work, 0.0)
    s = SimpleNamespace(arrival_rate=lam, vcpus=1, io_ops=1, rps_wake_time=tech.rps_wake_time)
    one = get("container", veth_backlog="rps")
    assert with_wake - without == pytest.approx(float(wake_delay(one, s)), abs=half + half0 + 0.01 * tech.rps_wake_time)
    assert woken == pytest.approx(float(remote_idle(one, s, work)), abs=0.01)
