"""The host's page cache under a file-backed disk image (techniques/host_page_cache.py) on hardware_assist.

Checks: ``host_cache="none"`` (the default) is the previous model exactly (its device counts are
:func:`virtmodel.disk.disk_ops` itself, no term added), and the flag does nothing without block requests or
off the cached paths; ``writethrough`` with no read hits sends the device what ``none`` sends, and with no
system-call or copy cost it is ``none``; ``writeback`` takes the writes off the device (the disk's stations are
those of the same workload without writes) and the read hits too; the back-end's added demand by hand (one
system call and one copy per block read or write); Hypothesis laws (more bytes never faster, more hits never
slower, writeback never slower than writethrough, NumPy = scalar); the native reference is untouched; the
symbolic formula names the hit ratio only with a cache; the station network against the discrete-event
oracle; bad values named; the requirement's settings on its two recipes, read without computing them.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.disk import disk_ops
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.host_page_cache import CACHED_PATHS, HOST_CACHES, buffered_loads, cache_mode, device_ops
from virtmodel.workload import Workload

METRICS = ("mean_latency", "latency_variance", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores",
           "overhead", "low_load_slowdown", "capacity_ratio")
MIXED = Workload(arrival_rate=2000.0, io_ops=0, io_interrupts=0, file_reads=0.5, file_read_bytes=4096,
                 page_cache_hit_ratio=0.2, disk_writes=0.5, disk_write_bytes=16384, disk_flushes=0.05)
FLASH = Platform(disk="flash", cores=8, vms=1, vcpus=2)
HDD = Platform(disk="rotating", cores=8, vms=1, vcpus=2)


def _tech(path="emulated", **kw):
    return get("hardware_assist", io_path=path, **kw)


def _same(a, b, metrics=METRICS):
    for metric in metrics:
        assert a.evaluate(metric) == pytest.approx(b.evaluate(metric), rel=1e-12), metric


def test_the_flag_and_where_it_acts():
    assert set(HOST_CACHES) == {"none", "writeback", "writethrough"}
    assert _tech().host_cache == "none" and _tech().host_cache_hit_ratio == 0.0
    assert cache_mode(_tech(host_cache="writeback")) == "writeback"
    assert cache_mode(_tech("vhost_user", host_cache="writeback")) == "none"  # a polling back-end: no page cache
    assert cache_mode(get("native")) == "none"  # the reference keeps O_DIRECT
    assert set(CACHED_PATHS) <= set(get("hardware_assist").__dataclass_fields__["io_path"].metadata["options"])


@pytest.mark.parametrize("path", ["emulated", "virtio_user", "virtio"])
@pytest.mark.parametrize("platform, rate", [(FLASH, 2000.0), (HDD, 20.0)], ids=["flash", "hdd"])
def test_none_is_the_previous_model_and_ignores_the_hit_ratio(path, platform, rate):
    w = MIXED.replace(arrival_rate=rate)
    base = Model(_tech(path), w, platform)
    _same(base, Model(_tech(path, host_cache_hit_ratio=0.9), w, platform))
    # the device's counts are disk_ops itself: the same objects' values, no term added
    s = SimpleNamespace(**base.values())
    assert device_ops(_tech(path), s) == disk_ops(s) and buffered_loads(_tech(path), s) == {}


@pytest.mark.parametrize("mode", ["writeback", "writethrough"])
def test_no_block_requests_no_change(mode):
    net = Workload(arrival_rate=2000.0)
    _same(Model(_tech(host_cache=mode), net, FLASH), Model(_tech(), net, FLASH))
    _same(Model(_tech(host_cache=mode), "small_packet_rr"), Model(_tech(), "small_packet_rr"))  # no disk at all


@pytest.mark.parametrize("path", ["vhost_user"])
def test_paths_without_a_host_page_cache_ignore_the_flag(path):
    _same(Model(_tech(path, host_cache="writeback", host_cache_hit_ratio=1.0), MIXED, FLASH),
          Model(_tech(path), MIXED, FLASH))


@pytest.mark.parametrize("path", ["emulated", "virtio_user"])
def test_writethrough_without_hits_sends_the_device_what_none_sends(path):
    through = Model(_tech(path, host_cache="writethrough"), MIXED, FLASH)
    none = Model(_tech(path), MIXED, FLASH)
    for station in ("disk", "disk_channel"):
        assert through.station_table().loc[station, "utilization"] == pytest.approx(
            none.station_table().loc[station, "utilization"], rel=1e-12)
    # with no system-call and no copy cost it is none exactly
    free = dict(host_syscall_cycles=0.0, copy_time_per_byte=0.0)
    _same(Model(_tech(path, host_cache="writethrough", **free), MIXED, FLASH), Model(_tech(path, **free), MIXED, FLASH))


def test_writeback_takes_the_writes_and_the_hits_off_the_device():
    back = Model(_tech(host_cache="writeback", host_cache_hit_ratio=0.25), MIXED, FLASH)
    # the device then serves the workload without writes and with 3/4 of the guest's read misses
    rest = MIXED.replace(disk_writes=0.0, file_reads=MIXED.file_reads * 0.75)
    table, ref = back.station_table(), Model(_tech(), rest, FLASH).station_table()
    for station in ("disk", "disk_channel"):
        assert table.loc[station, "utilization"] == pytest.approx(ref.loc[station, "utilization"], rel=1e-12)
    # all reads hit and no flushes: the device is idle
    idle = Model(_tech(host_cache="writeback", host_cache_hit_ratio=1.0), MIXED.replace(disk_flushes=0.0), FLASH)
    assert idle.station_table().loc["disk", "utilization"] == 0


@pytest.mark.parametrize("path, station", [("emulated", "host"), ("virtio_user", "iothread")])
def test_the_back_ends_added_demand_by_hand(path, station):
    tech = _tech(path, host_cache="writeback", host_cache_hit_ratio=0.5)
    f = FLASH.clock_hz
    w = MIXED
    n_r, n_w = w.file_reads * (1 - w.page_cache_hit_ratio), w.disk_writes
    call = tech.host_syscall_cycles / f
    added = n_w * (call + w.disk_write_bytes * tech.copy_time_per_byte) + n_r * (
        call + w.file_read_bytes * tech.copy_time_per_byte)
    on, off = Model(tech, w, FLASH), Model(_tech(path), w, FLASH)
    demand = lambda m: m.station_table().loc[station, "utilization"] / (w.arrival_rate * m.platform.vms)  # noqa: E731
    servers = FLASH.cores if station == "host" else 1
    assert (demand(on) - demand(off)) * servers == pytest.approx(added, rel=1e-9)
    # the CPU per request rises by the same seconds (the back-end's busy time is host CPU)
    assert on.evaluate("cpu_per_request") - off.evaluate("cpu_per_request") == pytest.approx(added, rel=1e-9)


def test_the_native_reference_is_untouched():
    """The model's own native path (overhead's denominator) keeps the device path under any cache mode."""
    low = MIXED.replace(arrival_rate=1.0)
    for mode in HOST_CACHES:
        m = Model(_tech(host_cache=mode, host_cache_hit_ratio=1.0), low, FLASH)
        ratio = m.evaluate("mean_latency") / m.evaluate("overhead")
        assert ratio == pytest.approx(Model("native", low, FLASH).evaluate("mean_latency"), rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(b1=st.floats(512, 2e6), b2=st.floats(512, 2e6), h1=st.floats(0, 1), h2=st.floats(0, 1))
def test_laws(b1, b2, h1, h2):
    lo, hi = sorted((b1, b2))
    hl, hh = sorted((h1, h2))
    w = MIXED.replace(arrival_rate=50.0)
    back = lambda h: _tech(host_cache="writeback", host_cache_hit_ratio=h)  # noqa: E731
    # more bytes per write: never a higher limit nor a lower CPU per request
    small, big = Model(back(hl), w.replace(disk_write_bytes=lo), FLASH), Model(back(hl), w.replace(disk_write_bytes=hi), FLASH)
    assert big.evaluate("throughput_limit") <= small.evaluate("throughput_limit") * (1 + 1e-12)
    assert big.evaluate("cpu_per_request") >= small.evaluate("cpu_per_request") * (1 - 1e-12)
    # more read hits: never slower, never a lower limit, the same CPU
    few, many = Model(back(hl), w, FLASH), Model(back(hh), w, FLASH)
    assert many.evaluate("mean_latency") <= few.evaluate("mean_latency") * (1 + 1e-12)
    assert many.evaluate("throughput_limit") >= few.evaluate("throughput_limit") * (1 - 1e-12)
    assert many.evaluate("cpu_per_request") == pytest.approx(few.evaluate("cpu_per_request"), rel=1e-12)
    # writeback never slower than writethrough at the same hit ratio
    through = Model(_tech(host_cache="writethrough", host_cache_hit_ratio=hl), w, FLASH)
    assert few.evaluate("mean_latency") <= through.evaluate("mean_latency") * (1 + 1e-12)
    assert few.evaluate("throughput_limit") >= through.evaluate("throughput_limit") * (1 - 1e-12)


def test_numpy_is_scalar():
    model = Model(_tech(host_cache="writeback"), MIXED, FLASH)
    hits = np.linspace(0.0, 1.0, 5)
    latency = model.evaluate("mean_latency", host_cache_hit_ratio=hits)
    assert np.all(np.diff(latency) < 0)
    for i, h in enumerate(hits):
        assert latency[i] == pytest.approx(model.evaluate("mean_latency", host_cache_hit_ratio=float(h)), rel=1e-12)


def test_the_symbolic_formula_names_the_hit_ratio_only_with_a_cache():
    names = lambda e: {str(x) for x in e.free_symbols}  # noqa: E731
    on = Model(_tech(host_cache="writeback"), MIXED, FLASH).expression("throughput_limit").expr
    off = Model(_tech(), MIXED, FLASH).expression("throughput_limit").expr
    assert {"host_cache_hit_ratio", "host_syscall_cycles"} <= names(on)
    assert not {"host_cache_hit_ratio", "host_syscall_cycles"} & names(off)


def test_writeback_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    tech = _tech(host_cache="writeback", host_cache_hit_ratio=0.5)
    w = MIXED.replace(disk_write_bytes=1 << 20)  # 1 MiB writes: the copies make the host's cores bind
    base = Model(tech, w, Platform(disk="flash", cores=2, vms=1, vcpus=4))
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, w.replace(arrival_rate=rate), base.platform)
    assert model.station_table()["utilization"].idxmax() == "host"
    sim, delay = simulate_model(model, customers=40_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


@pytest.mark.parametrize("kw, named", [
    (dict(host_cache="unsafe"), "host_cache"), (dict(host_cache=1), "host_cache"),
    (dict(host_cache_hit_ratio=1.5), "host_cache_hit_ratio"),
    (dict(host_cache_hit_ratio=float("nan")), "host_cache_hit_ratio"),
])
def test_bad_values_are_named(kw, named):
    with pytest.raises(ParameterError, match=named):
        _tech(**kw)


def test_the_requirement_stands_for_writeback_on_its_two_recipes_only():
    from virtmodel.validation import applications

    assert "host_page_cache" in applications.SUPPORTED_MECHANISMS
    assert applications.REQUIREMENT_SETTINGS["host_page_cache"] == {"host_cache": "writeback"}
    recipes = applications.recipes()
    named = sorted(k for k, r in recipes.items() if "host_page_cache" in r["requires"])
    assert named == ["janczura_tubcc2018.fio_randwrite_kvm", "krause_mcc2018.fio_random_kvm"]
    hits = {"janczura_tubcc2018.fio_randwrite_kvm": 0.0, "krause_mcc2018.fio_random_kvm": 1.0}
    for key in named:  # read, not computed: the technique the harness would build
        tech = get(recipes[key]["technique"], **applications._recipe_settings(recipes[key]))
        assert cache_mode(tech) == "writeback" and tech.io_path == "emulated"
        assert tech.host_cache_hit_ratio == hits[key]
        assert recipes[key]["reference"] == "native"  # the reference keeps its O_DIRECT device path
    # no other recipe sets the flag, so no other row can move
    assert not any({"host_cache", "host_cache_hit_ratio"} & set(r["technique_params"]) for k, r in recipes.items()
                   if k not in named)
