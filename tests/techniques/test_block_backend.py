"""A user-space block back-end's I/O engine (techniques/block_backend.py).

Checks: ``async`` (the default) is the previous model exactly (the disk's stations keep the disk's
service, the I/O thread its CPU work); ``sync`` at one outstanding request is the async mean (nothing
but the serialization changes); the sync capacity is :math:`1/(t_{\\mathrm{thr}} + S_{\\mathrm{disk}})`
by hand; the blocked time is not CPU; other paths ignore the flag; sync never serves more than async;
the sync station network against the discrete-event oracle.
"""

from types import SimpleNamespace

import pytest

from virtmodel.disk import service_moments, stage_moments
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.block_backend import ENGINES, blocking_thread, disk_loads
from virtmodel.workload import Workload

OPEN_METRICS = ("mean_latency", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores", "overhead",
                "low_load_slowdown", "latency_variance")
READS = Workload(arrival_rate=2000.0, io_ops=0, io_interrupts=0, file_reads=1, file_read_bytes=4096,
                 page_cache_hit_ratio=0.0)
MIXED = READS.replace(file_reads=0.5, disk_writes=0.5, disk_write_bytes=16384, disk_flushes=0.05)
FLASH = Platform(disk="flash", cores=16, vms=1)  # one VM on its disk (the module's exact case)


def _user(engine="async", technique="hardware_assist", **kw):
    return get(technique, io_path="virtio_user", block_engine=engine, **kw)


def _values(model):
    """The model's values as attributes (the symbols' numbers), for the disk's moment functions."""
    return SimpleNamespace(**model.values())


def _by_hand_disk(w, platform):
    """The disk's whole mean service per request, from the platform's figures (flash: access + b/B)."""
    p = platform
    n_r = w.file_reads * (1 - w.page_cache_hit_ratio)
    return (n_r * (p.disk_read_latency + w.file_read_bytes / p.disk_bandwidth)
            + w.disk_writes * (p.disk_write_latency + w.disk_write_bytes / p.disk_bandwidth)
            + w.disk_flushes * p.disk_flush_time)


def test_the_flag_and_where_it_acts():
    assert get("hardware_assist").block_engine == "async" and ENGINES == ("async", "sync")
    assert blocking_thread(_user("sync")) == "iothread"
    assert blocking_thread(_user("async")) is None
    assert blocking_thread(get("hardware_assist", block_engine="sync")) is None  # vhost: no user-space thread
    assert blocking_thread(get("nested", io_path="virtio_user", block_engine="sync")) == "iothread"
    with pytest.raises(ParameterError):
        get("hardware_assist", block_engine="blocking")


@pytest.mark.parametrize("technique", ["hardware_assist", "nested"])
@pytest.mark.parametrize("metric", OPEN_METRICS)
def test_async_is_the_previous_model(technique, metric):
    """The default and an explicit async are one model, whose disk stations carry the disk's stages."""
    default = Model(get(technique, io_path="virtio_user"), MIXED, FLASH)
    assert Model(_user("async", technique), MIXED, FLASH).evaluate(metric) == default.evaluate(metric)
    table = default.station_table()
    stages = stage_moments(_values(default), "flash")
    assert table.loc["disk", "demand"] == pytest.approx(stages["disk"][0], rel=1e-12)
    assert table.loc["disk_channel", "demand"] == pytest.approx(stages["disk_channel"][0], rel=1e-12)


def test_sync_moves_the_disk_service_onto_the_thread_by_hand():
    a = Model(_user("async"), MIXED, FLASH).station_table()
    s = Model(_user("sync"), MIXED, FLASH).station_table()
    disk_mean, disk_var = service_moments(_values(Model(_user("sync"), MIXED, FLASH)), "flash")
    assert disk_mean == pytest.approx(_by_hand_disk(MIXED, FLASH), rel=1e-12)
    assert "disk" not in s.index and "disk_channel" not in s.index
    assert s.loc["iothread", "demand"] == pytest.approx(a.loc["iothread", "demand"] + disk_mean, rel=1e-12)
    assert s.loc["iothread", "service_variance"] == pytest.approx(a.loc["iothread", "service_variance"] + disk_var,
                                                                  rel=1e-12)
    assert s.loc["iothread", "servers"] == 1
    assert s.loc["guest", "demand"] == a.loc["guest", "demand"]


