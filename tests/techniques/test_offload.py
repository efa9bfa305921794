"""Segmentation offload (techniques/offload.py): limiting cases, which paths segment, the counting oracle."""

import math

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.simulate.segments import count_segments
from virtmodel.symbols import info
from virtmodel.techniques import TECHNIQUES, get
from virtmodel.techniques.io_paths import PATHS
from virtmodel.techniques.offload import DEFAULT_ON, OFFLOAD_PATHS, segments
from virtmodel.workload import Workload

def _off(name, **settings):
    """The technique with segmentation offload off and, where it has them, no payload copies: the
    per-packet work alone (the per-byte copies with offload: tests/techniques/test_payload_copy.py)."""
    tech = get(name, segment_offload="off", **settings)
    return tech.replace(copy_time_per_byte=0.0) if "copy_time_per_byte" in tech.__dataclass_fields__ else tech


#: (technique, settings) -> whether its path segments with the flag on
VARIANTS = {
    "hw_virtio": (_off("hardware_assist"), True),
    "hw_virtio_bridge": (_off("hardware_assist", host_switch="bridge"), True),
    "hw_virtio_user": (_off("hardware_assist", io_path="virtio_user", host_switch="bridge"), True),
    "hw_vhost_user": (_off("hardware_assist", io_path="vhost_user"), True),
    "hw_emulated": (_off("hardware_assist", io_path="emulated"), False),
    "nested_virtio": (_off("nested"), True),
    "pv_split": (_off("paravirtual"), True),
    "pv_driver_domain": (_off("paravirtual", io_path="driver_domain"), True),
    "sriov": (_off("sriov"), True),
    "nitro": (_off("nitro"), True),
    "container": (_off("container"), True),
}
BULK = Workload(arrival_rate=500.0, cpu_time=20e-6, io_ops=44, io_bytes=1500, io_interrupts=4, message_packets=44)
PLATFORM = Platform(cores=8, vcpus=2, device_bandwidth=3.125e9)
METRICS = ("mean_latency", "throughput_limit", "host_cores", "guest_cores", "cpu_per_request", "p99")


def _metrics(tech, workload=BULK, platform=PLATFORM):
    model = Model(tech, workload, platform)
    return {m: model.evaluate(m) for m in METRICS}


def test_every_path_has_a_decision_and_the_emulated_ones_do_not_segment():
    assert set(PATHS) <= set(OFFLOAD_PATHS)
    for name in ("emulated", "binary_emul", "hosted"):
        assert OFFLOAD_PATHS[name][0] is False
    for name in ("virtio", "virtio_user", "vhost_user", "split", "driver_domain", "passthrough", "card"):
        assert OFFLOAD_PATHS[name][0] is True


