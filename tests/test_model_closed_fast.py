"""The closed model's fast fixed point (model/closed.py) against the path it replaced.

Checks: the fixed point and every closed metric equal, to 1e-12, those of the previous path (every
step: the open model's whole station bundle, a full MVA run per Brent step, each point solved
again), on one and several VMs, multi-server stations, a device-side window and both wake-up
modes; the float kernel of Brent's steps gives MVA's throughput exactly, and gives way to MVA for
multi-server stations; the per-structure cache (``_path``) is shared by models of one structure
and not across structures.
"""

import numpy as np
import pytest

from virtmodel.model import Model
from virtmodel.model import closed
from virtmodel.model._compile import PER_STATION, closed_station_bundle, station_bundle
from virtmodel.model._derive import derive
from virtmodel.platform import Platform
from virtmodel.queueing import mva
from virtmodel.techniques import get
from virtmodel.workload import Workload

WRITES = Workload(arrival_rate=0.0, users=48, think_time=0.0, cpu_time=1.5e-5, kernel_fraction=0.9, syscalls=1,
                  io_ops=0, io_interrupts=0, file_reads=0, disk_writes=1, disk_write_bytes=131072)


def _model(technique, workload, platform, **load):
    base = Model(technique, workload, platform)
    return Model(base.technique, base.workload.replace(**load), platform) if load else base


CASES = {
    "one VM, wake-ups": _model(get("hardware_assist", wakeups="on"), "small_packet_rr", Platform(vms=1),
                               users=32, think_time=5e-5),
    "three VMs, wake-ups": _model(get("hardware_assist", wakeups="on"), "small_packet_rr", Platform(vms=3),
                                  users=20, think_time=2e-4),
    "multi-server guest": _model(get("paravirtual", wakeups="on"), "web_serving", Platform(vms=2, vcpus=2),
                                 users=12, think_time=1e-3),
    "first model, two VMs": _model(get("sriov", wakeups="off"), "small_packet_rr", Platform(vms=2),
                                   users=40, think_time=1e-4),
    "device-side window": _model(get("hardware_assist", io_path="virtio_user", indirect_descriptors=False), WRITES,
                                 Platform(disk="flash", cores=4, vcpus=1, vms=2)),
}


def _previous_stations(key, values):
    """The previous ``_numeric_stations``: the open model's whole station bundle, its tuple built again."""
    out = station_bundle(key)(values)
    n = len(PER_STATION)
    i_d, i_c, i_q = (PER_STATION.index(c) for c in ("demand", "servers", "splits"))
    rows = []
    for k, st in enumerate(derive(key).stations):
        rows += closed._split(st.name, float(out[n * k + i_d]), float(out[n * k + i_c]), st.shared,
                              int(round(float(out[n * k + i_q]))))
    return rows, float(out[-1])


def _previous_solve_loaded(key, point, users):
    """The previous fixed point: every step a full ``solve`` (MVA with its checks and result)."""
    from scipy.optimize import brentq

    vms, think, window = int(point["vms"]), float(point["think_time"]), closed.device_window(key, point)

    def at(x):
        stations, delay = _previous_stations(key, point if x is None else {**point, "arrival_rate": x})
        result, _, inflation = closed.solve(stations, delay, vms, users, think, window)
        return result, stations, delay, inflation

    if not closed._load_dependent(key):
        out = at(None)
        return out + (bool(np.all(out[3] == 1)),)
    hi = float(at(0.0)[0].system_throughput)
    while float(at(hi)[0].system_throughput) > hi:
        hi *= 2
    x = brentq(lambda x: float(at(x)[0].system_throughput) - x, 0.0, hi, xtol=1e-15 * hi, rtol=1e-13)
    return at(x) + (False,)


@pytest.mark.parametrize("case", CASES)
def test_the_fast_path_equals_the_previous_path(case, monkeypatch):
    m = CASES[case]
    values = m.values()
    users = int(values["users"])
    fast = closed._solve_loaded(m.key, values, users)
    metrics = {name: closed.evaluate(m, name, values, True) for name in closed.CLOSED_METRICS}
    with monkeypatch.context() as patch:
        patch.setattr(closed, "_queueing_throughput", lambda *args: None)  # every Brent step by mva()
        patch.setattr(closed, "_solve_loaded", _previous_solve_loaded)
        before = _previous_solve_loaded(m.key, values, users)
        previous = {name: closed.evaluate(m, name, values, True) for name in closed.CLOSED_METRICS}
    assert float(fast[0].system_throughput) == pytest.approx(float(before[0].system_throughput), rel=1e-12, abs=0)
    np.testing.assert_allclose(fast[0].residence_time, before[0].residence_time, rtol=1e-12, atol=0)
    np.testing.assert_allclose(fast[3], before[3], rtol=1e-12, atol=0)        # the shadow servers' inflation
    assert [s[0] for s in fast[1]] == [s[0] for s in before[1]]
    np.testing.assert_allclose([s[1] for s in fast[1]] + [fast[2]], [s[1] for s in before[1]] + [before[2]],
                               rtol=1e-12, atol=0)                              # demands and delay at X
    assert fast[4] == before[4]
    for name in closed.CLOSED_METRICS:
        assert metrics[name] == pytest.approx(previous[name], rel=1e-12, abs=0), name


