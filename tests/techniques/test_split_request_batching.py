"""The parts of a split block request share their notifications (techniques/split_request_batching.py).

Checks: a device with seg_max (k = 1) and a request within one segment are the previous model exactly, whatever
the batch size; the notification count by hand; the demands by hand for a 1 MiB read (k = 256, 16 batches):
the guest pays 16 kicks and 16 completion interrupts, the I/O thread 256 requests; one part per batch is oneseg's
per-part model; monotone in the bytes, non-increasing in the batch size, between the per-part and the
one-per-request bounds; the station network against the discrete-event oracle; bad values.
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
from virtmodel.techniques.split_request_batching import batches, notification_requests
from virtmodel.techniques.virtio_blk_split import virtio_requests
from virtmodel.workload import Workload

METRICS = ("mean_latency", "latency_variance", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores",
           "overhead", "guest_cores_left")
MIB = 1048576.0
#: one 1 MiB read miss per request (256 one-segment parts), no network I/O
READ1M = Workload(arrival_rate=200.0, io_ops=0, io_interrupts=0, file_reads=1, file_read_bytes=MIB,
                  page_cache_hit_ratio=0.0)
FLASH = Platform(cores=8, disk="flash")


def _user(**kw):
    return get("hardware_assist", **{"io_path": "virtio_user", **kw})


def test_batches_by_hand():
    assert batches(256, 16, math.ceil) == 16  # 1 MiB in 4 KiB parts, flushed by a 16-request plug
    assert batches(257, 16, math.ceil) == 17
    assert batches(1, 16, math.ceil) == batches(16, 16, math.ceil) == 1
    assert batches(256, 1, math.ceil) == 256  # one part per batch: oneseg's per-part notifications
    assert batches(256, 32, math.ceil) == 8  # Linux 5.16 on
    assert batches(sp.Integer(40), 16) == 3  # SymPy's ceiling by default


def test_the_symbolic_counts():
    names = ("file_reads", "page_cache_hit_ratio", "disk_writes", "disk_flushes", "file_read_bytes",
             "disk_write_bytes", "virtio_blk_seg_max", "guest_segment_bytes", "split_batch_requests")
    s = sp.symbols(" ".join(names), positive=True)
    ns = type("S", (), dict(zip(names, s)))
    split, whole = _user(seg_max_offered=False), _user()
    assert notification_requests(whole, ns) == virtio_requests(whole, ns) == s[0] * (1 - s[1]) + s[2] + s[3]
    values = dict(zip(s, (2, sp.Rational(1, 4), 3, 1, 1048576, 10000, 1, 4096, 16)))
    # reads: 1.5 x ceil(256 / 16) = 24; writes: 3 x ceil(3 / 16) = 3; one flush
    assert notification_requests(split, ns).subs(values) == 24 + 3 + 1
    assert virtio_requests(split, ns).subs(values) == sp.Rational(3, 2) * 256 + 3 * 3 + 1


@pytest.mark.parametrize("wakeups", ["off", "on"])
def test_no_split_is_the_previous_model_whatever_the_batch(wakeups):
    one_page = READ1M.replace(file_read_bytes=4096.0)
    for metric in METRICS:
        ref = Model(_user(wakeups=wakeups), READ1M, FLASH).evaluate(metric)
        for batch in (1, 16, 1000):  # a device with seg_max: the parameter never enters
            got = Model(_user(wakeups=wakeups, split_batch_requests=batch), READ1M, FLASH).evaluate(metric)
            assert got == pytest.approx(ref, rel=1e-12), (metric, batch)
        # a request within one segment: k = 1, one part, one batch
        split = Model(_user(wakeups=wakeups, seg_max_offered=False), one_page, FLASH).evaluate(metric)
        assert split == pytest.approx(Model(_user(wakeups=wakeups), one_page, FLASH).evaluate(metric), rel=1e-12)


def test_the_block_view_counts_kicks_on_the_notifications_only_when_split():
    assert _user().kick_count == "io_ops" and _user().block_io_view().kick_count == "io_ops"
    assert _user(seg_max_offered=False).block_io_view().kick_count == "io_interrupts"
    assert _user(seg_max_offered=False).kick_count == "io_ops"  # the network's kicks: one per I/O
    emulated = get("hardware_assist", io_path="emulated", seg_max_offered=False)
    assert emulated.block_io_view().kick_count == "io_ops"  # not a virtio-blk path


def test_the_demands_by_hand_for_a_1mib_read():
    """k = 256, B = 16: 16 batches. Against a device with seg_max (one request): the guest pays 15 more kicks
    (x_pv exits each) and 15 more completion interrupts (k_irq exits each); the I/O thread 255 more requests
    (t_be + k_usys c_hsys / f each); the disk's stations nothing more (wakeups="off": the first model)."""
    whole, split = _user(wakeups="off"), _user(wakeups="off", seg_max_offered=False)
    f = FLASH.clock_hz
    t_x = (whole.exit_cycles + whole.exit_handling_cycles) / f
    per_part = whole.backend_time + whole.userspace_syscalls_per_io * whole.host_syscall_cycles / f
    assert split.split_batch_requests == 16
    d_guest = 15 * (whole.virtio_exits_per_io + whole.exits_per_interrupt) * t_x
    d_thread = 255 * per_part
    a, b = Model(whole, READ1M, FLASH).station_table(), Model(split, READ1M, FLASH).station_table()
    assert b.loc["guest", "demand"] == pytest.approx(a.loc["guest", "demand"] + d_guest, rel=1e-12)
    assert b.loc["iothread", "demand"] == pytest.approx(a.loc["iothread", "demand"] + d_thread, rel=1e-12)
    assert a.loc["iothread", "demand"] == pytest.approx(per_part, rel=1e-12)  # one request's, by hand too
    for name in ("disk", "disk_channel", "device"):
        assert b.loc[name, "demand"] == pytest.approx(a.loc[name, "demand"], rel=1e-12), name
    cpu = Model(split, READ1M, FLASH).evaluate("cpu_per_request") - Model(whole, READ1M, FLASH).evaluate(
        "cpu_per_request")
    assert cpu == pytest.approx(d_guest + d_thread, rel=1e-9)
    # oneseg's per-part notifications (B = 1): 255 more kicks and interrupts instead of 15
    per = Model(_user(wakeups="off", seg_max_offered=False, split_batch_requests=1), READ1M, FLASH)
    assert per.station_table().loc["guest", "demand"] == pytest.approx(
        a.loc["guest", "demand"] + 255 * (whole.virtio_exits_per_io + whole.exits_per_interrupt) * t_x, rel=1e-12)
    assert per.station_table().loc["iothread", "demand"] == pytest.approx(b.loc["iothread", "demand"], rel=1e-12)


