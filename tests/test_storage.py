"""The disk and the storage path (virtmodel.disk, model/_storage.py): limits, formulas, oracle, laws.

Independent checks: the disk's service moments against sampling the physical
operations (Poisson counts thinned by the page cache, uniform rotation, gamma
seeks); the rotating disk's station against a Lindley-recursion simulation of
that same physical service; the flash disk's station against the queueing core's
G/G/c; the whole network against the discrete-event oracle; the mean rotational
delay against a drive's data sheet; and the limits (no storage = the first
model, hit ratio 1 = no read load, one block request = one I/O of the path).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.disk import DISKS, disk_resource, positioning, with_disk
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.presets import measurement
from virtmodel.queueing import ggc, mg1
from virtmodel.simulate.lindley import lindley_waits
from virtmodel.techniques import names
from virtmodel.workload import Workload
from virtmodel import workloads

METRICS = ("mean_latency", "p99", "cpu_per_request", "throughput_limit", "guest_cores", "host_cores",
           "overhead", "low_load_slowdown", "capacity_ratio")
STORAGE = dict(file_reads=3.0, file_read_bytes=16384, page_cache_hit_ratio=0.6, disk_writes=1.0,
               disk_write_bytes=8192, disk_flushes=0.5)


def _flash(**kw):
    return with_disk(Platform(**kw), "nvme_flash")


def _hdd(**kw):
    return with_disk(Platform(**kw), "hdd_7200")


# -- limits -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("technique", names())
def test_a_disk_with_no_storage_work_is_the_first_model(technique):
    w = workloads.get("web_serving").replace(arrival_rate=50.0)  # stable for every technique (emulation too)
    for metric in METRICS:
        first = Model(technique, w).evaluate(metric)
        assert Model(technique, w, _flash()).evaluate(metric) == pytest.approx(first, rel=1e-12), metric
        assert Model(technique, w, _hdd()).evaluate(metric) == pytest.approx(first, rel=1e-12), metric


@pytest.mark.parametrize("technique", ["native", "hardware_assist", "paravirtual", "sriov"])
def test_hit_ratio_one_takes_the_reads_off_the_disk(technique):
    w = workloads.get("web_serving").replace(arrival_rate=50.0)
    m = Model(technique, w.replace(file_reads=10, page_cache_hit_ratio=1.0), _hdd())
    assert m.station_table().loc["disk", "utilization"] == 0
    for metric in METRICS:
        assert m.evaluate(metric) == pytest.approx(Model(technique, w).evaluate(metric), rel=1e-12)


def test_storage_work_needs_a_platform_with_a_disk():
    with pytest.raises(ParameterError, match="disk_flushes"):
        Model("native", Workload(disk_flushes=1))
    with pytest.raises(ParameterError, match="file_reads"):
        Model("native").evaluate("mean_latency", file_reads=np.array([0.0, 1.0]))
    with pytest.raises(ParameterError, match="disk"):
        with_disk(Platform(), "floppy")
    with pytest.raises(ParameterError, match="medium"):
        type(disk_resource("flash"))("disk", 1, medium="tape")
    with pytest.raises(ParameterError, match="disk"):
        Platform(disk="tape")
    with pytest.raises(ParameterError, match="page_cache_hit_ratio"):
        Workload(page_cache_hit_ratio=1.5)


def test_storage_presets_need_a_disk_and_run_on_one():
    for name in workloads.STORAGE_PRESETS:
        with pytest.raises(ParameterError, match="disk"):
            Model("hardware_assist", name)
        m = Model("hardware_assist", name, _flash(vms=1))
        assert "disk" in m.stations() and np.isfinite(m.evaluate("mean_latency"))
    assert set(workloads.names()) == set(workloads.PRESETS) | set(workloads.STORAGE_PRESETS)
    for presets in workloads.APPLICATION_CLASSES.values():
        assert all(p in workloads.names() and workloads.describe(p) for p in presets)


# -- one concept: a block request is an I/O of the technique's path ------------------------------------
def _without_copies(name):
    """The technique without the back-end's payload copies, which network I/O pays and block requests do not."""
    from virtmodel.techniques import get

    tech = get(name)
    return tech.replace(payload_copy="off") if "payload_copy" in tech.__dataclass_fields__ else tech


