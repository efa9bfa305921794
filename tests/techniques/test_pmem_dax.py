"""A guest file system on virtio-pmem with DAX (techniques/pmem_dax.py).

Checks: ``file_backing="block"`` and ``pmem_io_share = 0`` are the previous model exactly; the vCPU's
extra demand per request is the hand computation :math:`\\phi n_{\\mathrm{io}} \\lceil b/P \\rceil
(t_x + c_{\\mathrm{hpf}}/f)` (nested: :math:`M t_x`) and the rest is the model with the moved I/O taken
out; more pages touched never cost less; zero fault cost and no I/O is the CPU-only model; bad input
is a ParameterError; the NumPy path agrees with the scalar one; the station network against the
discrete-event oracle.
"""

import math

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.pmem_dax import FILE_BACKINGS
from virtmodel.workload import Workload

METRICS = ("mean_latency", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores", "overhead",
           "low_load_slowdown")
#: a compile-like job with cold file reads as the device's block requests (a platform without a disk)
FILES = Workload(arrival_rate=20.0, cpu_time=5e-3, syscalls=200, page_faults=100, pte_updates=400,
                 context_switches=10, register_writes=20, interrupts=2, io_ops=12, io_bytes=4096,
                 io_interrupts=12, tlb_misses=5000)
PLATFORM = Platform(clock_hz=2.0e9)
CASES = [("hardware_assist", "virtio"), ("hardware_assist", "virtio_user"), ("nested", "virtio_user"),
         ("nested", "virtio"), ("hardware_assist", "emulated")]


def _tech(name, path, **kw):
    return get(name, io_path=path, **kw)


def _value(tech, workload, metric, platform=PLATFORM):
    return Model(tech, workload, platform).evaluate(metric)


@pytest.mark.parametrize("name,path", CASES)
@pytest.mark.parametrize("wakeups", ["on", "off"])
def test_block_and_no_share_are_the_previous_model(name, path, wakeups):
    block = _tech(name, path, wakeups=wakeups)
    assert block.file_backing == "block" and set(FILE_BACKINGS) == {"block", "pmem_dax"}
    none_moved = _tech(name, path, wakeups=wakeups, file_backing="pmem_dax", pmem_io_share=0.0)
    for metric in METRICS:
        assert _value(none_moved, FILES, metric) == pytest.approx(_value(block, FILES, metric), rel=1e-12)
    # the block model's formulas are the previous ones: the mixin hands them back untouched
    s_block = Model(block, FILES, PLATFORM).station_table()
    assert "vhost" not in s_block.index or s_block.loc["vhost", "demand"] > 0


def _stations(tech, workload):
    return Model(tech, workload, PLATFORM).station_table()["demand"]


@pytest.mark.parametrize("name,path", CASES)
@pytest.mark.parametrize("share", [1.0, 0.4])
def test_the_faults_are_the_hand_computation_and_the_rest_is_the_moved_io_taken_out(name, path, share):
    dax = _tech(name, path, wakeups="off", file_backing="pmem_dax", pmem_io_share=share)
    # the block model of the I/O left on the path: the counts scaled by (1 - share)
    left = FILES.replace(io_ops=(1 - share) * FILES.io_ops, io_interrupts=(1 - share) * FILES.io_interrupts)
    rest = _stations(_tech(name, path, wakeups="off"), left)
    got = _stations(dax, FILES)
    t = dax
    m = t.exit_multiplier if name == "nested" else 1.0
    t_x = m * (t.exit_cycles + t.exit_handling_cycles) / PLATFORM.clock_hz
    pages = math.ceil(FILES.io_bytes / t.pmem_page_bytes)
    faults = share * FILES.io_ops * pages * (t_x + t.pmem_host_fault_cycles / PLATFORM.clock_hz)
    assert t.pmem_host_fault_cycles == 3408.0 and t.pmem_page_bytes == 4096.0
    assert got["guest"] - rest["guest"] == pytest.approx(faults, rel=1e-9)
    for station in got.index.drop(["guest", "device"]):
        assert got[station] == pytest.approx(rest.get(station, 0.0), rel=1e-9, abs=1e-15)
    # the device keeps every I/O: the host file's data comes from the same store as the reference's
    full = _stations(_tech(name, path, wakeups="off"), FILES)
    assert got["device"] == pytest.approx(full["device"], rel=1e-12)


def test_a_nested_fault_pays_the_multiplied_exit():
    one = _tech("nested", "virtio_user", wakeups="off", file_backing="pmem_dax", exit_multiplier=1.0)
    ten = _tech("nested", "virtio_user", wakeups="off", file_backing="pmem_dax", exit_multiplier=10.0)
    block_one = _tech("nested", "virtio_user", wakeups="off", exit_multiplier=1.0)
    block_ten = _tech("nested", "virtio_user", wakeups="off", exit_multiplier=10.0)
    gap = (_stations(ten, FILES)["guest"] - _stations(block_ten, FILES)["guest"]) - \
        (_stations(one, FILES)["guest"] - _stations(block_one, FILES)["guest"])
    t_x = (one.exit_cycles + one.exit_handling_cycles) / PLATFORM.clock_hz
    # 9 more exits per fault, less the 9 more exits per moved kick and interrupt exit of the block path
    # (the block model's growth with M on the I/O workload less its growth on the same job without I/O)
    no_io = FILES.replace(io_ops=0, io_interrupts=0)
    growth = [_stations(block_ten, w)["guest"] - _stations(block_one, w)["guest"] for w in (FILES, no_io)]
    assert growth[0] > growth[1] > 0
    assert gap == pytest.approx(FILES.io_ops * 9 * t_x - (growth[0] - growth[1]), rel=1e-9)