@pytest.mark.parametrize("wakeups", ["off", "on"])
def test_one_batch_per_request_pays_one_requests_notifications(wakeups):
    """B >= k: the guest's station is the unsplit request's (its kicks and interrupt), the I/O thread's 256 x."""
    whole = Model(_user(wakeups=wakeups), READ1M, FLASH).station_table()
    split = Model(_user(wakeups=wakeups, seg_max_offered=False, split_batch_requests=256), READ1M,
                  FLASH).station_table()
    assert split.loc["guest", "demand"] == pytest.approx(whole.loc["guest", "demand"], rel=1e-12)
    assert split.loc["iothread", "demand"] == pytest.approx(256 * whole.loc["iothread", "demand"], rel=1e-12)


@pytest.mark.parametrize("wakeups", ["off", "on"])
def test_monotone_in_the_bytes_and_in_the_batch(wakeups):
    model = Model(_user(wakeups=wakeups, seg_max_offered=False), READ1M, FLASH)
    sizes = np.array([4096.0, 16384.0, 65536.0, 65537.0, 262144.0, MIB, 2 * MIB])
    cpu = model.evaluate("cpu_per_request", file_read_bytes=sizes)
    lat = model.evaluate("mean_latency", file_read_bytes=sizes)
    assert np.all(np.diff(cpu) > 0) and np.all(np.diff(lat) > 0)
    sizes_b = np.array([1.0, 2.0, 4.0, 16.0, 64.0, 256.0, 1024.0])
    by_batch = model.evaluate("cpu_per_request", split_batch_requests=sizes_b)
    assert np.all(np.diff(by_batch) <= 1e-18) and by_batch[0] > by_batch[3] > by_batch[-2]
    assert by_batch[-1] == pytest.approx(by_batch[-2], rel=1e-12)  # past k: one batch, the lower bound
    whole = Model(_user(wakeups=wakeups), READ1M, FLASH).evaluate("cpu_per_request")
    assert np.all(by_batch > whole)  # the I/O thread still serves 256 requests


@pytest.mark.parametrize("kw, named", [(dict(split_batch_requests=0), "split_batch_requests"),
                                       (dict(split_batch_requests=-16), "split_batch_requests"),
                                       (dict(kick_count="per_batch"), "kick_count")])
def test_bad_values_are_named(kw, named):
    with pytest.raises(ParameterError, match=named):
        _user(**kw)


@pytest.mark.slow
def test_the_batched_split_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    read = READ1M.replace(file_read_bytes=262144.0)  # 64 parts, 4 batches
    tech = _user(wakeups="off", seg_max_offered=False)
    base = Model(tech, read, FLASH)
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, read.replace(arrival_rate=rate), FLASH)
    sim, delay = simulate_model(model, customers=40_000, seed=13)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


def test_the_two_recipes_take_the_default_batch():
    """Read, not computed: the 2022 rows name no batch size (the guest's plug, 16) and keep their recipes."""
    from virtmodel.validation.applications import _recipe_settings, recipes

    rows = ("chv_qemu_gap2022.fio_seqread_1m_t1", "chv_qemu_gap2022.fio_seqread_1m_t16")
    for row in rows:
        recipe = recipes()[row]
        assert "split_batch_requests" not in recipe["technique_params"]
        assert _recipe_settings(recipe)["seg_max_offered"] is False
    assert not [r for r, recipe in recipes().items() if "split_batch_requests" in recipe["technique_params"]
                or "split_batch_requests" in recipe.get("reference_params", {})]