def test_the_flag_is_auto_by_default_on_the_techniques_with_a_network_path_and_segments_the_virtio_paths():
    having = {name for name, cls in TECHNIQUES.items() if "segment_offload" in cls.__dataclass_fields__}
    assert having == {"hardware_assist", "nested", "paravirtual", "sriov", "nitro", "container"}
    for name in having:
        assert get(name).segment_offload == "auto"
    assert set(DEFAULT_ON) == {"virtio", "virtio_pooled", "virtio_user", "vhost_user"}
    assert all(OFFLOAD_PATHS[p][0] for p in DEFAULT_ON)  # "auto" never segments where "on" would not
    paths = {"hw_virtio": "virtio", "hw_virtio_bridge": "virtio", "hw_virtio_user": "virtio_user",
             "hw_vhost_user": "vhost_user", "hw_emulated": "emulated", "nested_virtio": "virtio", "pv_split": "split",
             "pv_driver_domain": "driver_domain", "sriov": "passthrough", "nitro": "card", "container": "veth"}
    for name, (tech, _) in VARIANTS.items():  # "auto" is "on" on the default paths and "off" elsewhere
        path = paths[name]
        want = tech.replace(segment_offload="on" if path in DEFAULT_ON else "off")
        got = tech.replace(segment_offload="auto")
        assert _metrics(got) == pytest.approx(_metrics(want), rel=1e-12), name


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("io_ops", [0.0, 0.2, 1.0, 44.0])
def test_segments_of_one_packet_or_messages_of_one_packet_give_the_first_model_exactly(variant, io_ops):
    tech, _ = VARIANTS[variant]
    workload = BULK.replace(io_ops=io_ops)
    first = _metrics(tech, workload)
    on = tech.replace(segment_offload="on")
    assert _metrics(on.replace(segment_bytes=workload.io_bytes), workload) == pytest.approx(first, rel=1e-12, abs=0)
    assert _metrics(on, workload.replace(message_packets=1)) == pytest.approx(first, rel=1e-12, abs=0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_request_of_one_segment_pays_the_path_once(variant):
    """n packets that fit one segment cost the CPU what one packet costs without offload."""
    tech, segments_here = VARIANTS[variant]
    native = Model("native", BULK, PLATFORM).evaluate("cpu_per_request")
    one = Model(tech, BULK.replace(io_ops=1), PLATFORM).evaluate("cpu_per_request") - native
    many_off = Model(tech, BULK, PLATFORM).evaluate("cpu_per_request") - native
    one_segment = tech.replace(segment_offload="on", segment_bytes=1e6)
    many_on = Model(one_segment, BULK, PLATFORM).evaluate("cpu_per_request") - native
    if segments_here:
        assert many_on == pytest.approx(one, rel=1e-12)
        assert many_on < many_off or variant == "hw_vhost_user"  # its polling cores are counted whole, apart
    else:
        assert many_on == pytest.approx(many_off, rel=1e-12)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_wire_still_carries_every_byte(variant):
    """The device station keeps the packets: a wire-bound stream keeps its limit."""
    tech, _ = VARIANTS[variant]
    slow_wire = Platform(cores=8, vcpus=2, device_bandwidth=1.25e7)  # 100 Mb/s: the device is the bottleneck
    off = Model(tech, BULK, slow_wire)
    on = Model(tech.replace(segment_offload="on"), BULK, slow_wire)
    wire = Model("native", BULK, slow_wire).evaluate("throughput_limit")
    assert on.evaluate("throughput_limit") == pytest.approx(wire, rel=1e-12)
    assert off.evaluate("throughput_limit") == pytest.approx(wire, rel=1e-12)
    assert on.evaluate("bottleneck") == "device"


@pytest.mark.parametrize("path, station", [("virtio_user", "iothread"), ("vhost_user", "poller")])
def test_offload_raises_a_cpu_bound_limit_by_the_packets_per_segment(path, station):
    """A CPU-bound back-end: its work per request falls from 44 packets to 44 x 1500 / 65536 segments
    (one message of 44 packets)."""
    tech = _off("hardware_assist", io_path=path, host_switch="bridge", vhost_user_time=20e-6)
    wide = PLATFORM.replace(device_bandwidth=1e12, vcpus=64)  # only the back-end can limit
    off, on = (Model(tech.replace(segment_offload=m), BULK, wide) for m in ("off", "on"))
    assert off.evaluate("bottleneck") == on.evaluate("bottleneck") == station
    ratio = on.evaluate("throughput_limit") / off.evaluate("throughput_limit")
    assert ratio == pytest.approx(44 / (44 * 1500 / 65536), rel=1e-12)


def test_disk_block_requests_never_take_the_flag():
    tech = get("hardware_assist", host_switch="bridge", segment_offload="on")
    view = tech.block_io_view()
    assert (view.segment_offload, view.host_switch) == ("off", "none")
    assert get("sriov", segment_offload="on").block_io_view().segment_offload == "off"
    disk_only = Workload(arrival_rate=100.0, io_ops=0, io_interrupts=0, file_reads=2, file_read_bytes=65536 * 4)
    flash = Platform(disk="flash")
    for name in ("hardware_assist", "paravirtual", "sriov"):
        off, on = (Model(get(name, segment_offload=m), disk_only, flash) for m in ("off", "on"))
        assert on.evaluate("mean_latency") == pytest.approx(off.evaluate("mean_latency"), rel=1e-12)
        assert on.evaluate("cpu_per_request") == pytest.approx(off.evaluate("cpu_per_request"), rel=1e-12)


def test_the_symbolic_formula_has_the_segment_size_only_when_on():
    off = Model(get("hardware_assist", segment_offload="off"), BULK, PLATFORM).expression("mean_latency").expr
    on = Model(get("hardware_assist", segment_offload="on"), BULK, PLATFORM).expression("mean_latency").expr
    names = lambda e: {str(x) for x in e.free_symbols}  # noqa: E731
    assert "segment_bytes" in names(on) and "segment_bytes" not in names(off)


def test_segment_bytes_is_a_documented_parameter():
    meta = info("segment_bytes")
    assert meta.unit == "B"
    assert "segment" in meta.description
    assert get("hardware_assist").parameter_sources()["segment_bytes"] == "linux_segmentation_offloads"


def test_bad_input_names_the_parameter():
    with pytest.raises(ParameterError, match="segment_offload"):
        get("hardware_assist", segment_offload="tso")
    with pytest.raises(ParameterError, match="segment_bytes"):
        Model(get("hardware_assist", segment_offload="on"), BULK, PLATFORM).evaluate("mean_latency", segment_bytes=0)
    with pytest.raises(ParameterError, match="segment_bytes"):
        get("sriov", segment_bytes=-1.0)
    with pytest.raises(ParameterError, match="io_bytes"):
        segments(1, math.nan, 65536)
    with pytest.raises(ParameterError, match="message_packets"):
        count_segments([1.5], 1500, 65536)
    with pytest.raises(ParameterError, match="message_packets"):
        Model("hardware_assist", BULK.replace(message_packets=0), PLATFORM)


def test_segments_limiting_cases_and_arrays():
    assert segments(44, 1500, 1500, 44) == 44
    assert segments(44, 1500, 65536, 1) == 44
    assert segments(44, 1500, 1e6, 44) == 1
    assert segments(0, 1500, 65536, 44) == 0
    assert segments(0.2, 4096, 65536, 1) == pytest.approx(0.2)
    assert segments(10, 131072, 65536, 10) == 10  # packets larger than a segment gain nothing
    assert segments(6, 1200, 65536, 2) == 3  # three messages of two packets
    n = np.array([0.0, 1.0, 44.0, 200.0])
    assert segments(n, 1500, 65536, 1000) == pytest.approx([0.0, 1500 / 65536, 44 * 1500 / 65536, 200 * 1500 / 65536])
    assert segments(1, 1500, 65536, 0.5) == 1  # a mean below one packet per message: never more segments than packets


# --- the counting oracle: packets cut into segments one at a time (simulate/segments.py) -----------------
def test_counted_segments_of_one_packet_are_the_packets():
    messages = np.random.default_rng(1).poisson(7.0, 500)
    assert count_segments(messages, 1500, 1500) == messages.sum()
    assert count_segments(np.ones(300, int), 1500, 65536) == 300 == segments(300, 1500, 65536, 1)


def test_messages_of_at_most_one_segment_are_one_segment_each():
    rng = np.random.default_rng(2)
    k = rng.integers(1, 65, 1000)  # up to 64 packets of 1 KiB: one 64 KiB segment at most
    assert count_segments(k, 1024, 65536) == 1000 == pytest.approx(
        sum(segments(float(n), 1024, 65536, float(n)) for n in k))


def test_a_stream_of_whole_segments_matches_the_closed_form():
    """One long message, 64 KiB segments of 1 KiB packets: exact."""
    for n in (64, 6400, 64 * 1000 + 17):
        assert count_segments([n], 1024, 65536) == math.ceil(segments(n, 1024, 65536, n))


def test_larger_messages_stay_within_one_segment_of_the_closed_form():
    for n in np.random.default_rng(3).integers(1, 400, 500):
        counted = count_segments([n], 1024, 65536)
        closed = segments(float(n), 1024, 65536, float(n))
        assert closed <= counted < closed + 1


def test_mss_sized_packets_cost_at_most_one_packet_per_segment():
    """1500-byte packets: a 64 KiB segment holds 43 whole packets, the closed form 43.69 (1.6% fewer segments)."""
    n = 44 * 5000  # a stream
    counted, closed = count_segments([n], 1500, 65536), segments(n, 1500, 65536, n)
    assert closed <= counted <= closed * (65536 / 1500) / math.floor(65536 / 1500) + 1


def test_the_model_charges_the_counted_segments():
    """Per-request CPU of the path with offload on = per-packet CPU without it x counted segments per packet
    (requests of 256 packets of 1 KiB as two messages of 128: four 64 KiB segments)."""
    n, k = 256, 128
    workload = BULK.replace(io_ops=n, io_bytes=1024, message_packets=k)
    counted = count_segments([k, k], 1024, 65536)
    assert counted == 4
    for variant in ("hw_virtio_user", "pv_driver_domain", "sriov", "container"):
        tech, _ = VARIANTS[variant]
        native = Model("native", workload, PLATFORM).evaluate("cpu_per_request")
        interrupts = Model(tech, workload.replace(io_ops=0), PLATFORM).evaluate("cpu_per_request") - native
        per_packet = (Model(tech, workload, PLATFORM).evaluate("cpu_per_request") - native - interrupts) / n
        on = Model(tech.replace(segment_offload="on"), workload, PLATFORM).evaluate("cpu_per_request") - native
        assert on - interrupts == pytest.approx(per_packet * counted, rel=1e-9), variant


def test_the_queueing_of_an_offloaded_path_matches_the_simulation_oracle():
    """The discrete-event oracle, fed the offloaded demands, agrees with the closed form at 60% load."""
    from virtmodel.model.simulation import simulate_model

    tech = get("hardware_assist", io_path="virtio_user", host_switch="bridge", segment_offload="on")
    base = Model(tech, BULK, PLATFORM.replace(device_bandwidth=1e12))
    model = Model(tech, BULK.replace(arrival_rate=0.6 * base.evaluate("throughput_limit")), base.platform)
    sim, delay = simulate_model(model, customers=40_000, seed=7)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


def test_a_sweep_varies_the_segment_size():
    """Parameters are generic: a sweep over segment_bytes, from one packet (the first model) to 64 KiB."""
    from virtmodel.analysis import sweep

    tech = get("hardware_assist", io_path="virtio_user", host_switch="bridge", segment_offload="on")
    wide = Platform(device_bandwidth=1e12)
    sizes = np.array([1500.0, 9000.0, 16384.0, 65536.0])
    limits = sweep("throughput_limit", [tech], "bulk_transfer", wide, segment_bytes=sizes)["throughput_limit"].values[0]
    assert limits[0] == pytest.approx(Model(tech.replace(segment_offload="off"), "bulk_transfer", wide)
                                      .evaluate("throughput_limit"), rel=1e-12)
    assert np.all(np.diff(limits) > 0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_laws_with_offload_on_zero_cost_is_native_and_a_larger_segment_never_hurts(variant):
    tech = VARIANTS[variant][0].replace(segment_offload="on")
    native = Model("native", BULK, PLATFORM)
    for metric in METRICS:
        if metric == "host_cores" and variant == "hw_vhost_user":
            continue  # its polling cores are burnt whole at any cost (a count, not a cost)
        assert Model(tech.neutral(), BULK, PLATFORM).evaluate(metric) == pytest.approx(
            native.evaluate(metric), rel=1e-9, abs=1e-15), metric
    # on the default and on the first model (wakeups="off"); the host's cores are not a cost law where the
    # host does nothing but wake the vCPU (SR-IOV, Nitro: 0 host cores without wake-ups): there a larger
    # segment leaves the vCPU idle more often, so it halts and is woken more and the host's cores rise
    # (the same effect as test_laws.test_a_busier_vcpu_is_woken_less_often)
    for t in [tech] + ([tech.replace(wakeups="off")] if hasattr(tech, "wakeups") else []):
        small, large = (Model(t.replace(segment_bytes=b), BULK, PLATFORM) for b in (9000.0, 65536.0))
        only_wakes = Model(t.replace(wakeups="off"), BULK, PLATFORM).evaluate("host_cores") == 0.0 \
            if hasattr(t, "wakeups") else False
        for metric in ("mean_latency", "p99", "cpu_per_request") + (() if only_wakes else ("host_cores",)):
            assert large.evaluate(metric) <= small.evaluate(metric) * (1 + 1e-12), metric
        assert large.evaluate("throughput_limit") >= small.evaluate("throughput_limit") * (1 - 1e-12)
        if only_wakes:
            assert large.evaluate("guest_cores") < small.evaluate("guest_cores")
            assert (large.evaluate("host_cores") > small.evaluate("host_cores")) == (t.wakeups == "on"), t.wakeups
