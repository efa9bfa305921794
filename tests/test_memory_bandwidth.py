"""The host's memory bandwidth as a shared station (virtmodel.memory): limits, laws, the simulation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.errors import ParameterError
from virtmodel.memory import CACHE_LINE_BYTES
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import names
from virtmodel.workload import Workload

#: a streaming request: 0.4 GB moved, 1 ms of CPU, a TLB miss per 4 KiB page moved
STREAM = Workload(arrival_rate=10.0, cpu_time=1e-3, memory_bytes=4e8, tlb_misses=4e8 / 4096, io_ops=0,
                  io_interrupts=0, io_bytes=0, syscalls=0, interrupts=0, context_switches=0, page_faults=0)
BANDWIDTH = 7e10


def _platform(**kw):
    return Platform(memory="dram", memory_bandwidth=BANDWIDTH, **{"vms": 1, "vcpus": 8, **kw})


def test_no_memory_station_by_default_and_none_is_the_first_model():
    assert Platform().memory == "none" and "memory" not in [r.name for r in Platform().resources()]
    with pytest.raises(ParameterError, match="memory_bytes.*memory='dram'"):
        Model("sriov", STREAM, Platform(vms=1, vcpus=8))      # the bytes would be ignored: refused by name
    with pytest.raises(ParameterError, match="memory_bytes"):
        Model("sriov", STREAM.replace(memory_bytes=0.0), Platform()).evaluate("p99", memory_bytes=np.array([0, 1e6]))
    for tech in ("hardware_assist", "paravirtual", "sriov"):
        plain = Model(tech, STREAM.replace(memory_bytes=0.0), Platform(vms=1, vcpus=8))
        assert "memory" not in plain.stations()
        # memory="dram" with no memory traffic: the station is on the path (a structure), its demand 0,
        # and the numbers are those without it
        idle = Model(tech, STREAM.replace(memory_bytes=0.0), _platform())
        for metric in ("mean_latency", "p99", "throughput_limit", "guest_cores"):
            assert idle.evaluate(metric) == pytest.approx(
                Model(tech, STREAM.replace(memory_bytes=0.0), Platform(vms=1, vcpus=8)).evaluate(metric), rel=1e-12)


@pytest.mark.parametrize("tech", [t for t in names() if t != "emulation"])
def test_a_memory_bound_request_keeps_its_throughput_on_every_technique(tech):
    """While the memory binds, X_max = B / (V b) on every technique and natively: capacity ratio 1."""
    m = Model(tech, STREAM, _platform())
    assert m.evaluate("throughput_limit") == pytest.approx(BANDWIDTH / STREAM.memory_bytes, rel=1e-12)
    assert m.evaluate("capacity_ratio") == pytest.approx(1.0, rel=1e-12)
    assert m.evaluate("bottleneck") == "memory"


def test_the_vms_share_the_bandwidth_and_the_cpu_binds_again_when_the_traffic_is_small():
    limits = [Model("hardware_assist", STREAM, _platform(vms=v)).evaluate("throughput_limit") for v in (1, 2, 4)]
    np.testing.assert_allclose(limits, [BANDWIDTH / STREAM.memory_bytes / v for v in (1, 2, 4)], rtol=1e-12)
    light = Model("hardware_assist", STREAM.replace(memory_bytes=4e5, tlb_misses=100), _platform())
    assert light.evaluate("bottleneck") == "guest"
    assert light.evaluate("capacity_ratio") < 1.0


def test_the_memory_time_is_the_bytes_over_the_bandwidth_with_a_line_count_spread():
    m = Model("native", STREAM.replace(arrival_rate=1e-6), _platform())
    idle = Model("native", STREAM.replace(arrival_rate=1e-6, memory_bytes=0.0), _platform())
    transfer = STREAM.memory_bytes / BANDWIDTH
    assert m.evaluate("mean_latency") - idle.evaluate("mean_latency") == pytest.approx(transfer, rel=1e-6)
    # compound Poisson line fills (count_dispersion 1): Var = (b / l) (l / B)^2
    extra_var = m.evaluate("latency_variance") - idle.evaluate("latency_variance")
    assert extra_var == pytest.approx(STREAM.memory_bytes / CACHE_LINE_BYTES * (CACHE_LINE_BYTES / BANDWIDTH) ** 2,
                                      rel=1e-4)


def test_the_symbolic_limit_names_the_bandwidth_and_gives_the_numbers():
    m = Model("hardware_assist", STREAM, _platform())
    formula = m.expression("throughput_limit")
    assert {"memory_bandwidth", "memory_bytes"} <= {s.name for s in formula.expr.free_symbols}
    capacity = m._derived.station("memory").capacity        # the memory's term of the limit
    values = m.values()
    number = float(capacity.subs({s: values[s.name] for s in capacity.free_symbols}))
    assert number == pytest.approx(BANDWIDTH / STREAM.memory_bytes, rel=1e-12)


def test_bad_memory_input_is_named():
    with pytest.raises(ParameterError, match="memory"):
        Platform(memory="hbm")
    with pytest.raises(ParameterError, match="memory_bandwidth"):
        Platform(memory="dram", memory_bandwidth=0.0)
    with pytest.raises(ParameterError, match="memory_bandwidth"):
        Platform(memory="dram", memory_bandwidth=float("nan"))
    with pytest.raises(ParameterError, match="memory_bytes"):
        Workload(memory_bytes=-1.0)
    with pytest.raises(ParameterError, match="memory_bytes"):
        Model("sriov", STREAM, _platform()).evaluate("mean_latency", memory_bytes=np.array([1.0, -2.0]))


@pytest.mark.slow
@pytest.mark.parametrize("vms", [1, 3])
def test_network_with_the_memory_station_agrees_with_the_simulation(vms):
    """The model's mean against an event simulation of its stations: the vCPUs (FCFS) and the shared memory
    (one PS server; its mean is insensitive to the service law, so exponential service in the simulation
    stands for the model's near-constant transfer)."""
    from virtmodel.model.simulation import simulate_model
    from virtmodel.simulate import simulate_multiclass_network

    base = Model("hardware_assist", STREAM.replace(cpu_scv=1.0, count_dispersion=0.0), _platform(vms=vms))
    model = Model(base.technique, base.workload.replace(arrival_rate=0.7 * base.evaluate("throughput_limit")),
                  base.platform)
    table = model.station_table()
    assert list(table.index[table["demand"] > 0]) == ["guest", "memory"]
    lam = model.workload.arrival_rate
    # the VMs' arrivals as one class, their vCPUs pooled (8 per VM; at 5% busy their waits are below 0.1% of
    # the response), then the shared memory
    sim = simulate_multiclass_network([vms * lam], [0], [[table.loc["guest", "demand"]], [table.loc["memory", "demand"]]],
                                      [8 * vms, 1], disciplines=["FCFS", "PS"], customers=60_000, seed=3)
    # (guest service exponential in both: cpu_scv 1, fixed counts; every VM's class the same mean)
    expected = model.evaluate("mean_latency") - table.attrs["delay"]
    assert sim.system_response_time.contains([expected], 0.99, rtol=0.03)
    with pytest.raises(ParameterError, match="processor-sharing"):
        simulate_model(model)


@settings(max_examples=40, deadline=None)
@given(tech=st.sampled_from(names()), b=st.lists(st.floats(0.0, 1e9), min_size=2, max_size=2),
       bw=st.floats(1e9, 1e12), vms=st.integers(1, 8))
def test_more_memory_traffic_never_helps(tech, b, bw, vms):
    """Laws: more bytes per request never lowers the latency or raises the limit; the limit is at most B/(V b)."""
    m = Model(tech, STREAM.replace(arrival_rate=1.0), Platform(memory="dram", memory_bandwidth=bw, vms=vms, vcpus=8))
    lo, hi = sorted(b)
    fast, slow = m.evaluate("mean_latency", memory_bytes=np.array([lo, hi]))
    assert slow >= fast * (1 - 1e-12)
    more, less = m.evaluate("throughput_limit", memory_bytes=np.array([lo, hi]))
    assert less <= more * (1 + 1e-12)
    if hi > 0:
        assert less <= bw / (vms * hi) * (1 + 1e-12)


def test_a_streaming_neighbour_slows_a_small_request_by_the_shared_load_only():
    """On a Host, the memory is one PS server with a class per group: a small request's memory time is its own
    transfer over 1 - rho (rho of every group), not the wait behind a large transfer (FCFS would give that)."""
    from virtmodel.host import Host, VMGroup

    web = Workload(arrival_rate=100.0, cpu_time=3e-4, memory_bytes=1e6, io_ops=0, io_interrupts=0)
    stream = STREAM.replace(arrival_rate=50.0)
    platform = Platform(memory="dram", memory_bandwidth=BANDWIDTH, cores=16)
    alone = Host([VMGroup("hardware_assist", web, 4)], platform)
    shared = Host([VMGroup("hardware_assist", web, 4), VMGroup("hardware_assist", stream, 2)], platform)
    (one,), (small, big) = alone.results(), shared.results()
    assert one.mean_latency == pytest.approx(Model("hardware_assist", web, platform.replace(vms=4))
                                             .evaluate("mean_latency"), rel=1e-9)
    rho = (4 * 100.0 * 1e6 + 2 * 50.0 * 4e8) / BANDWIDTH
    assert small.stations["memory"][0] == pytest.approx(1e6 / BANDWIDTH / (1 - rho), rel=1e-9)
    assert big.stations["memory"][0] == pytest.approx(4e8 / BANDWIDTH / (1 - rho), rel=1e-9)
    assert small.mean_latency > one.mean_latency
    assert small.stations["memory"][0] < 1e-4 < 4e8 / BANDWIDTH      # far below one large transfer


def test_a_closed_loop_of_streams_reaches_the_bandwidth():
    """Closed (users > 0): MVA's throughput rises toward B/b with the users, Little's law holds, and the
    memory's spread is an exponential server's (processor sharing is insensitive), so its p99 is finite."""
    m = Model("hardware_assist", STREAM.replace(users=1, arrival_rate=0.0), _platform())
    xs = [m.evaluate("throughput", users=n) for n in (1, 4, 16, 64)]
    assert all(a <= b * (1 + 1e-12) for a, b in zip(xs, xs[1:])) and xs[0] < xs[1]
    assert xs[-1] <= BANDWIDTH / STREAM.memory_bytes * (1 + 1e-9)
    assert xs[-1] == pytest.approx(BANDWIDTH / STREAM.memory_bytes, rel=0.02)
    for n, x in zip((1, 4, 16, 64), xs):
        assert m.evaluate("mean_latency", users=n) == pytest.approx(n / x, rel=1e-9)
    assert m.evaluate("mean_latency", users=16) < m.evaluate("p99", users=16) < np.inf


def test_the_memory_station_is_processor_sharing_and_the_others_fcfs():
    stations = {st.name: st.discipline for st in Model("hardware_assist", STREAM, _platform())._derived.stations}
    assert stations["memory"] == "ps" and stations["guest"] == stations["vhost"] == "fcfs"
