"""The frames a user-space virtio-net back-end moves (techniques/user_backend.py, flag ``user_frames``).

Checks: ``segments`` (the default) is the previous model; ``wire`` acts on the ``virtio_user`` path only
and there is that path with segmentation offload off, exactly; limiting cases (messages of one packet,
offload off, no network I/O) give the previous model; the I/O thread's and the vCPU's extra demand per
request against a hand computation; monotone in the packets per message; the I/O-thread-bound limit
scales by the packets per segment; the symbolic formula; the station network against the
discrete-event oracle.
"""

import pytest

from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import TECHNIQUES, get
from virtmodel.techniques.offload import segments
from virtmodel.techniques.user_backend import FRAME_MODES, USER_PATHS, frames_are_segments
from virtmodel.workload import Workload

METRICS = ("mean_latency", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores", "p99")
#: a 64 KiB send of 44 MTU-sized packets (bulk_transfer's shape) at a light rate
BULK = Workload(arrival_rate=500.0, cpu_time=20e-6, io_ops=44, io_bytes=1500, io_interrupts=4, message_packets=44)
PLATFORM = Platform(cores=8, vcpus=2, device_bandwidth=3.125e9)
WIDE = PLATFORM.replace(device_bandwidth=1e12, vcpus=64)  # only a back-end can limit


def _user(**kw):
    return get("hardware_assist", io_path="virtio_user", host_switch="bridge", **kw)


def _metrics(tech, workload=BULK, platform=PLATFORM):
    model = Model(tech, workload, platform)
    return {m: model.evaluate(m) for m in METRICS}


def test_the_flag_is_on_the_hardware_techniques_and_segments_by_default():
    having = {name for name, cls in TECHNIQUES.items() if "user_frames" in cls.__dataclass_fields__}
    assert having == {"hardware_assist", "nested"}
    assert get("hardware_assist").user_frames == get("nested").user_frames == "segments"
    assert set(FRAME_MODES) == {"segments", "wire"} and USER_PATHS == ("virtio_user",)
    assert not frames_are_segments(_user(user_frames="wire"), "virtio_user")
    assert frames_are_segments(_user(user_frames="wire"), "virtio")
    assert frames_are_segments(_user(), "virtio_user")


def test_wire_frames_are_the_user_space_path_with_segmentation_offload_off_exactly():
    for name in ("hardware_assist", "nested"):
        tech = get(name, io_path="virtio_user", host_switch="bridge")
        wire = _metrics(tech.replace(user_frames="wire"))
        off = _metrics(tech.replace(segment_offload="off"))
        assert wire == pytest.approx(off, rel=1e-12), name
        # ... and differ from the default, which segments (one message of 44 packets: one segment and a bit)
        assert wire["cpu_per_request"] > _metrics(tech)["cpu_per_request"]


@pytest.mark.parametrize("path", ["virtio", "virtio_pooled", "vhost_user", "emulated"])
def test_other_paths_ignore_the_flag(path):
    tech = get("hardware_assist", io_path=path)
    assert _metrics(tech.replace(user_frames="wire")) == pytest.approx(_metrics(tech), rel=1e-12)


@pytest.mark.parametrize("workload, settings", [(BULK.replace(message_packets=1), {}),
                                                (BULK.replace(io_ops=0, io_interrupts=0), {}),
                                                (BULK, {"segment_bytes": 1500.0})],
                         ids=["messages_of_one_packet", "no_network_io", "segments_of_one_packet"])
def test_limiting_cases_are_the_previous_model(workload, settings):
    tech = _user(**settings)
    assert _metrics(tech.replace(user_frames="wire"), workload) == pytest.approx(_metrics(tech, workload), rel=1e-12)
    # segmentation offload off: the flag has nothing left to turn off
    off = tech.replace(segment_offload="off")
    assert _metrics(off.replace(user_frames="wire")) == pytest.approx(_metrics(off), rel=1e-12)


@pytest.mark.parametrize("wakeups", ["on", "off"])
def test_the_extra_demand_per_request_is_the_hand_computation(wakeups):
    tech, w, f = _user(wakeups=wakeups), BULK, PLATFORM.clock_hz
    seg, wire = Model(tech, w, PLATFORM), Model(tech.replace(user_frames="wire"), w, PLATFORM)
    n_seg = segments(w.io_ops, w.io_bytes, tech.segment_bytes, w.message_packets)
    extra_frames = w.io_ops - n_seg  # 44 - 44 x 1500 / 65536 = 42.99...
    assert extra_frames == pytest.approx(44 - 44 * 1500 / 65536, rel=1e-12)
    per_frame_thread = tech.backend_time + (tech.userspace_syscalls_per_io * tech.host_syscall_cycles
                                            + tech.bridge_cycles) / f
    per_frame_kick = tech.virtio_exits_per_io * (tech.exit_cycles + tech.exit_handling_cycles) / f
    # the I/O thread: its utilization grows by lambda x (extra frames) x its per-frame work; copies unchanged
    du = wire.station_table().loc["iothread", "utilization"] - seg.station_table().loc["iothread", "utilization"]
    assert du == pytest.approx(w.arrival_rate * extra_frames * per_frame_thread, rel=1e-9)
    # the whole request: the thread's work plus the vCPU's kicks, per extra frame; the first model's
    # arithmetic (wakeups="off"): under the default the busier vCPU and thread also halt and are woken at
    # other idle probabilities, which moves the whole by 0.17% here
    if wakeups == "off":
        dcpu = wire.evaluate("cpu_per_request") - seg.evaluate("cpu_per_request")
        assert dcpu == pytest.approx(extra_frames * (per_frame_thread + per_frame_kick), rel=1e-9)


def test_more_packets_per_message_never_cost_wire_frames_less():
    cpu = [Model(_user(user_frames="wire"), BULK.replace(message_packets=k), PLATFORM).evaluate("cpu_per_request")
           for k in (1, 4, 44)]
    assert cpu[0] == pytest.approx(cpu[1], rel=1e-12) == pytest.approx(cpu[2], rel=1e-12)  # frames: the packets
    seg = [Model(_user(), BULK.replace(message_packets=k), PLATFORM).evaluate("cpu_per_request") for k in (1, 4, 44)]
    assert seg == sorted(seg, reverse=True) and seg[-1] < cpu[-1]  # segments only get cheaper


def test_an_io_thread_bound_limit_falls_by_the_packets_per_segment():
    tech = _user(copy_time_per_byte=0.0, backend_time=20e-6)  # per-frame work only, the thread binds
    seg, wire = (Model(tech.replace(user_frames=m), BULK, WIDE) for m in ("segments", "wire"))
    assert seg.evaluate("bottleneck") == wire.evaluate("bottleneck") == "iothread"
    ratio = seg.evaluate("throughput_limit") / wire.evaluate("throughput_limit")
    assert ratio == pytest.approx(44 / (44 * 1500 / 65536), rel=1e-12)


def assert_disk_requests_ignore(**flags):
    """A disk block request on the user-space path costs the same with ``flags`` set (shared with
    test_user_rx_copy.py)."""
    disk = Workload(arrival_rate=100.0, io_ops=0, io_interrupts=0, file_reads=2, file_read_bytes=65536 * 4)
    flash = Platform(disk="flash")
    tech = get("hardware_assist", io_path="virtio_user")
    for metric in ("mean_latency", "cpu_per_request", "throughput_limit"):
        assert Model(tech.replace(**flags), disk, flash).evaluate(metric) == \
            pytest.approx(Model(tech, disk, flash).evaluate(metric), rel=1e-12)


def test_disk_block_requests_are_one_io_whatever_the_flag():
    assert_disk_requests_ignore(user_frames="wire")


def test_the_symbolic_formula_loses_the_segment_size_with_wire_frames():
    seg = Model(_user(), BULK, PLATFORM).expression("mean_latency").expr
    wire = Model(_user(user_frames="wire"), BULK, PLATFORM).expression("mean_latency").expr
    names = {str(s) for s in seg.free_symbols}
    assert any("seg" in n for n in names)
    assert not any("seg" in str(s) for s in wire.free_symbols)


def assert_iothread_network_agrees_with_the_simulation(tech):
    """``tech``'s station network, bound by its I/O thread, against the discrete-event oracle at 60% of
    its limit (shared with test_user_rx_copy.py)."""
    from virtmodel.model.simulation import simulate_model

    base = Model(tech, BULK, WIDE)
    assert base.evaluate("bottleneck") == "iothread"
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, BULK.replace(arrival_rate=rate), WIDE)
    sim, delay = simulate_model(model, customers=60_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03)


@pytest.mark.slow
def test_the_wire_frame_network_agrees_with_the_simulation():
    assert_iothread_network_agrees_with_the_simulation(_user(user_frames="wire", backend_time=5e-6))
