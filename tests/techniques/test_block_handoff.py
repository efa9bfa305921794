"""A user-space block back-end's worker-thread pool (techniques/block_handoff.py).

Checks: ``block_handoff="none"`` (the default) is the previous model exactly, and ``thread_pool`` changes
nothing without block requests (network I/O has no worker pool); a hand computation of the two wake-ups per
block request (one on the host's cores, one on the I/O thread), in the stations, the CPU metrics and the
low-load latency; monotone in the wake-up time and in the block requests; other paths ignore the flag; the
I/O thread split per queue pair takes the completion's wake-up; the station network against the discrete-event
oracle; bad values; the three recipes read without computing them.
"""

from __future__ import annotations

import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.block_handoff import HANDOFFS, handoff_loads
from virtmodel.workload import Workload

METRICS = ("mean_latency", "latency_variance", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores",
           "overhead", "guest_cores_left")
#: two block requests per request (read misses of 8 KiB), beside two network I/Os
DISKY = Workload(arrival_rate=1e3, io_ops=2, file_reads=2, file_read_bytes=8192, page_cache_hit_ratio=0.0)
FLASH = Platform(cores=8, disk="flash")


def _user(**kw):
    """virtio_user with the wake-up-free path (``wakeups="off"``) unless a test asks: the hand computations below
    add fixed costs per request; tests that compare with the default pass ``wakeups`` explicitly."""
    return get("hardware_assist", **{"io_path": "virtio_user", "wakeups": "off", **kw})


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("wakeups", ["off", "on"])
def test_none_is_the_previous_model_and_network_io_has_no_pool(metric, wakeups):
    for workload, platform in ((DISKY, FLASH), ("small_packet_rr", Platform(cores=8)), ("bulk_transfer", FLASH)):
        old = Model(_user(wakeups=wakeups), workload, platform).evaluate(metric)
        assert Model(_user(wakeups=wakeups, block_handoff="none"), workload, platform).evaluate(metric) == \
            pytest.approx(old, rel=1e-12)
        if workload != DISKY:  # no block request: the pool is never used
            pool = _user(wakeups=wakeups, block_handoff="thread_pool")
            assert Model(pool, workload, platform).evaluate(metric) == pytest.approx(old, rel=1e-12)


def test_the_flag_and_its_view():
    assert _user().block_handoff == "none" and set(HANDOFFS) == {"none", "thread_pool"}
    pool = _user(block_handoff="thread_pool")
    assert pool.block_io_view().handoff_io == "thread_pool" and pool.handoff_io == "none"
    assert _user().block_io_view().handoff_io == "none"  # the default view charges no pool
    assert handoff_loads(pool, pool) == {}  # the technique itself (network I/O) charges nothing


def test_two_wakeups_per_block_request_by_hand():
    none, pool = _user(), _user(block_handoff="thread_pool")
    n_d = DISKY.file_reads * (1 - DISKY.page_cache_hit_ratio)  # block requests per request
    b = none.backend_wake_time
    a, c = Model(none, DISKY, FLASH), Model(pool, DISKY, FLASH)
    ta, tc = a.station_table(), c.station_table()
    # the worker's wake-up on the host's cores (no host load before), the completion's on the I/O thread
    assert "host" not in ta.index and tc.loc["host", "demand"] == pytest.approx(n_d * b, rel=1e-12)
    assert tc.loc["iothread", "demand"] - ta.loc["iothread", "demand"] == pytest.approx(n_d * b, rel=1e-12)
    for name in ("guest", "disk", "disk_channel", "device"):
        assert tc.loc[name, "demand"] == pytest.approx(ta.loc[name, "demand"], rel=1e-12), name
    # CPU: both wake-ups are host CPU
    assert c.evaluate("cpu_per_request") - a.evaluate("cpu_per_request") == pytest.approx(2 * n_d * b, rel=1e-9)
    vms = FLASH.vms
    assert c.evaluate("host_cores") - a.evaluate("host_cores") == pytest.approx(
        vms * DISKY.arrival_rate * 2 * n_d * b, rel=1e-9)
    assert c.evaluate("guest_cores") == pytest.approx(a.evaluate("guest_cores"), rel=1e-12)
    # latency as the load goes to zero: the two wake-ups in series, no queueing
    lone = DISKY.replace(arrival_rate=1e-6)
    gap = Model(pool, lone, FLASH).evaluate("mean_latency") - Model(none, lone, FLASH).evaluate("mean_latency")
    assert gap == pytest.approx(2 * n_d * b, rel=1e-6)
    # at load: the I/O thread's and the host's M/G/c responses, each from the queueing core
    gap = c.evaluate("mean_latency") - a.evaluate("mean_latency")
    want = (tc.loc["iothread", "response_time"] - ta.loc["iothread", "response_time"]) + tc.loc["host", "response_time"]
    assert gap == pytest.approx(want, rel=1e-9) and gap > 2 * n_d * b


