"""A split virtqueue's descriptor capacity without indirect descriptors (techniques/virtqueue_capacity.py).

Checks: the flag on (``indirect_descriptors=True``, the default), a population within the capacity,
another path and the open model are the previous model exactly; the capacity by hand for 256 KiB
requests; the window lowers throughput only when it binds, and never raises it; the flow-equivalent
server against the discrete-event simulation of the windowed network; bad values raise ParameterError.
"""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from virtmodel.errors import ParameterError, SymbolicUnsupportedError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.queueing import mva
from virtmodel.queueing.flow_equivalent import mva_window
from virtmodel.simulate.windowed_network import simulate_windowed_network
from virtmodel.techniques import get
from virtmodel.techniques.virtqueue_capacity import capacity_expression, mean_descriptors, ring_capacity
from virtmodel.workload import Workload

CLOSED = ("throughput", "mean_latency", "guest_cores", "host_cores")
PLATFORM = Platform(disk="flash", cores=4, vcpus=1, vms=1)
# a closed loop of 48 outstanding 128 KiB direct writes (not a validation recipe)
WRITES = Workload(arrival_rate=0.0, users=48, think_time=0.0, cpu_time=1.5e-5, kernel_fraction=0.9, syscalls=1,
                  io_ops=0, io_interrupts=0, file_reads=0, disk_writes=1, disk_write_bytes=131072)
KIB256 = 262144


def _tech(**kw):
    return get("hardware_assist", io_path="virtio_user", **kw)


def _values(tech, workload=WRITES):
    return Model(tech, workload, PLATFORM).values()


