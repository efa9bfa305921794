"""A virtio-blk device without seg_max: the guest splits each block request (techniques/virtio_blk_split.py).

Checks: ``seg_max_offered=True`` (the default) is the previous model exactly, and ``False`` changes nothing
without block requests or off the virtio paths; k by hand; the demands by hand (each of the k parts pays the
path's per-request costs, the disk's stations keep the block request); monotone in the bytes and in seg_max;
the worker pool's wake-ups scale by k too; the symbolic count; the station network against the discrete-event
oracle; bad values; the two recipes read without computing them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.virtio_blk_split import applies, parts, virtio_requests
from virtmodel.workload import Workload

METRICS = ("mean_latency", "latency_variance", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores",
           "overhead", "guest_cores_left")
#: one read miss of 16 KiB per request (four pages: k = 4 with one segment per request), no network I/O
READ16K = Workload(arrival_rate=1e3, io_ops=0, io_interrupts=0, file_reads=1, file_read_bytes=16384,
                   page_cache_hit_ratio=0.0)
FLASH = Platform(cores=8, disk="flash")
CPU_STATIONS = ("guest", "iothread")


def _user(**kw):
    """virtio_user with the wake-up-free path (``wakeups="off"``) unless a test asks: the hand computations below
    add fixed costs per request; tests that compare with the default pass ``wakeups`` explicitly."""
    return get("hardware_assist", **{"io_path": "virtio_user", "wakeups": "off", **kw})


def test_parts_by_hand():
    assert parts(1048576, 1, 4096, math.ceil) == 256  # the 2022 rows: 1 MiB over 4 KiB pages, one segment each
    assert parts(1048576 + 1, 1, 4096, math.ceil) == 257
    assert parts(4096, 1, 4096, math.ceil) == parts(1, 1, 4096, math.ceil) == 1
    assert parts(1048576, 126, 4096, math.ceil) == 3  # a seg_max of 126 (QEMU, 128-entry queue): ceil(256/126)
    assert parts(sp.Integer(8192), 1, 4096) == 2  # SymPy's ceiling by default


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("wakeups", ["off", "on"])
def test_offered_is_the_previous_model_and_nothing_splits_without_block_requests(metric, wakeups):
    for workload, platform in ((READ16K, FLASH), ("small_packet_rr", Platform(cores=8)), ("bulk_transfer", FLASH)):
        old = Model(_user(wakeups=wakeups), workload, platform).evaluate(metric)
        assert Model(_user(wakeups=wakeups, seg_max_offered=True), workload, platform).evaluate(metric) == \
            pytest.approx(old, rel=1e-12)
        if workload != READ16K:  # no block request: nothing to split
            split = _user(wakeups=wakeups, seg_max_offered=False)
            assert Model(split, workload, platform).evaluate(metric) == pytest.approx(old, rel=1e-12)


def test_the_flag_applies_to_virtio_paths_only():
    assert _user().seg_max_offered is True and not applies(_user())
    for path, want in (("virtio_user", True), ("virtio", True), ("vhost_user", True), ("emulated", False),
                       ("virtio_pooled", False)):
        assert applies(get("hardware_assist", io_path=path, seg_max_offered=False)) is want, path


@pytest.mark.parametrize("path", ["emulated", "virtio_pooled"])
def test_other_paths_ignore_the_flag(path):
    for metric in METRICS:
        a = Model(get("hardware_assist", io_path=path), READ16K, FLASH).evaluate(metric)
        b = Model(get("hardware_assist", io_path=path, seg_max_offered=False), READ16K, FLASH).evaluate(metric)
        assert a == pytest.approx(b, rel=1e-12), metric


def test_the_demands_by_hand():
    """k = 16384 / 4096 = 4: the CPU stations' per-block-request cost c = D(1 read) - D(0 reads) is paid 4 times,
    the disk's stations once; the CPU per request gains 3 c (wakeups="off": the wake-up terms are not linear in
    the counts). With one part per notification batch
    (split_batch_requests=1, oneseg's model: each part kicked and completed on its own); the batched parts:
    tests/techniques/test_split_request_batching.py."""
    off, on = _user(wakeups="off"), _user(wakeups="off", seg_max_offered=False, split_batch_requests=1)
    t_off = Model(off, READ16K, FLASH).station_table()
    t_on = Model(on, READ16K, FLASH).station_table()
    t_none = Model(off, READ16K.replace(file_reads=0.0), FLASH).station_table()
    k = 4
    for name in CPU_STATIONS:
        c = t_off.loc[name, "demand"] - (t_none.loc[name, "demand"] if name in t_none.index else 0.0)
        assert c > 0
        assert t_on.loc[name, "demand"] == pytest.approx(t_off.loc[name, "demand"] + (k - 1) * c, rel=1e-12), name
    for name in ("disk", "disk_channel", "device"):
        assert t_on.loc[name, "demand"] == pytest.approx(t_off.loc[name, "demand"], rel=1e-12), name
    cpu_c = (Model(off, READ16K, FLASH).evaluate("cpu_per_request")
             - Model(off, READ16K.replace(file_reads=0.0), FLASH).evaluate("cpu_per_request"))
    assert Model(on, READ16K, FLASH).evaluate("cpu_per_request") == pytest.approx(
        Model(off, READ16K, FLASH).evaluate("cpu_per_request") + (k - 1) * cpu_c, rel=1e-9)
    # a 4 KiB read is one part: the previous model
    one = READ16K.replace(file_read_bytes=4096.0)
    assert Model(on, one, FLASH).evaluate("mean_latency") == pytest.approx(
        Model(off, one, FLASH).evaluate("mean_latency"), rel=1e-12)


def test_the_worker_pools_wakeups_scale_by_k():
    """QEMU's aio=threads pays its two wake-ups per virtio request: 4 x 2 t_bwake per 16 KiB read."""
    base = _user(wakeups="off", seg_max_offered=False)  # the first model: the wake-ups as station loads alone
    pool = _user(wakeups="off", seg_max_offered=False, block_handoff="thread_pool")
    gap = Model(pool, READ16K, FLASH).evaluate("cpu_per_request") - Model(base, READ16K, FLASH).evaluate(
        "cpu_per_request")
    assert gap == pytest.approx(4 * 2 * pool.backend_wake_time, rel=1e-9)


def test_monotone_in_the_bytes_and_in_seg_max():
    on = Model(_user(seg_max_offered=False), READ16K, FLASH)
    sizes = np.array([4096.0, 8192.0, 16384.0, 16385.0, 65536.0, 1048576.0])
    cpu = on.evaluate("cpu_per_request", file_read_bytes=sizes)
    lat = on.evaluate("mean_latency", file_read_bytes=sizes)
    assert np.all(np.diff(cpu) > 0) and np.all(np.diff(lat) > 0)
    off = Model(_user(), READ16K, FLASH)
    assert np.all(cpu >= off.evaluate("cpu_per_request", file_read_bytes=sizes) - 1e-15)
    more = on.evaluate("cpu_per_request", virtio_blk_seg_max=np.array([1.0, 2.0, 4.0, 8.0]))
    assert np.all(np.diff(more) <= 0) and more[-1] == pytest.approx(off.evaluate("cpu_per_request"), rel=1e-12)


def test_the_symbolic_count():
    s = sp.symbols("file_reads page_cache_hit_ratio disk_writes disk_flushes file_read_bytes disk_write_bytes "
                   "virtio_blk_seg_max guest_segment_bytes", positive=True)
    ns = type("S", (), dict(zip(("file_reads", "page_cache_hit_ratio", "disk_writes", "disk_flushes",
                                 "file_read_bytes", "disk_write_bytes", "virtio_blk_seg_max", "guest_segment_bytes"),
                                s)))
    n_v = virtio_requests(_user(seg_max_offered=False), ns)
    n_d = virtio_requests(_user(), ns)
    assert n_d == s[0] * (1 - s[1]) + s[2] + s[3]
    values = dict(zip(s, (2, sp.Rational(1, 4), 3, 1, 1048576, 10000, 1, 4096)))
    assert n_v.subs(values) == sp.Rational(3, 2) * 256 + 3 * 3 + 1


@pytest.mark.parametrize("kw, named", [(dict(seg_max_offered="no"), "seg_max_offered"),
                                       (dict(virtio_blk_seg_max=0), "virtio_blk_seg_max"),
                                       (dict(guest_segment_bytes=0), "guest_segment_bytes")])
def test_bad_values_are_named(kw, named):
    with pytest.raises(ParameterError, match=named):
        _user(**kw)


@pytest.mark.slow
def test_the_split_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    tech = _user(seg_max_offered=False)
    base = Model(tech, READ16K, FLASH)
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, READ16K.replace(arrival_rate=rate), FLASH)
    table = model.station_table()
    assert table.loc["guest", "utilization"] > 0.1
    sim, delay = simulate_model(model, customers=40_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


# --- the two recipes (read, not computed: pre-registration) ------------------------------------------------------

ROWS_2022 = ("chv_qemu_gap2022.fio_seqread_1m_t1", "chv_qemu_gap2022.fio_seqread_1m_t16")


def test_the_two_recipes_set_the_split_on_the_cloud_hypervisor_side_only():
    from virtmodel.validation.applications import (REQUIREMENT_SETTINGS, SUPPORTED_MECHANISMS, _missing,
                                                   _recipe_settings, _reference_settings, recipes)

    assert "virtio_blk_one_segment" in SUPPORTED_MECHANISMS
    assert REQUIREMENT_SETTINGS["virtio_blk_one_segment"] == {"seg_max_offered": False}
    needing = [r for r, recipe in recipes().items() if "virtio_blk_one_segment" in recipe["requires"]]
    assert sorted(needing) == list(ROWS_2022)
    flagged = [r for r, recipe in recipes().items() if "seg_max_offered" in recipe["technique_params"]
               or "seg_max_offered" in recipe.get("reference_params", {})]
    assert sorted(flagged) == list(ROWS_2022)  # no other recipe touched
    for row in ROWS_2022:
        recipe = recipes()[row]
        assert _recipe_settings(recipe)["seg_max_offered"] is False
        assert "seg_max_offered" not in _reference_settings(recipe)  # QEMU offers seg_max: the default
        assert recipe["workload_overrides"]["file_read_bytes"] == 1048576
        assert "[oneseg, set before any prediction of this row was computed]" in recipe["note"]
        assert _missing(recipe, None) is None