def test_monotone_in_the_wakeup_time_and_the_block_requests():
    times = [0.0, 1e-6, 4e-6, 10e-6]
    lat = [Model(_user(block_handoff="thread_pool", backend_wake_time=t), DISKY, FLASH).evaluate("mean_latency")
           for t in times]
    assert all(x < y for x, y in zip(lat, lat[1:]))
    # no wake-up cost: the previous model
    assert lat[0] == pytest.approx(Model(_user(), DISKY, FLASH).evaluate("mean_latency"), rel=1e-12)
    gaps = []
    for reads in (0.0, 1.0, 2.0, 4.0):
        w = DISKY.replace(file_reads=reads)
        gaps.append(Model(_user(block_handoff="thread_pool"), w, FLASH).evaluate("cpu_per_request")
                    - Model(_user(), w, FLASH).evaluate("cpu_per_request"))
    assert gaps[0] == pytest.approx(0.0, abs=1e-15) and all(x < y for x, y in zip(gaps, gaps[1:]))
    assert gaps[3] == pytest.approx(2 * gaps[2], rel=1e-9)


@pytest.mark.parametrize("path", ["virtio", "emulated", "vhost_user", "virtio_pooled"])
def test_other_paths_ignore_the_flag(path):
    for metric in METRICS:
        a = Model(get("hardware_assist", io_path=path), DISKY, FLASH).evaluate(metric)
        b = Model(get("hardware_assist", io_path=path, block_handoff="thread_pool"), DISKY, FLASH).evaluate(metric)
        assert a == pytest.approx(b, rel=1e-12), metric


def test_the_completion_wakes_the_queue_pairs_thread():
    tech = _user(block_handoff="thread_pool", user_queue_threads="per_queue", queues=2)
    row = Model(tech, DISKY, FLASH).station_table().loc["iothread"]
    base = Model(tech.replace(block_handoff="none"), DISKY, FLASH).station_table().loc["iothread"]
    assert row["splits"] == 2 and row["demand"] - base["demand"] == pytest.approx(2 * tech.backend_wake_time,
                                                                                   rel=1e-12)


@pytest.mark.slow
def test_the_pool_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    tech = _user(block_handoff="thread_pool", backend_wake_time=20e-6)
    base = Model(tech, DISKY, FLASH)
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, DISKY.replace(arrival_rate=rate), FLASH)
    table = model.station_table()
    assert table.loc["host", "demand"] > 0 and table.loc["iothread", "utilization"] > 0.1
    sim, delay = simulate_model(model, customers=40_000, seed=7)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


@pytest.mark.parametrize("kw, named", [(dict(block_handoff="threads"), "block_handoff"),
                                       (dict(block_handoff=1), "block_handoff"),
                                       (dict(handoff_io="pool"), "handoff_io")])
def test_bad_values_are_named(kw, named):
    with pytest.raises(ParameterError, match=named):
        _user(**kw)


# --- the three recipes (read, not computed: pre-registration) ------------------------------------------------

ROW_2020 = "chv_mq_issue2020.sync_randrw_read"
ROWS_2022 = ("chv_qemu_gap2022.fio_seqread_1m_t1", "chv_qemu_gap2022.fio_seqread_1m_t16")


def test_the_three_recipes_name_cloud_hypervisor_against_qemu_aio_threads():
    from virtmodel.validation.applications import (MECHANISM_NAMES, SUPPORTED_MECHANISMS, _missing,
                                                   _recipe_settings, _reference_settings, recipes)

    assert "vmm_device_model_implementation" in SUPPORTED_MECHANISMS
    assert "virtio_blk_one_segment" in SUPPORTED_MECHANISMS  # modelled since oneseg (test_virtio_blk_split.py)
    needing = [r for r, recipe in recipes().items() if "vmm_device_model_implementation" in recipe["requires"]]
    assert sorted(needing) == sorted((ROW_2020,) + ROWS_2022)  # no other recipe names it
    one_segment = [r for r, recipe in recipes().items() if "virtio_blk_one_segment" in recipe["requires"]]
    assert sorted(one_segment) == list(ROWS_2022)
    for row in needing:
        recipe = recipes()[row]
        split = {"seg_max_offered": False} if row in ROWS_2022 else {}  # oneseg: no VIRTIO_BLK_F_SEG_MAX
        assert _recipe_settings(recipe) == {"block_handoff": "none", "io_path": "virtio_user", **split}
        assert _reference_settings(recipe) == {"io_path": "virtio_user", "block_handoff": "thread_pool"}
        assert recipe["reference"] == recipe["technique"] == "hardware_assist"
        assert "[vmmimpl, set before any prediction of this row was computed]" in recipe["note"]
    for row in needing:  # the second difference (no SEG_MAX) is modelled since oneseg
        assert _missing(recipes()[row], None) is None
    assert "not modelled" not in MECHANISM_NAMES["virtio_blk_one_segment"]