def test_the_capacity_for_256_kib_requests_by_hand():
    w = WRITES.replace(disk_write_bytes=KIB256)
    off = _tech(indirect_descriptors=False)
    # Cloud Hypervisor v42: no SEG_MAX, so Linux allows 1 segment: header + 1 + status = 3 descriptors
    assert (off.virtqueue_size, off.virtio_blk_seg_max, off.guest_segment_bytes) == (128, 1, 4096)
    assert ring_capacity(off, _values(off, w)) == 128 // 3 == 42
    # a device offering seg_max = 126: 256 KiB of scattered 4 KiB pages = 64 segments, 66 descriptors
    wide = off.replace(virtio_blk_seg_max=126, virtqueue_size=1024)
    assert ring_capacity(wide, _values(wide, w)) == 1024 // 66 == 15
    assert math.floor(128 / (min(126, KIB256 // 4096) + 2)) == 1  # and in a ring of 128, one at a time
    # flushes carry no data (2 descriptors); a mix is weighted by the counts: (1 * 3 + 1 * 2) / 2
    mixed = w.replace(disk_flushes=1.0)
    assert ring_capacity(off, _values(off, mixed)) == math.floor(128 / 2.5) == 51
    # indirect descriptors (the default), another path, no block requests: no cap
    assert ring_capacity(_tech(), _values(_tech(), w)) is None
    emulated = get("hardware_assist", io_path="emulated", indirect_descriptors=False)
    assert ring_capacity(emulated, _values(emulated, w)) is None
    net = w.replace(disk_writes=0, io_ops=1, io_interrupts=1)
    assert ring_capacity(off, _values(off, net)) is None


def test_the_symbolic_formula_is_the_numeric_path():
    from virtmodel.symbols import symbols_for

    tech = _tech(indirect_descriptors=False, virtio_blk_seg_max=8)
    values = _values(tech, WRITES.replace(disk_flushes=0.25, file_reads=0.5, page_cache_hit_ratio=0.2))
    s = symbols_for(type(tech))
    expr = capacity_expression(s)
    subs = {getattr(s, name): v for name, v in values.items() if hasattr(s, name)}
    assert int(expr.xreplace(subs)) == ring_capacity(tech, values)
    assert float(mean_descriptors(SimpleNamespace(**values))) == pytest.approx(
        (0.4 * (1 + 2) + 1 * (8 + 2) + 0.25 * 2) / 1.65, rel=1e-12)  # 4 KiB reads: 1 segment; 128 KiB writes: 8


@pytest.mark.parametrize("metric", CLOSED)
def test_the_flag_on_a_population_within_the_capacity_and_the_open_model_are_the_previous_model(metric):
    on = Model(_tech(), WRITES, PLATFORM).evaluate(metric)
    within = Model(_tech(indirect_descriptors=False), WRITES.replace(users=42), PLATFORM).evaluate(metric)
    assert Model(_tech(), WRITES.replace(users=42), PLATFORM).evaluate(metric) == pytest.approx(within, rel=1e-12)
    emulated = [Model(get("hardware_assist", io_path="emulated", indirect_descriptors=flag), WRITES, PLATFORM)
                .evaluate(metric) for flag in (True, False)]
    assert emulated[0] == pytest.approx(emulated[1], rel=1e-12)
    assert on > 0
    open_w = WRITES.replace(users=0, arrival_rate=2000.0)
    for m in ("mean_latency", "throughput_limit", "cpu_per_request"):
        assert Model(_tech(indirect_descriptors=False), open_w, PLATFORM).evaluate(m) == pytest.approx(
            Model(_tech(), open_w, PLATFORM).evaluate(m), rel=1e-12)


def test_a_binding_window_lowers_throughput_and_a_larger_ring_never_lowers_it():
    base = Model(_tech(), WRITES, PLATFORM).evaluate("throughput")
    x = [Model(_tech(indirect_descriptors=False, virtqueue_size=q), WRITES, PLATFORM).evaluate("throughput")
         for q in (3, 6, 12, 24, 48, 96, 192)]
    assert x == sorted(x) and x[0] < 0.9 * base and x[-1] == pytest.approx(base, rel=1e-12)
    assert all(v <= base * (1 + 1e-12) for v in x)
    # one request in the ring at a time: the device side's whole demand per request, in series
    one = Model(_tech(indirect_descriptors=False, virtqueue_size=3), WRITES, PLATFORM)
    stations = one.closed().stations
    device_side = stations.drop(index="guest")["demand"].sum()
    assert one.evaluate("throughput") <= 1 / device_side * (1 + 1e-9)


def test_the_window_with_nothing_outside_is_the_inside_at_the_window():
    D, c, inside = [0.0, 2e-6, 2.5e-5, 7.5e-5], [1, 1, 4, 1], [False, True, True, True]
    for W in (1, 2, 5, 9):
        r = mva_window(D, 16, 0.0, c, inside=inside, window=W)
        assert r.system_throughput == pytest.approx(float(mva(D[1:], W, 0.0, c[1:]).system_throughput), rel=1e-10)
    plain = mva([1e-5] + D[1:], 16, 0.0, c)
    assert mva_window([1e-5] + D[1:], 16, 0.0, c, inside=inside, window=16).system_throughput == \
        pytest.approx(float(plain.system_throughput), rel=1e-12)


@pytest.mark.parametrize("window,think", [(1, 0.0), (3, 0.0), (6, 5e-5), (12, 0.0)])
def test_the_flow_equivalent_server_agrees_with_the_simulation(window, think):
    D, c, inside = [1.5e-5, 2e-6, 2.5e-5, 7.5e-5], [1, 1, 4, 1], [False, True, True, True]
    model = mva_window(D, 16, think, c, inside=inside, window=window)
    sim = simulate_windowed_network(D, 16, think, c, inside=inside, window=window, cycles=60_000, seed=11)
    assert sim.contains(model.system_throughput, rtol=0.03)


def test_the_model_with_a_window_is_the_flow_equivalent_server_on_its_stations():
    model = Model(_tech(indirect_descriptors=False, virtqueue_size=12), WRITES, PLATFORM)
    st = model.closed().stations
    names = list(st.index)
    inside = [n != "guest" for n in names]
    D = st["demand"].to_numpy()
    c = np.where(np.isfinite(st["servers"].to_numpy()), st["servers"].to_numpy(), np.inf)
    c = np.where(c >= WRITES.users, np.inf, c)
    expected = mva_window(D, WRITES.users, 0.0, c, inside=inside, window=4).system_throughput
    assert model.evaluate("throughput") == pytest.approx(expected, rel=1e-9)


def test_bad_values_raise_parameter_errors():
    w = WRITES.replace(disk_write_bytes=KIB256)
    with pytest.raises(ParameterError, match="virtqueue_size"):  # 66 descriptors do not fit in 16
        Model(_tech(indirect_descriptors=False, virtio_blk_seg_max=126, virtqueue_size=16), w, PLATFORM)
    with pytest.raises(ParameterError):
        _tech(virtqueue_size=0)
    with pytest.raises(ParameterError):
        _tech(guest_segment_bytes=-4096.0)
    with pytest.raises(ParameterError, match="window"):
        mva_window([1.0, 1.0], 4, 0.0, 1, inside=[False, True], window=0)
    with pytest.raises(ParameterError, match="inside"):
        simulate_windowed_network([1.0, 1.0], 4, inside=[True, False], window=1)
    small = Model(_tech(indirect_descriptors=False, virtqueue_size=3), WRITES.replace(users=3), PLATFORM)
    with pytest.raises(SymbolicUnsupportedError):
        small.expression("throughput", keep=["cpu_time"])


def test_the_station_table_holds_the_window_and_the_wait_in_the_guest():
    model = Model(_tech(indirect_descriptors=False, virtqueue_size=12), WRITES, PLATFORM)
    st = model.closed().stations
    inside = st.drop(index=["guest", "window_wait"])["queue_length"].sum()
    assert inside <= 4 + 1e-9 and st.loc["window_wait", "queue_length"] > 0
    assert st["queue_length"].sum() == pytest.approx(WRITES.users, rel=1e-9)
    assert "window_wait" not in Model(_tech(), WRITES, PLATFORM).closed().stations.index