@pytest.mark.parametrize("technique", names())
def test_a_block_request_costs_the_cpu_of_one_io_of_the_path(technique):
    base = workloads.get("web_serving").replace(arrival_rate=50.0)
    extra_disk = Model(technique, base.replace(disk_writes=1.0), _flash()).evaluate("cpu_per_request") - \
        Model(technique, base, _flash()).evaluate("cpu_per_request")
    if technique in ("native", "container"):  # the driver is in cpu_time; a container's block I/O is the host's
        assert extra_disk == pytest.approx(0, abs=1e-15)
        return
    if technique == "syscall_intercept":  # it charges system calls; its network stack carries packets, not blocks
        assert extra_disk == pytest.approx(0, abs=1e-15)
        return
    more_io = base.replace(io_ops=base.io_ops + 1, io_interrupts=base.io_interrupts + 1)
    net = _without_copies(technique)  # a block request's data moves by DMA: no payload copy (payload_copy.py)
    extra_io = Model(net, more_io).evaluate("cpu_per_request") - Model(net, base).evaluate("cpu_per_request")
    assert extra_disk == pytest.approx(extra_io, rel=1e-9, abs=1e-18)
    if technique not in ("syscall_intercept",):  # it charges system calls, not I/O
        assert extra_disk > 0


def test_an_emulated_disk_pays_its_traps():
    w = Workload(disk_writes=1.0, io_ops=0, io_interrupts=0)
    virtio = Model("hardware_assist", w, _flash()).evaluate("cpu_per_request")
    emulated = Model(Model("hardware_assist").technique.replace(io_path="emulated"), w, _flash()).evaluate(
        "cpu_per_request")
    assert emulated > virtio > Model("native", w, _flash()).evaluate("cpu_per_request")


# -- the disk's formulas against independent sources --------------------------------------------------
def _sampled_disk_times(values, medium, n, rng):
    """Per-request disk service times, sampled operation by operation (no formula of the module)."""
    reads = rng.binomial(rng.poisson(values["file_reads"], n), 1 - values["page_cache_hit_ratio"])
    writes, flushes = rng.poisson(values["disk_writes"], n), rng.poisson(values["disk_flushes"], n)
    total = np.zeros(n)
    for count, fixed, size in ((reads, values["disk_read_latency"], values["file_read_bytes"]),
                               (writes, values["disk_write_latency"], values["disk_write_bytes"])):
        ops = int(count.sum())
        t = np.full(ops, fixed + size / values["disk_bandwidth"])
        if medium == "rotating":
            ts, scv = values["disk_seek_time"], values["disk_seek_scv"]
            t += rng.gamma(1 / scv, ts * scv, ops) + rng.uniform(0, values["disk_rotation_time"], ops)
        owner = np.repeat(np.arange(n), count)
        total += np.bincount(owner, weights=t, minlength=n)
    return total + flushes * values["disk_flush_time"]


@pytest.mark.parametrize("disk", ["nvme_flash", "hdd_7200"])
def test_disk_service_moments_agree_with_sampling(disk):
    m = Model("native", Workload(arrival_rate=1.0, **STORAGE), with_disk(Platform(vms=1), disk))
    table = m.station_table()
    stages = table.loc[[n for n in ("disk", "disk_channel") if n in table.index]]  # flash: access, transfer
    sample = _sampled_disk_times(m.values(), DISKS[disk].medium, 400_000, np.random.default_rng(3))
    se_mean = sample.std() / np.sqrt(sample.size)
    assert abs(sample.mean() - stages["demand"].sum()) < 4 * se_mean
    if len(stages) == 1:  # flash's stage variances: tests/test_disk_channel.py
        assert sample.var() == pytest.approx(stages["service_variance"].iloc[0], rel=0.02)


