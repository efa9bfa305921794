"""Payload copies (techniques/payload_copy.py): limiting cases, the copy-bound limit, which paths copy,
segmentation offload moves no bytes, and the simulation oracle (simulate/payload_copy.py)."""

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.simulate.payload_copy import simulate_copying_thread
from virtmodel.symbols import info
from virtmodel.techniques import get
from virtmodel.techniques.io_paths import PATHS
from virtmodel.techniques.payload_copy import COPIES
from virtmodel.workload import Workload

WIDE = Platform(cores=64, vcpus=64, device_bandwidth=1e13)  # only a back-end can limit
BIG = Workload(arrival_rate=10.0, cpu_time=1e-6, io_ops=64, io_bytes=9000, io_interrupts=1)
METRICS = ("mean_latency", "throughput_limit", "host_cores", "cpu_per_request", "p99")
#: (technique, io_path, back-end station)
COPYING = [("hardware_assist", "virtio", "vhost"), ("hardware_assist", "virtio_user", "iothread"),
           ("hardware_assist", "emulated", "host"), ("hardware_assist", "vhost_user", "poller"),
           ("nested", "virtio", "vhost"), ("paravirtual", "driver_domain", "driver_domain"),
           ("binary_translation", "binary_emul", "host"), ("binary_translation", "hosted", "guest")]


def test_every_path_has_a_copy_count():
    assert set(COPIES) == set(PATHS)
    assert {p for p, (k, _) in COPIES.items() if k == 0} == {"split", "passthrough", "card", "direct"}
    assert COPIES["emulated"][0] == 2


@pytest.mark.parametrize("name, path, station", COPYING)
def test_zero_cost_per_byte_is_the_model_without_copies_exactly(name, path, station):
    tech = get(name, io_path=path)
    free = tech.replace(copy_time_per_byte=0.0)
    for workload in ("bulk_transfer", "small_packet_rr", BIG):
        with_zero = Model(free, workload, WIDE).station_table().loc[station, "demand"]
        # the copy term adds k t b per counted I/O on the copying station
        assert Model(tech, workload, WIDE).station_table().loc[station, "demand"] > with_zero
        native = Model("native", workload, WIDE).evaluate("cpu_per_request")
        neutral = Model(tech.neutral(), workload, WIDE).evaluate("cpu_per_request")
        assert neutral == pytest.approx(native, rel=1e-12)


@pytest.mark.parametrize("path, station, servers", [("virtio", "vhost", 1), ("virtio_user", "iothread", 1)])
def test_large_io_is_copy_bound_at_the_copy_bandwidth(path, station, servers):
    """No per-packet work: one back-end thread moves 1 / t_cp bytes per second."""
    tech = get("hardware_assist", io_path=path, backend_time=0.0, userspace_syscalls_per_io=0.0,
               segment_offload="off")
    model = Model(tech, BIG, WIDE)
    assert model.evaluate("bottleneck") == station
    bytes_per_second = model.evaluate("throughput_limit") * BIG.io_ops * BIG.io_bytes
    assert bytes_per_second == pytest.approx(servers / tech.copy_time_per_byte, rel=1e-12)
    assert bytes_per_second == pytest.approx(6.07e9, rel=1e-12)


def test_two_copies_halve_the_copy_bound_of_the_emulated_path():
    tech = get("hardware_assist", io_path="emulated", backend_time=0.0)
    platform = WIDE.replace(cores=1, vms=1)
    model = Model(tech, BIG, platform)
    assert model.evaluate("bottleneck") == "host"
    bytes_per_second = model.evaluate("throughput_limit") * BIG.io_ops * BIG.io_bytes
    assert bytes_per_second == pytest.approx(1 / (2 * tech.copy_time_per_byte), rel=1e-12)


@pytest.mark.parametrize("name, settings", [("paravirtual", {}), ("sriov", {}), ("nitro", {}), ("container", {})])
def test_paths_without_copies_never_pay_them(name, settings):
    tech = get(name, **settings)
    if "copy_time_per_byte" in tech.__dataclass_fields__:
        more = tech.replace(copy_time_per_byte=1e-6)
        for metric in METRICS:
            assert Model(more, BIG, WIDE).evaluate(metric) == Model(tech, BIG, WIDE).evaluate(metric), metric
    expr = Model(tech, BIG, WIDE).expression("cpu_per_request").expr
    assert "copy_time_per_byte" not in {str(x) for x in expr.free_symbols}