def test_the_cases_take_both_kinds_of_step():
    """The cases above cover Brent's steps by the float kernel and by MVA (a multi-server guest)."""
    kinds = set()
    for m in CASES.values():
        values = m.values()
        stations, delay = closed._numeric_stations(m.key, {**values, "arrival_rate": 1.0})
        servers = closed.network(stations, delay, int(values["vms"]), int(values["users"]))[1]
        kinds.add(closed._queueing_throughput(servers, int(values["users"]), 0.0) is None)
    assert kinds == {True, False}


def test_the_float_kernel_gives_mvas_throughput_exactly():
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(300):
        K = int(rng.integers(1, 6))
        users = int(rng.integers(1, 60))
        servers = rng.choice([1.0, 1.0, np.inf, float(users), float(users + 3)], K)
        demands = np.where(rng.random(K) < 0.15, 0.0, rng.uniform(1e-6, 1e-2, K))
        if demands.sum() == 0:
            continue
        think = float(rng.choice([0.0, rng.uniform(0, 0.05)]))
        throughput = closed._queueing_throughput(servers, users, think)
        assert throughput(list(demands)) == float(mva(demands, users, think, servers).system_throughput)
        checked += 1
    assert checked > 250


def test_the_float_kernel_leaves_multi_server_stations_to_mva():
    assert closed._queueing_throughput(np.array([1.0, 2.0]), 5, 0.0) is None
    assert closed._queueing_throughput(np.array([1.0, 2.0]), 2, 0.0) is not None   # c >= N: a delay


def test_the_structure_cache_is_per_structure():
    on = _model(get("hardware_assist", wakeups="on"), "small_packet_rr", Platform(vms=1), users=8, think_time=1e-4)
    off = _model(get("hardware_assist", wakeups="off"), "small_packet_rr", Platform(vms=1), users=8, think_time=1e-4)
    other_values = _model(get("hardware_assist", wakeups="on"), "web_serving", Platform(vms=1), users=3,
                          think_time=1e-3)
    sriov = _model(get("sriov", wakeups="on"), "small_packet_rr", Platform(vms=1), users=8, think_time=1e-4)
    assert closed._path(on.key) is closed._path(other_values.key)      # same structure: found once
    assert closed._path(on.key) is not closed._path(off.key)           # a flag changes the structure
    assert closed._load_dependent(on.key) and not closed._load_dependent(off.key)
    assert closed._path(on.key).bundle is closed_station_bundle(on.key)
    assert closed._path(on.key).bundle is not closed._path(off.key).bundle
    for m in (on, off, sriov, on):                                     # no structure sees another's stations
        point = {**m.values(), "arrival_rate": 5e4}
        got, delay = closed._numeric_stations(m.key, point)
        want, want_delay = _previous_stations(m.key, point)
        assert [s[0] for s in got] == [s[0] for s in want] == [st.name for st in derive(m.key).stations]
        np.testing.assert_allclose([s[1] for s in got] + [delay], [s[1] for s in want] + [want_delay],
                                   rtol=1e-12, atol=0)
    assert [s[0] for s in closed._numeric_stations(sriov.key, sriov.values())[0]] != \
        [s[0] for s in closed._numeric_stations(on.key, on.values())[0]]


def test_the_fixed_point_is_kept_by_structure_point_and_users():
    m = CASES["three VMs, wake-ups"]
    values = m.values()
    first = closed._solve_loaded(m.key, values, 20)
    assert closed._solve_loaded(m.key, dict(values), 20) is first          # the same point: kept
    again = closed._fixed_point(m.key, values, 20)                          # solved afresh: the same numbers
    assert float(again[0].system_throughput) == float(first[0].system_throughput)
    assert closed._solve_loaded(m.key, values, 19) is not first             # other users
    slower = closed._solve_loaded(m.key, {**values, "think_time": 1e-3}, 20)  # another value
    assert float(slower[0].system_throughput) < float(first[0].system_throughput)
    off = _model(get("hardware_assist", wakeups="off"), "small_packet_rr", Platform(vms=3), users=20,
                 think_time=2e-4)
    assert off.values() == values                                           # same values, another structure
    other = closed._solve_loaded(off.key, off.values(), 20)
    assert other is not first and other[1] != first[1]                      # its own demands
    assert float(other[0].system_throughput) == float(closed._fixed_point(off.key, off.values(), 20)[0].system_throughput)
    array_point = {**values, "think_time": np.array(2e-4)}                 # unhashable: solved afresh
    assert float(closed._solve_loaded(m.key, array_point, 20)[0].system_throughput) == \
        float(first[0].system_throughput)