def test_rotating_disk_station_agrees_with_a_lindley_simulation():
    """One VM, native: the rotating disk is an M/G/1 whose service is the sampled physical time."""
    w = Workload(arrival_rate=20.0, cpu_time=1e-6, io_ops=0, io_interrupts=0, **STORAGE)
    m = Model("native", w, _hdd(vms=1))
    row = m.station_table().loc["disk"]
    rng = np.random.default_rng(11)
    n, batches = 400_000, 20
    service = _sampled_disk_times(m.values(), "rotating", n, rng)
    gaps = rng.exponential(1 / w.arrival_rate, n)
    waits = lindley_waits(gaps[1:], service[:-1])
    response = np.concatenate(([0.0], waits)) + service
    means = response[n // 10:].reshape(batches, -1).mean(axis=1)
    half = 2.86 * means.std(ddof=1) / np.sqrt(batches)  # t(19) at 99%
    assert abs(means.mean() - row["response_time"]) < half, (means.mean(), row["response_time"], half)
    assert 0.3 < row["utilization"] < 0.9  # a queue that matters
    core = mg1(row["arrival_rate"], row["demand"], row["service_scv"])
    assert row["response_time"] == pytest.approx(core.response_time, rel=1e-12)


def test_flash_disk_station_is_the_queueing_cores_ggc():
    w = Workload(arrival_rate=30000.0, cpu_time=1e-6, io_ops=0, io_interrupts=0, **STORAGE)
    m = Model("native", w, _flash(vms=1, vcpus=1))
    row = m.station_table().loc["disk"]
    assert row["servers"] == 32
    core = ggc(row["arrival_rate"], row["demand"], 32, 1.0, row["service_scv"])
    assert row["response_time"] == pytest.approx(core.response_time, rel=1e-9)
    assert row["utilization"] == pytest.approx(core.utilization, rel=1e-12)


def test_mean_rotational_delay_matches_a_data_sheet():
    """Half a revolution (the uniform delay's mean) against the Travelstar 5K320's stated average latency."""
    rev = measurement("storage.hdd.5k320.revolution").value * 1e-3
    published = measurement("storage.hdd.5k320.average_latency").value * 1e-3

    class S:
        disk_seek_time, disk_seek_scv, disk_rotation_time = 0.0, 0.0, rev

    mean, var = positioning(S, "rotating")
    assert mean == pytest.approx(published, rel=0.02)
    assert var == pytest.approx(rev**2 / 12)


@pytest.mark.slow
def test_network_with_a_disk_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    base = Model("hardware_assist", "oltp_update_heavy", _flash(vms=2, cores=4))
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(base.technique, base.workload.replace(arrival_rate=rate), base.platform)
    assert "disk" in model.stations()
    sim, delay = simulate_model(model, customers=60_000, seed=5)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03)


# -- laws ---------------------------------------------------------------------------------------------
storage_workloads = st.builds(
    Workload, arrival_rate=st.floats(1.0, 50.0), cpu_time=st.floats(1e-6, 1e-3),
    io_ops=st.floats(0, 10), io_interrupts=st.floats(0, 5),
    file_reads=st.floats(0, 5), file_read_bytes=st.floats(512, 1e6), page_cache_hit_ratio=st.floats(0, 1),
    disk_writes=st.floats(0, 3), disk_write_bytes=st.floats(512, 1e6), disk_flushes=st.floats(0, 2))


@settings(max_examples=30, deadline=None)
@given(tech=st.sampled_from(names()), w=storage_workloads, disk=st.sampled_from(sorted(DISKS)),
       h=st.lists(st.floats(0, 1), min_size=2, max_size=2))