@pytest.mark.parametrize("name,path", CASES[:3])
def test_more_pages_touched_cost_more(name, path):
    tech = _tech(name, path, file_backing="pmem_dax")
    cpu = [_value(tech, FILES.replace(io_bytes=b), "cpu_per_request") for b in (512, 4096, 8192, 65536)]
    assert cpu == sorted(cpu) and cpu[0] < cpu[-1]
    assert cpu[0] == pytest.approx(_value(tech, FILES.replace(io_bytes=4096), "cpu_per_request"), rel=1e-12)
    costly = [_value(tech.replace(pmem_host_fault_cycles=c), FILES, "cpu_per_request") for c in (0, 3408, 20000)]
    assert costly == sorted(costly) and costly[0] < costly[-1]


@pytest.mark.parametrize("name,path", CASES)
def test_no_fault_cost_and_no_file_io_is_the_cpu_only_model(name, path):
    free = dict(exit_cycles=0.0, exit_handling_cycles=0.0, pmem_host_fault_cycles=0.0)
    dax = _tech(name, path, file_backing="pmem_dax", **free)
    cpu_only = _tech(name, path, **free)
    no_io = FILES.replace(io_ops=0, io_interrupts=0)
    for metric in METRICS:
        assert _value(dax, no_io, metric) == pytest.approx(_value(cpu_only, no_io, metric), rel=1e-12)
    # every I/O moved at no fault cost: the technique's stations are the no-I/O model's
    got, want = _stations(dax.replace(wakeups="off"), FILES), _stations(cpu_only.replace(wakeups="off"), no_io)
    for station in want.index.drop("device", errors="ignore"):
        assert got[station] == pytest.approx(want[station], rel=1e-12)


def test_bad_input_is_a_parameter_error():
    with pytest.raises(ParameterError, match="file_backing"):
        Model(_tech("nested", "virtio_user", file_backing="pmem_dax"),
              FILES.replace(file_reads=2, page_cache_hit_ratio=0.5), Platform(disk="flash"))
    with pytest.raises(ParameterError, match="file_backing"):  # also when an override brings block requests
        Model(_tech("hardware_assist", "virtio", file_backing="pmem_dax"), FILES, Platform(disk="flash")).evaluate(
            "mean_latency", disk_writes=1.0)
    with pytest.raises(ParameterError, match="pmem_io_share"):
        _tech("hardware_assist", "virtio", file_backing="pmem_dax", pmem_io_share=1.5)
    with pytest.raises(ParameterError, match="pmem_page_bytes"):
        _tech("hardware_assist", "virtio", file_backing="pmem_dax", pmem_page_bytes=0.0)
    with pytest.raises(ParameterError, match="file_backing"):
        _tech("hardware_assist", "virtio", file_backing="pmem")
    # the block setting takes disk block requests as before
    Model(_tech("hardware_assist", "virtio"), FILES.replace(disk_writes=1.0), Platform(disk="flash"))


def test_the_numpy_path_agrees_with_the_scalar_one():
    model = Model(_tech("nested", "virtio_user", file_backing="pmem_dax"), FILES, PLATFORM)
    shares = np.array([0.0, 0.25, 0.5, 1.0])
    sizes = np.array([1024.0, 4096.0, 6000.0, 16384.0])
    for metric in ("mean_latency", "cpu_per_request"):
        arr = model.evaluate(metric, pmem_io_share=shares, io_bytes=sizes)
        one = [model.evaluate(metric, pmem_io_share=float(a), io_bytes=float(b)) for a, b in zip(shares, sizes)]
        np.testing.assert_allclose(arr, one, rtol=1e-12)


def test_the_requirement_turns_the_setting_on():
    from virtmodel.validation.applications import (MECHANISM_NAMES, REQUIREMENT_SETTINGS, SUPPORTED_MECHANISMS,
                                                   _recipe_settings, recipes)

    assert "virtio_pmem_dax" in SUPPORTED_MECHANISMS and "virtio_pmem_dax" in MECHANISM_NAMES
    assert REQUIREMENT_SETTINGS["virtio_pmem_dax"] == {"file_backing": "pmem_dax"}
    recipe = recipes()["actiond.llvm_firecracker_pmem"]
    assert _recipe_settings(recipe)["file_backing"] == "pmem_dax"
    assert "file_backing" not in _recipe_settings(recipes()["actiond.llvm_firecracker_blk"])


@pytest.mark.slow
def test_the_dax_network_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    base = Model(_tech("hardware_assist", "virtio_user", file_backing="pmem_dax", pmem_io_share=0.5), FILES, PLATFORM)
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(base.technique, FILES.replace(arrival_rate=rate), PLATFORM)
    sim, delay = simulate_model(model, customers=60_000, seed=7)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03)


def test_the_fused_kernel_agrees_with_numpy():
    pytest.importorskip("numba")
    from virtmodel.model import kernels

    model = Model(_tech("nested", "virtio_user", file_backing="pmem_dax", pmem_io_share=0.7), FILES, PLATFORM)
    sizes = np.linspace(100.0, 20000.0, 4096)  # the page count's ceiling across many page boundaries
    with kernels.using("numpy"):
        want = model.evaluate("mean_latency", io_bytes=sizes)
    with kernels.using("numba", min_points=1):
        got = model.evaluate("mean_latency", io_bytes=sizes)
    np.testing.assert_allclose(got, want, rtol=1e-12)
