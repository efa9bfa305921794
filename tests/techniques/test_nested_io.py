"""A nested guest's I/O through L1's back-end and L1's own device (techniques/nested_io.py).

Checks: ``l1_io_path="passthrough"`` and a workload without I/O are the previous model exactly;
the L1 back-end's demand per request against a hand computation on the virtio, virtio_user,
emulated and virtio-MMIO paths and for disk block requests; single-level exits at L1 (the
exit multiplier does not enter); monotone in the L1 back-end's costs; the station network
with the L1 stage against the discrete-event oracle.
"""

import pytest

from virtmodel import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.nested_io import L1_RESOURCES, applies
from virtmodel.workload import Workload
from virtmodel import workloads

METRICS = ("mean_latency", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores", "overhead")
RR = workloads.get("small_packet_rr").replace(arrival_rate=2000.0)
BULK = workloads.get("bulk_transfer").replace(arrival_rate=500.0)
DISK_ONLY = Workload(arrival_rate=2000.0, io_ops=0, io_interrupts=0, file_reads=1, file_read_bytes=4096,
                     page_cache_hit_ratio=0.0, disk_writes=0.5, disk_write_bytes=4096)
PLAT = Platform()
FLASH = Platform(disk="flash")


def _pair(**kw):
    """The two-level technique and the same with multi-level device assignment (the previous model)."""
    return get("nested", **kw), get("nested", l1_io_path="passthrough", **kw)


def _exit(t):
    """Seconds of one single-level exit (L1 to L0)."""
    return (t.exit_cycles + t.exit_handling_cycles) / PLAT.clock_hz


def test_the_default_is_two_back_ends_and_the_flag_is_checked():
    assert get("nested").l1_io_path == "virtio"
    assert applies(get("nested")) and not applies(get("nested", l1_io_path="passthrough"))
    assert not applies(get("hardware_assist"))  # single level: no L1
    with pytest.raises(ParameterError):
        get("nested", l1_io_path="assigned")


@pytest.mark.parametrize("metric", METRICS)
def test_passthrough_and_no_io_are_the_previous_model(metric):
    # no I/O: the L1 stage carries nothing (a CPU-only workload)
    cpu_only = RR.replace(io_ops=0, io_interrupts=0)
    two, one = _pair()
    assert Model(two, cpu_only, PLAT).evaluate(metric) == pytest.approx(
        Model(one, cpu_only, PLAT).evaluate(metric), rel=1e-12)
    # passthrough: L1's back-end resources are never loaded
    table = Model(one, RR, PLAT).station_table()
    assert "l1_vhost" not in table.index and "l1_iothread" not in table.index


@pytest.mark.parametrize("path, resource", [("virtio", "l1_vhost"), ("virtio_user", "l1_iothread")])
def test_the_l1_back_end_demand_is_the_hand_computation(path, resource):
    two, one = _pair(io_path=path)
    t, w = two, RR
    t_x = _exit(t)
    l0 = {"virtio": "vhost", "virtio_user": "iothread"}[path]
    before = Model(one, w, PLAT).station_table()
    # L0's back-end work per request (t_be, + the user-space model's system calls, + the payload copy)
    back_end = w.io_ops * (t.backend_time + (t.userspace_syscalls_per_io * t.host_syscall_cycles / PLAT.clock_hz
                                             if path == "virtio_user" else 0.0))
    assert before.loc[l0, "demand"] == pytest.approx(back_end, rel=0.02)  # the copy is small here
    expected = before.loc[l0, "demand"] + w.io_ops * t.virtio_exits_per_io * t_x + \
        w.io_interrupts * t.exits_per_interrupt * t_x
    table = Model(two, w, PLAT).station_table()
    assert table.loc[resource, "demand"] == pytest.approx(expected, rel=1e-9)
    assert L1_RESOURCES[l0] == resource
    got = Model(two, w, PLAT).evaluate("cpu_per_request") - Model(one, w, PLAT).evaluate("cpu_per_request")
    assert got == pytest.approx(expected, rel=1e-9)
    # the L2 side and L0's back-end are untouched
    for station in before.index:
        assert table.loc[station, "demand"] == pytest.approx(before.loc[station, "demand"], rel=1e-12)


def test_l1_exits_are_single_level_whatever_the_multiplier():
    loads = [Model(get("nested", exit_multiplier=m), BULK, PLAT).station_table().loc["l1_vhost", "demand"]
             for m in (1.0, 10.0, 40.0)]
    assert loads[0] == pytest.approx(loads[1], rel=1e-12) == pytest.approx(loads[2], rel=1e-12)


def test_mmio_interrupts_add_their_register_exits_at_l1():
    pci = Model(get("nested", io_path="virtio_user"), BULK, PLAT).station_table().loc["l1_iothread", "demand"]
    mmio_t = get("nested", io_path="virtio_user", virtio_transport="mmio")
    mmio = Model(mmio_t, BULK, PLAT).station_table().loc["l1_iothread", "demand"]
    per_irq = mmio_t.mmio_interrupt_accesses * (_exit(mmio_t) + mmio_t.userspace_exit_cycles / PLAT.clock_hz)
    assert mmio - pci == pytest.approx(BULK.io_interrupts * per_irq, rel=1e-9)


def test_an_emulated_l1_device_pays_its_register_exits_on_the_host_cores():
    two, one = _pair(io_path="emulated")
    t = two
    each = _exit(t) + t.userspace_exit_cycles / PLAT.clock_hz
    l0 = Model(one, RR, PLAT).station_table().loc["host", "demand"]  # L0's back-end: t_be and the copy
    assert l0 == pytest.approx(RR.io_ops * t.backend_time, rel=0.05)
    expected = l0 + RR.io_ops * t.emulated_exits_per_io * each + RR.io_interrupts * t.exits_per_interrupt * _exit(t)
    host = Model(two, RR, PLAT).station_table().loc["host", "demand"] - l0
    assert host == pytest.approx(expected, rel=1e-9)


def test_block_requests_cross_l1_too():
    two, one = _pair(io_path="virtio_user")
    t = two
    t_x = _exit(t)
    n_d = DISK_ONLY.file_reads * (1 - DISK_ONLY.page_cache_hit_ratio) + DISK_ONLY.disk_writes
    per = t.backend_time + t.userspace_syscalls_per_io * t.host_syscall_cycles / FLASH.clock_hz + \
        t.virtio_exits_per_io * t_x + t.exits_per_interrupt * t_x  # one interrupt per block request
    got = Model(two, DISK_ONLY, FLASH).evaluate("cpu_per_request") - \
        Model(one, DISK_ONLY, FLASH).evaluate("cpu_per_request")
    assert got == pytest.approx(n_d * per, rel=1e-9)


def test_a_dearer_l1_back_end_never_helps():
    rows = [Model(get("nested", backend_time=b), BULK, PLAT) for b in (0.0, 0.85e-6, 3e-6, 10e-6)]
    cpu = [m.evaluate("cpu_per_request") for m in rows]
    lat = [m.evaluate("mean_latency") for m in rows]
    cap = [m.evaluate("throughput_limit") for m in rows]
    assert cpu == sorted(cpu) and cpu[0] < cpu[-1]
    assert lat == sorted(lat) and lat[0] < lat[-1]
    assert cap == sorted(cap, reverse=True)
    exits = [Model(get("nested", exit_handling_cycles=c), BULK, PLAT).station_table().loc["l1_vhost", "demand"]
             for c in (0.0, 2216.0, 8000.0)]
    assert exits == sorted(exits) and exits[0] < exits[-1]


@pytest.mark.slow
def test_the_two_level_network_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    # a dear back-end (20 us per I/O, single queue): L1's stage is the bottleneck, L0's the next one;
    # at 30% of the limit both queue (the L1 stage's response 1.3x its demand) and the two-level network
    # is within 1.2% of the simulation. (At 60% the two back-to-back one-server stations are 4% above it:
    # the second sees the first's departures, smoother than Poisson, which the decomposition ignores.)
    plat = Platform(vcpus=4, cores=8)
    tech = get("nested", backend_time=20e-6)
    rate = 0.3 * Model(tech, RR, plat).evaluate("throughput_limit")
    model = Model(tech, RR.replace(arrival_rate=rate), plat)
    table = model.station_table()
    assert table.loc["l1_vhost", "utilization"] == pytest.approx(0.3)
    assert table.loc["l1_vhost", "response_time"] > 1.2 * table.loc["l1_vhost", "demand"]
    sim, delay = simulate_model(model, customers=60_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03)
