"""The flash drive's shared transfer stage (virtmodel.disk: ``disk`` then ``disk_channel``).

Independent checks: a trace-driven simulation of the drive's parts (internal
servers, then one channel: virtmodel.simulate.flash_drive) fed with operations
sampled one by one; a closed-loop simulation at a fio-like queue depth against
the drive's ceilings; the data sheet's sequential bandwidth and depth IOPS; the
limits (infinite bandwidth: the single-station model; rotating: unchanged).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.disk import DISKS, service_moments, stage_moments, with_disk
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.presets import measurement
from virtmodel.queueing import ggc
from virtmodel.simulate import simulate_closed_network
from virtmodel.simulate.flash_drive import flash_drive_response_times
from virtmodel.workload import Workload

STORAGE = dict(file_reads=2.0, file_read_bytes=131072, page_cache_hit_ratio=0.5, disk_writes=1.0,
               disk_write_bytes=65536, disk_flushes=0.5)
QUIET = dict(cpu_time=1e-6, io_ops=0, io_interrupts=0)


def _flash(**kw):
    """The nvme_flash preset on one VM's platform, with ``kw`` changed after the preset's figures."""
    return with_disk(Platform(vms=1), "nvme_flash").replace(**kw)


def _reads(size, rate=1.0, **kw):
    """One uncached read of ``size`` bytes per request (fio's random reads, one per I/O)."""
    return Workload(arrival_rate=rate, file_reads=1.0, file_read_bytes=size, page_cache_hit_ratio=0.0,
                    **{**QUIET, **kw})


def test_flash_has_a_channel_and_a_rotating_disk_does_not():
    assert Model("native", Workload(**STORAGE), _flash()).stations()[-2:] == ("disk", "disk_channel")
    assert "disk_channel" not in Model("native", Workload(**STORAGE), with_disk(Platform(), "hdd_7200")).stations()


@pytest.mark.parametrize("disk", sorted(DISKS))
def test_the_stages_add_up_to_the_single_stations_service(disk):
    """Access plus transfer is the whole operation: means and (independent parts) variances add."""
    m = Model("native", Workload(arrival_rate=1.0, **STORAGE), with_disk(Platform(vms=1), disk))
    table = m.station_table()
    stations = [n for n in ("disk", "disk_channel") if n in table.index]
    values = m.values()

    class S:
        pass

    for k, v in values.items():
        setattr(S, k, v)
    mean, var = service_moments(S, DISKS[disk].medium)
    assert table.loc[stations, "demand"].sum() == pytest.approx(mean, rel=1e-12)
    parts = stage_moments(S, DISKS[disk].medium)
    assert set(parts) == set(stations)
    if DISKS[disk].medium == "rotating":  # one station: today's formula exactly
        assert table.loc["disk", "service_variance"] == pytest.approx(var, rel=1e-12)


def test_infinite_bandwidth_is_the_single_station_model():
    """B_d -> infinity: the channel empties and the drive is the single M/G/c station of its accesses."""
    w = Workload(arrival_rate=10000.0, **QUIET, **STORAGE)
    v = Model("native", w, _flash()).values()
    old = []
    for bandwidth in (3.5e9, 1e12, 1e18):
        table = Model("native", w, _flash(disk_bandwidth=bandwidth)).station_table()

        class S:
            pass

        for k, x in {**v, "disk_bandwidth": bandwidth}.items():
            setattr(S, k, x)
        mean, var = service_moments(S, "flash")  # the single station's load (today's model)
        single = ggc(10000.0, mean, 32, 1.0, var / mean**2).response_time
        tandem = table.loc["disk", "response_time"] + table.loc["disk_channel", "response_time"]
        old.append(abs(tandem / single - 1))
    assert old[0] > old[1] > old[2] and old[2] < 1e-9
    assert old[0] > 0.01  # a finite channel is a different model


def test_tiny_transfers_leave_the_access_station():
    w = _reads(1e-6, rate=100000.0)
    table = Model("native", w, _flash()).station_table()
    core = ggc(100000.0, 50e-6, 32, 1.0, 1.0)
    assert table.loc["disk", "response_time"] == pytest.approx(core.response_time, rel=1e-12)
    assert table.loc["disk_channel", "response_time"] < 1e-15


@pytest.mark.parametrize("size", [4096, 131072, 1 << 20])
def test_the_drives_ceilings(size):
    """Throughput: min(c / t_rd, B_d / b) operations per second, whatever the servers (no c B_d)."""
    t, bandwidth = 50e-6, 3.5e9
    for servers in (1, 32, 256):
        x = Model("native", _reads(size), _flash(disk_servers=servers, cores=512, vcpus=512)).evaluate(
            "throughput_limit")
        assert x == pytest.approx(min(servers / t, bandwidth / size), rel=1e-12)
        assert x * size <= bandwidth * (1 + 1e-12)


def test_ceilings_against_the_data_sheet():
    """4 KiB reads at depth: about the quoted 600K IOPS; 1 MiB sequential reads: the quoted 3.5 GB/s."""
    plat = _flash(cores=512, vcpus=512)
    iops = Model("native", _reads(4096), plat).evaluate("throughput_limit")
    assert iops == pytest.approx(measurement("storage.flash.qd32_randread_iops").value, rel=0.10)
    mbps = Model("native", _reads(1 << 20), plat).evaluate("throughput_limit") * (1 << 20) / 1e6
    assert mbps == pytest.approx(measurement("storage.flash.sequential_read").value, rel=1e-9)


def test_low_load_latency_is_unchanged():
    """At low load a read takes t_rd + b/B_d, as before: the channel adds no time without a queue."""
    m = Model("native", _reads(131072, rate=1e-3), _flash())
    table = m.station_table()
    assert table.loc[["disk", "disk_channel"], "response_time"].sum() == pytest.approx(
        50e-6 + 131072 / 3.5e9, rel=1e-6)


@pytest.mark.parametrize("size, depth", [(131072, 64), (4096, 256)])
def test_ceiling_against_a_closed_loop_at_depth(size, depth):
    """fio at a queue depth: ``depth`` operations cycle through 32 servers and the channel (simulation)."""
    t, xfer = 50e-6, size / 3.5e9
    sim = simulate_closed_network([t, xfer], population=depth, servers=[32, 1], customers=60_000, seed=4)
    x = Model("native", _reads(size), _flash(cores=512, vcpus=512)).evaluate("throughput_limit")
    assert sim.system_throughput.mean == pytest.approx(x, rel=0.06)
    assert sim.system_throughput.interval(0.99)[0] <= x  # a ceiling: the simulation does not beat it


def _sampled_stages(values, n, rng):
    """Per-request access and transfer times, sampled operation by operation (no formula of the model)."""
    reads = rng.binomial(rng.poisson(values["file_reads"], n), 1 - values["page_cache_hit_ratio"])
    writes, flushes = rng.poisson(values["disk_writes"], n), rng.poisson(values["disk_flushes"], n)
    access = reads * values["disk_read_latency"] + writes * values["disk_write_latency"] + \
        flushes * values["disk_flush_time"]
    transfer = (reads * values["file_read_bytes"] + writes * values["disk_write_bytes"]) / values["disk_bandwidth"]
    return access, transfer


def test_stage_moments_agree_with_sampling():
    m = Model("native", Workload(arrival_rate=1.0, **QUIET, **STORAGE), _flash())
    table = m.station_table()
    for name, sample in zip(("disk", "disk_channel"), _sampled_stages(m.values(), 400_000, np.random.default_rng(5))):
        assert abs(sample.mean() - table.loc[name, "demand"]) < 4 * sample.std() / np.sqrt(sample.size)
        assert sample.var() == pytest.approx(table.loc[name, "service_variance"], rel=0.02)


@pytest.mark.parametrize("channel_load", [0.3, 0.7])
def test_the_tandem_agrees_with_a_simulation_of_the_drive(channel_load):
    probe = Model("native", Workload(arrival_rate=1.0, **QUIET, **STORAGE), _flash())
    rate = channel_load / probe.station_table().loc["disk_channel", "demand"]
    m = Model("native", Workload(arrival_rate=rate, **QUIET, **STORAGE), _flash())
    table = m.station_table()
    model = table.loc["disk", "response_time"] + table.loc["disk_channel", "response_time"]
    rng = np.random.default_rng(17)
    n, batches = 400_000, 20
    access, transfer = _sampled_stages(m.values(), n, rng)
    arrivals = np.cumsum(rng.exponential(1 / rate, n))
    response = flash_drive_response_times(arrivals, access, transfer, 32)
    means = response[n // 10:][: (n - n // 10) // batches * batches].reshape(batches, -1).mean(axis=1)
    half = 2.86 * means.std(ddof=1) / np.sqrt(batches)  # t(19) at 99%
    # the model's decomposition (Poisson arrivals at the channel) within 2% of the drive (seen: 0.1-0.2%)
    assert abs(means.mean() - model) < half + 0.02 * model, (means.mean(), model, half)


def test_the_drive_simulation_rejects_bad_traces():
    with pytest.raises(ParameterError, match="servers"):
        flash_drive_response_times([0.0, 1.0], [1.0, 1.0], [0.0, 0.0], 0)
    with pytest.raises(ParameterError, match="arrival_times"):
        flash_drive_response_times([1.0, 0.0], [1.0, 1.0], [0.0, 0.0], 1)
    with pytest.raises(ParameterError, match="arrival_times"):
        flash_drive_response_times([0.0, 1.0], [np.nan, 1.0], [0.0, 0.0], 1)
    with pytest.raises(ParameterError, match="access"):
        flash_drive_response_times([0.0, 1.0], [1.0], [0.0, 0.0], 1)


def test_one_request_at_a_time_is_access_plus_transfer():
    """A trace with gaps longer than any request: each takes its access plus its transfer, no queue."""
    r = flash_drive_response_times([0.0, 10.0, 20.0], [1.0, 2.0, 0.5], [0.25, 0.0, 3.0], 2)
    assert r.tolist() == [1.25, 2.0, 3.5]


@settings(max_examples=25, deadline=None)
@given(size=st.floats(512, 4e6), rates=st.lists(st.floats(0.01, 0.95), min_size=2, max_size=2))
def test_latency_grows_with_load_and_the_utilization_law_holds(size, rates):
    """Monotone in load; the utilization law at the channel, rho = lambda S; R >= S."""
    plat = _flash()
    cap = Model("native", _reads(size), plat).evaluate("throughput_limit")
    lo, hi = sorted(r * cap for r in rates)
    m = Model("native", _reads(size, rate=lo), plat)
    a, b = m.evaluate("mean_latency", arrival_rate=np.array([lo, hi]))
    assert b >= a * (1 - 1e-12)
    row = m.station_table().loc["disk_channel"]
    busy = row["arrival_rate"] * row["demand"]
    assert busy == pytest.approx(row["utilization"], rel=1e-9)
    assert row["response_time"] >= row["demand"] * (1 - 1e-12)


def test_the_fused_kernel_carries_the_channel():
    """The numba kernel is generated from the same expressions: it saturates at the channel too."""
    kernels = pytest.importorskip("virtmodel.model.kernels")
    pytest.importorskip("numba")
    m = Model("hardware_assist", _reads(131072, io_ops=1, io_interrupts=1), _flash(cores=64, vcpus=64))
    cap = m.evaluate("throughput_limit")
    assert cap == pytest.approx(3.5e9 / 131072, rel=1e-12)  # the channel, not 32 servers x B_d
    lam = np.linspace(0.0, 1.2 * cap, 40_000)
    with kernels.using("numpy"):
        ref = m.evaluate_many(["mean_latency", "throughput_limit", "p99"], arrival_rate=lam)
    with kernels.using("numba"):
        got = m.evaluate_many(["mean_latency", "throughput_limit", "p99"], arrival_rate=lam)
    for metric, value in ref.items():
        finite = np.isfinite(value)
        np.testing.assert_array_equal(finite, np.isfinite(got[metric]))
        np.testing.assert_allclose(got[metric][finite], value[finite], rtol=1e-12, atol=0)
    assert np.isinf(ref["mean_latency"][lam > cap * (1 + 1e-9)]).all()


def test_write_ceiling_against_the_data_sheet():
    """Writes share the channel at the read rate: 3.5 GB/s against the data sheet's 3.3 GB/s (6% high)."""
    writes = Workload(arrival_rate=1.0, disk_writes=1.0, disk_write_bytes=1 << 20, **QUIET)
    x = Model("native", writes, _flash(cores=512, vcpus=512)).evaluate("throughput_limit")
    published = measurement("storage.flash.sequential_write").value * 1e6
    assert x * (1 << 20) == pytest.approx(published, rel=0.07)
    assert x * (1 << 20) >= published  # the read rate: an upper side, said in the role


@pytest.mark.parametrize("size", [4096, 131072])
def test_the_closed_model_at_fio_depth_stops_at_the_drive(size):
    """64 requests in flight (fio's iodepth as the closed model's users, no think time): the throughput
    approaches the drive's ceiling and never passes it; at depth 1 a read takes t + b/B_d."""
    plat = _flash(cores=64, vcpus=64)
    ceiling = min(32 / 50e-6, 3.5e9 / size)
    deep = Model("native", _reads(size, users=64, think_time=0.0), plat).evaluate("throughput")
    assert ceiling * 0.9 <= deep <= ceiling * (1 + 1e-9)
    one = Model("native", _reads(size, users=1, think_time=0.0), plat).evaluate("throughput")
    assert one == pytest.approx(1 / (1e-6 + 50e-6 + size / 3.5e9), rel=1e-9)