def test_sync_capacity_is_one_over_thread_plus_disk_by_hand():
    tech = _user("sync")
    w = READS
    t = tech
    per_io = t.backend_time + t.userspace_syscalls_per_io * t.host_syscall_cycles / FLASH.clock_hz
    n_d = w.file_reads
    expected = 1 / (n_d * per_io + _by_hand_disk(w, FLASH))
    many_vcpus = FLASH.replace(vcpus=64)  # the vCPUs out of the way: the thread is the bottleneck
    got = Model(tech, w, many_vcpus).evaluate("throughput_limit")
    assert got == pytest.approx(expected, rel=1e-9)
    assert Model(_user("async"), w, many_vcpus).evaluate("throughput_limit") > 5 * got


@pytest.mark.parametrize("w", [READS, MIXED])
def test_one_outstanding_request_is_the_async_mean(w):
    """Depth 1: a closed loop of one user, and the open model as the load goes to 0: the same time in series."""
    one = w.replace(users=1, think_time=0.0)
    sync, asyn = Model(_user("sync"), one, FLASH), Model(_user("async"), one, FLASH)
    assert sync.evaluate("throughput") == pytest.approx(asyn.evaluate("throughput"), rel=1e-12)
    assert sync.evaluate("mean_latency") == pytest.approx(asyn.evaluate("mean_latency"), rel=1e-12)
    assert Model(_user("sync"), w, FLASH).evaluate("low_load_slowdown") == pytest.approx(
        Model(_user("async"), w, FLASH).evaluate("low_load_slowdown"), rel=1e-12)


def test_at_depth_sync_serves_less_and_never_more():
    light = FLASH.replace(vcpus=64)  # little guest CPU per I/O and many vCPUs: the back-end and disk decide
    deep = [READS.replace(cpu_time=3e-6, users=n, think_time=0.0) for n in (1, 2, 8, 32)]
    sync = [Model(_user("sync"), w, light).evaluate("throughput") for w in deep]
    asyn = [Model(_user("async"), w, light).evaluate("throughput") for w in deep]
    assert all(s <= a * (1 + 1e-12) for s, a in zip(sync, asyn))
    assert asyn[-1] > 5 * sync[-1]                        # async: the disk's 32 servers serve the depth
    cap = Model(_user("sync"), READS, light).evaluate("throughput_limit")
    assert sync == sorted(sync) and sync[-1] <= cap * (1 + 1e-9)   # sync: capped by 1/(t_thr + S_disk)
    # a busier open load queues longer at the one thread than at the 32-server disk
    light_reads = READS.replace(cpu_time=3e-6, arrival_rate=15000.0)
    assert Model(_user("sync"), light_reads, light).evaluate("mean_latency") > \
        Model(_user("async"), light_reads, light).evaluate("mean_latency")


@pytest.mark.parametrize("metric", ["cpu_per_request", "host_cores", "guest_cores", "guest_cores_left",
                                    "host_cores_per_100k_iops"])
def test_the_blocked_time_is_not_cpu(metric):
    assert Model(_user("sync"), MIXED, FLASH).evaluate(metric) == pytest.approx(
        Model(_user("async"), MIXED, FLASH).evaluate(metric), rel=1e-12)


@pytest.mark.parametrize("path", ["virtio", "emulated", "vhost_user", "virtio_pooled"])
def test_other_paths_ignore_the_flag(path):
    for metric in OPEN_METRICS:
        a = Model(get("hardware_assist", io_path=path, block_engine="sync"), MIXED, FLASH).evaluate(metric)
        b = Model(get("hardware_assist", io_path=path), MIXED, FLASH).evaluate(metric)
        assert a == b


def test_no_disk_no_change_and_the_loads_helper():
    net = Workload(arrival_rate=2000.0)
    for metric in OPEN_METRICS:
        assert Model(_user("sync"), net).evaluate(metric) == Model(_user("async"), net).evaluate(metric)
    s = _values(Model(_user("sync"), READS, Platform(disk="rotating")))
    assert set(disk_loads(_user("async"), s, "rotating")) == {"disk"}
    assert set(disk_loads(_user("sync"), s, "rotating")) == {"iothread"}


@pytest.mark.slow
def test_the_sync_thread_network_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    light, w = FLASH.replace(vcpus=8), MIXED.replace(cpu_time=3e-6)
    base = Model(_user("sync"), w, light)
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(base.technique, w.replace(arrival_rate=rate), light)
    assert model.station_table().loc["iothread", "utilization"] > 0.5  # the thread is the loaded station
    sim, delay = simulate_model(model, customers=60_000, seed=7)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03)