def test_more_page_cache_hits_never_slow_a_request(tech, w, disk, h):
    m = Model(tech, w.replace(arrival_rate=0.5), with_disk(Platform(vms=1), disk))
    lo, hi = sorted(h)
    slow, fast = m.evaluate("mean_latency", page_cache_hit_ratio=np.array([lo, hi]))
    assert fast <= slow * (1 + 1e-12)
    a, b = m.evaluate("throughput_limit", page_cache_hit_ratio=np.array([lo, hi]))
    assert b >= a * (1 - 1e-12)


@settings(max_examples=30, deadline=None)
@given(tech=st.sampled_from(names()), w=storage_workloads, extra=st.floats(0.01, 3))
def test_more_flushes_and_writes_cost_cpu_and_capacity(tech, w, extra):
    m = Model(tech, w.replace(arrival_rate=0.5), _flash(vms=1))
    cpu0, cpu1 = (m.evaluate("cpu_per_request", disk_writes=np.array([w.disk_writes, w.disk_writes + extra])))
    assert cpu1 >= cpu0
    x0, x1 = m.evaluate("throughput_limit", disk_flushes=np.array([w.disk_flushes, w.disk_flushes + extra]))
    assert x1 <= x0 * (1 + 1e-12)
    # virtualization never makes the disk faster: the disk station is native's
    assert m.station_table().loc["disk", "demand"] == pytest.approx(
        Model("native", m.workload, m.platform).station_table().loc["disk", "demand"], rel=1e-12)


# -- a technique whose network path has per-packet costs that block I/O does not take -------------------
from dataclasses import dataclass  # noqa: E402

from virtmodel._params import flag, param  # noqa: E402
from virtmodel.techniques import Technique, events, native_demands  # noqa: E402


@dataclass(frozen=True)
class _Switched(Technique):
    name = "storage_test_switched"
    label = "per-I/O work plus a per-packet switch"

    storage_test_io_time: float = param(2e-6, unit="s", latex=r"t_{\mathrm{io,test}}", doc="per-I/O guest time")
    storage_test_switch_time: float = param(1e-6, unit="s", latex=r"t_{\mathrm{sw,test}}", doc="per-packet host time")
    switch: str = flag("on", doc="a software switch on the network path", options=("on", "none"))

    def demands(self, s):
        d = native_demands(s).add(guest=events(s.io_ops, s.storage_test_io_time))
        return d.add(host=events(s.io_ops, s.storage_test_switch_time)) if self.switch == "on" else d

    def block_io_view(self):
        return self.replace(switch="none")


def test_block_requests_skip_the_network_only_costs_of_the_block_view():
    w = Workload(arrival_rate=10.0, io_ops=3, io_interrupts=0)
    tech = _Switched()
    base = Model(tech, w, _flash()).evaluate("cpu_per_request")
    more = Model(tech, w.replace(disk_writes=2.0), _flash()).evaluate("cpu_per_request")
    assert more - base == pytest.approx(2 * 2e-6, rel=1e-12)  # the I/O's cost, not the switch's
    assert base == pytest.approx(w.cpu_time + 3 * (2e-6 + 1e-6), rel=1e-12)  # packets still pay the switch
    same = Model(tech.replace(switch="none"), w.replace(disk_writes=2.0), _flash()).evaluate("cpu_per_request")
    assert more - same == pytest.approx(3e-6, rel=1e-12)


@pytest.mark.parametrize("technique", ["hardware_assist", "paravirtual", "nitro"])
def test_iops_count_block_requests_too(technique):
    blocks = Workload(io_ops=0, io_interrupts=0, file_reads=2.0, disk_writes=1.0)
    packets = Workload(io_ops=3.0, io_interrupts=3.0)
    per_block = Model(technique, blocks, _flash()).evaluate("host_cores_per_100k_iops")
    assert np.isfinite(per_block)
    assert per_block == pytest.approx(Model(_without_copies(technique), packets).evaluate("host_cores_per_100k_iops"),
                                      rel=1e-12)