@pytest.mark.parametrize("path", ["virtio", "virtio_user", "vhost_user"])
def test_segmentation_offload_cuts_the_per_packet_work_but_copies_every_byte(path):
    """With no per-packet cost the back-end's demand is the bytes' copies, however they are cut."""
    tech = get("hardware_assist", io_path=path, backend_time=0.0, userspace_syscalls_per_io=0.0, vhost_user_time=0.0)
    bulk = BIG.replace(message_packets=64)
    demands = [Model(tech.replace(segment_offload=m), bulk, WIDE).station_table().loc[:, "demand"]
               for m in ("off", "on", "auto")]
    station = {"virtio": "vhost", "virtio_user": "iothread", "vhost_user": "poller"}[path]
    want = bulk.io_ops * bulk.io_bytes * tech.copy_time_per_byte
    for d in demands:
        assert d[station] == pytest.approx(want, rel=1e-12)


def test_the_symbolic_formula_carries_the_copy_term_and_block_requests_drop_it():
    expr = Model(get("hardware_assist"), "bulk_transfer").expression("throughput_limit").expr
    assert "copy_time_per_byte" in {str(x) for x in expr.free_symbols}
    view = get("hardware_assist", host_switch="bridge").block_io_view()
    assert (view.payload_copy, view.segment_offload, view.host_switch) == ("off", "off", "none")
    assert get("binary_translation", io_path="hosted").block_io_view().payload_copy == "off"


@pytest.mark.parametrize("path", ["virtio", "virtio_user", "emulated"])
def test_disk_block_requests_copy_nothing(path):
    """A disk-only request costs the same whatever copy_time_per_byte (its data moves by DMA)."""
    disk_only = Workload(arrival_rate=100.0, io_ops=0, io_interrupts=0, file_reads=2, file_read_bytes=65536,
                         page_cache_hit_ratio=0.0)
    flash = Platform(disk="flash")
    tech = get("hardware_assist", io_path=path)
    for metric in ("mean_latency", "cpu_per_request", "throughput_limit", "host_cores"):
        assert Model(tech, disk_only, flash).evaluate(metric) == pytest.approx(
            Model(tech.replace(copy_time_per_byte=0.0), disk_only, flash).evaluate(metric), rel=1e-12), metric



def test_copy_time_per_byte_is_a_documented_sourced_parameter_and_bad_values_are_named():
    meta = info("copy_time_per_byte")
    assert meta.unit == "s/B" and "copy" in meta.description
    assert get("hardware_assist").parameter_sources()["copy_time_per_byte"] == "benson2014_copy_bandwidth"
    with pytest.raises(ParameterError, match="copy_time_per_byte"):
        get("hardware_assist", copy_time_per_byte=-1e-10)
    with pytest.raises(ParameterError, match="copy_time_per_byte"):
        Model("hardware_assist", BIG).evaluate("mean_latency", copy_time_per_byte=float("nan"))


# --- the simulation oracle: a copying thread built packet by packet (simulate/payload_copy.py) ---------
@pytest.mark.parametrize("path, station", [("virtio", "vhost"), ("virtio_user", "iothread")])
def test_the_copying_thread_matches_the_simulation_oracle(path, station):
    """M/G/1 of the back-end thread against a Lindley run whose requests draw Poisson packets, each paying
    its per-packet work and copies x per-byte cost x its bytes (offload off: every packet counted)."""
    w = Workload(arrival_rate=1.0, io_ops=4, io_bytes=1500, io_interrupts=1)
    tech = get("hardware_assist", io_path=path, segment_offload="off", copy_time_per_byte=2e-9, backend_time=1e-6,
               userspace_syscalls_per_io=0.0)
    per_packet = tech.backend_time
    base = Model(tech, w, WIDE)
    rate = 0.6 * base.evaluate("throughput_limit")
    row = Model(tech, w.replace(arrival_rate=rate), WIDE).station_table().loc[station]
    response, service = simulate_copying_thread(rate, w.io_ops, w.io_bytes, per_packet, tech.copy_time_per_byte,
                                                COPIES[path][0], customers=200_000, seed=11)
    assert service == pytest.approx(row["demand"], rel=0.01)
    assert response == pytest.approx(row["response_time"], rel=0.03)


def test_with_segmentation_the_oracle_copies_the_same_bytes_and_counts_the_segments():
    """Long messages of 1 KiB packets in 64 KiB segments: the thread's mean service is the counted segments'
    per-packet work plus every byte's copy (the closed form within the last partial segment's share)."""
    w = Workload(arrival_rate=1.0, io_ops=6400, io_bytes=1024, io_interrupts=1, message_packets=64)
    tech = get("hardware_assist", io_path="virtio_user", segment_offload="on", backend_time=5e-6,
               userspace_syscalls_per_io=0.0)
    demand = Model(tech, w, WIDE).station_table().loc["iothread", "demand"]
    _, service = simulate_copying_thread(1.0, w.io_ops, w.io_bytes, tech.backend_time, tech.copy_time_per_byte, 1,
                                         message_packets=64, segment_bytes=65536, customers=2_000, warmup=0, seed=3)
    assert service == pytest.approx(demand, rel=0.01)
    off = Model(tech.replace(segment_offload="off"), w, WIDE).station_table().loc["iothread", "demand"]
    assert off - demand == pytest.approx(w.io_ops * (1 - 1 / 64) * tech.backend_time, rel=1e-9)


def test_the_oracle_refuses_a_bad_rate():
    with pytest.raises(ParameterError, match="arrival_rate"):
        simulate_copying_thread(np.array([1.0, 2.0]), 4, 1500, 1e-6, 1e-10)


def test_no_copies_and_no_offload_give_every_preset_of_the_previous_model_exactly():
    """tests/data/golden_before_payload_copy.json: the recorded cases (technique variant x preset x metric,
    tests/golden_values.py) whose values the copies and the default segmentation moved, as recorded
    before them (and the cases that record did not have); with copy_time_per_byte=0 and
    segment_offload="off" (and the first model's interrupts, wakeups="off", the default then) every case
    recorded before comes back (rel 1e-12)."""
    import json
    import pathlib
    import sys

    data = pathlib.Path(__file__).parents[1] / "data"
    sys.path.insert(0, str(data.parent))
    import golden_values as gv
    from test_golden_values import _same

    def previous(name, flags):
        tech = get(name, **flags)
        fields = tech.__dataclass_fields__
        settings = {k: v for k, v in (("copy_time_per_byte", 0.0), ("segment_offload", "off"),
                                      ("tcg_mode", "user"),  # before the software MMU too
                                      ("wakeups", "off")) if k in fields}  # and before the default's wake-ups
        return tech.replace(**settings) if settings else tech

    record = json.loads((data / "golden_before_payload_copy.json").read_text())
    moved, later = record["moved"], set(record["not_recorded_before"])  # later: presets added since that record
    later |= {k for k in json.loads((data / "golden_metrics.json").read_text()) if k.startswith("emulation[tcg_mode=")}
    before = {k: v for k, v in json.loads((data / "golden_metrics.json").read_text()).items() if k not in later}
    wakes = json.loads((data / "golden_before_wakeups.json").read_text())["moved"]  # before wakeups="on"
    before.update({k: v for k, v in wakes.items() if k not in later})
    softmmu = json.loads((data / "golden_before_softmmu.json").read_text())["moved"]  # emulation before softmmu.py
    before.update({k: v for k, v in softmmu.items() if k not in later})
    before.update(moved)
    # the wakeups="off" variants, recorded since, were the default variants then: the same previous values
    off = {k: k.replace("[wakeups=off]", "", 1) for k in before if "[wakeups=off]|" in k}
    before = {k: v for k, v in before.items() if k not in off}  # metrics since that record are in `later`
    before.update({k: before[first] for k, first in off.items() if first in before})
    assert len(off) > 1000
    original = gv._technique
    try:
        gv._technique = previous
        now = gv.record()
    finally:
        gv._technique = original
    assert moved and set(moved) <= set(now)
    bad = [k for k in before if k in now and not _same(before[k], now[k])]
    assert not bad, bad[:5]
