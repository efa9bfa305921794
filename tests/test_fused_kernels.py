"""The fused kernels (virtmodel.model.kernels) give the NumPy path's values.

The reference is the NumPy stage of the same compiled bundle (itself held to
the golden values in test_golden_values.py, on small arrays); the kernel is
generated from the same expressions, so the two must agree to 1e-12 relative
on every technique x metric, on 1-D, dense and broadcast 2-D grids, with saturated
points (inf) where the NumPy path has them.
"""

import time

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model, kernels, metric_names
from virtmodel.techniques import names

numba = pytest.importorskip("numba", reason="the fused kernels need the extra virtmodel[fast] (numba)")

N = 40_000  # above min_points: the kernel path


def _same(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, what
    if a.dtype.kind in "OU":
        assert (a == b).all(), what
        return
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=what)
    np.testing.assert_array_equal(np.isposinf(a), np.isposinf(b), err_msg=what)
    finite = np.isfinite(a)
    np.testing.assert_allclose(a[finite], b[finite], rtol=1e-12, atol=0, err_msg=what)


@pytest.mark.parametrize("technique", sorted(names()))
def test_every_metric_equals_numpy_path(technique):
    """All metrics at once (one fused bundle), 1-D over the arrival rate past saturation."""
    m = Model(technique, "small_packet_rr")
    lam = np.linspace(0.0, 1.2 * m.evaluate("throughput_limit"), N)
    with kernels.using("numpy"):
        ref = m.evaluate_many(None, arrival_rate=lam)
    with kernels.using("numba"):
        got = m.evaluate_many(None, arrival_rate=lam)
    assert np.isinf(ref["mean_latency"]).any() and np.isfinite(ref["mean_latency"]).any()
    for metric in metric_names():
        _same(got[metric], ref[metric], f"{technique} {metric}")


@pytest.mark.parametrize("technique", ["hardware_assist", "sriov", "paravirtual"])
def test_wakeups_on_equals_numpy_path(technique):
    """With wake-ups on the guest's demand grows with the load (interrupts outside NAPI's window,
    techniques/interrupt_window.py) and its capacity is a square root: the kernel still equals NumPy."""
    from virtmodel import techniques
    from virtmodel.analysis import sweep
    m = Model(techniques.get(technique, wakeups="on"), "small_packet_rr")
    lam = np.linspace(0.0, 1.2 * m.evaluate("throughput_limit"), N)
    with kernels.using("numpy"):
        ref = m.evaluate_many(None, arrival_rate=lam, io_interrupts=2.0)
        ref_ds = sweep(None, [m.technique], "small_packet_rr", arrival_rate=lam, io_interrupts=2.0)
    with kernels.using("numba"):
        got = m.evaluate_many(None, arrival_rate=lam, io_interrupts=2.0)
        got_ds = sweep(None, [m.technique], "small_packet_rr", arrival_rate=lam, io_interrupts=2.0)
    assert np.isinf(ref["mean_latency"]).any() and np.isfinite(ref["mean_latency"]).any()
    for metric in metric_names():
        _same(got[metric], ref[metric], f"{technique} wakeups=on {metric}")
        _same(got_ds[metric].values, ref_ds[metric].values, f"{technique} wakeups=on sweep {metric}")
    from virtmodel.model._compile import metric_bundle
    with kernels.using("numba", min_points=N):
        m.evaluate("mean_latency", arrival_rate=lam)
    assert metric_bundle(m.key, "mean_latency").stages(frozenset({"arrival_rate"})).kernel is not None


@pytest.mark.parametrize("technique", ["hardware_assist", "sriov", "paravirtual"])
def test_dense_grid_and_single_metrics(technique):
    """2-D inputs of the full shape (a meshgrid, as a chunk of scattered points), one metric at a time."""
    m = Model(technique, "small_packet_rr")
    lam, size = np.meshgrid(np.linspace(1.0, 1.1 * m.evaluate("throughput_limit"), 250),
                            np.linspace(64.0, 9000.0, 200))
    for metric in ("mean_latency", "p99", "overhead", "host_cores"):
        with kernels.using("numpy"):
            ref = m.evaluate(metric, arrival_rate=lam, io_bytes=size)
        with kernels.using("numba"):
            got = m.evaluate(metric, arrival_rate=lam, io_bytes=size)
        assert got.shape == (200, 250)
        _same(got, ref, f"{technique} {metric}")


@pytest.mark.parametrize("technique", ["hardware_assist", "sriov", "paravirtual", "nitro"])
@pytest.mark.parametrize("transpose", [False, True])
def test_broadcast_grids_equal_numpy_path(technique, transpose):
    """An outer-product grid (as a sweep over two 1-D axes and a dask chunk of one give) runs
    through the kernel, the Erlang C terms of one axis computed once per value of it, and gives
    the NumPy stage's values, past saturation too (a finely spaced axis puts points right at
    the edge, where a formula regrouped across axes rounds 1e-12 apart)."""
    from virtmodel.model._evaluate import fused

    m = Model(technique, "small_packet_rr")
    lam = np.linspace(1.0, 1.2 * m.evaluate("throughput_limit"), 2500)[None, :]
    size = np.linspace(64.0, 9000.0, 40)[:, None]
    if transpose:
        lam, size = lam.T, size.T
    for metric in ("mean_latency", "p99", "overhead", "host_cores", "latency_variance"):
        with kernels.using("numpy"):
            ref = m.evaluate(metric, arrival_rate=lam, io_bytes=size)
        with kernels.using("numba"):
            got = m.evaluate(metric, arrival_rate=lam, io_bytes=size)
        assert got.shape == ref.shape == np.broadcast_shapes(lam.shape, size.shape)
        _same(got, ref, f"{technique} {metric} transposed={transpose}")
    kernel = fused(m.key, ("mean_latency",)).bundle.stages(frozenset({"arrival_rate", "io_bytes"})).kernel
    assert kernel is not None and any(sig[-3] == "A" for sig in kernel.started())


def test_kernel_really_runs_and_small_arrays_stay_numpy():
    """The large call goes through a compiled kernel; below min_points none is built."""
    from virtmodel.model._compile import metric_bundle
    from virtmodel.model._evaluate import RHO_EDGE

    m = Model("sriov", "small_packet_rr")
    bundle = metric_bundle(m.key, "mean_latency")
    with kernels.using("numba", min_points=N):
        m.evaluate("mean_latency", arrival_rate=np.linspace(0, 1e4, N))
        stages = bundle.stages(frozenset({"arrival_rate"}))
        # the utilizations (outputs 1, 2) only checked below the saturation edge (no arrays written),
        # the latency (output 0) inf where one is not (masked in the kernel's pass), the arrival
        # rates' range checked in the same pass (>= 0 and finite: not "positive")
        sig = (1, (0,), "C", ("vcpus",), (frozenset({1, 2}), 1 - RHO_EDGE, False, (), (), ((0, (1, 2)),),
                                         (("arrival_rate", False),), True))
        assert stages.kernel is not None and stages.kernel.ready(sig, wait=False)
        fresh = metric_bundle(m.key, "throughput_limit").stages(frozenset({"arrival_rate"}))
        m.evaluate("throughput_limit", arrival_rate=np.linspace(0, 1e4, 100))
        assert fresh.kernel is None


def test_kernel_source_is_generated_from_the_expressions():
    from virtmodel.model._compile import metric_bundle

    m = Model("hardware_assist", "small_packet_rr")
    st = metric_bundle(m.key, "mean_latency").stages(frozenset({"arrival_rate"}))
    varying = {s for s in st.symbols if s.name == "arrival_rate"}
    source, varies = kernels.kernel_source(st.array_exprs, st.symbols, varying, (1, (0,), "C"))
    # an Erlang C station (the vCPUs) with a fixed number of servers: its gammaln(c + 1) once per call, before the loop
    assert "_erlang_lg(float(v_vcpus), _lg_v_vcpus, " in source and "for i0 in range" in source and all(varies)
    assert "_lg_v_vcpus = _gammaln(float(v_vcpus) + 1.0)" in source.split("for i0 in range")[0]
    # over (device_bandwidth, arrival_rate), the arrival rate along axis 1 only: its Erlang C terms once
    # per arrival rate, in a loop of their own before the grid's loops; the rest per point (the device's
    # bandwidth does not enter the vCPUs' demand; io_bytes does since segmentation offload counts segments)
    st = metric_bundle(m.key, "mean_latency").stages(frozenset({"arrival_rate", "device_bandwidth"}))
    varying = {s for s in st.symbols if s.name in ("arrival_rate", "device_bandwidth")}
    axes = tuple((1,) if s.name == "arrival_rate" else (0,) for s in st.symbols if s in varying)
    source, _ = kernels.kernel_source(st.array_exprs, st.symbols, varying, (2, *axes, "A"))
    before, grid = source.split("for i0 in range")
    assert "for j in range(out0.shape[1])" in before and "_erlang_lg(" in before and "_erlang" not in grid
    assert "v__axis0[i1]" in grid and "v_device_bandwidth_ = v_device_bandwidth[i0, i1]" in grid
    # the same arrival rate changing along both axes (a meshgrid): Erlang C at every point
    source, _ = kernels.kernel_source(st.array_exprs, st.symbols, varying, (2, *((0, 1),) * len(axes), "A"))
    assert "_erlang_lg(" in source.split("for i1 in range")[1]


def test_auto_mode_compiles_in_the_background():
    """auto: the first large call returns the NumPy values at once; later calls use the kernel."""
    m = Model("nitro", "small_packet_rr")
    lam = np.linspace(0.0, 0.9 * m.evaluate("throughput_limit"), N)
    with kernels.using("numpy"):
        ref = m.evaluate("p95", arrival_rate=lam)
    with kernels.using("auto", min_points=N):
        first = m.evaluate("p95", arrival_rate=lam)
        _same(first, ref, "first call")
        from virtmodel.model._evaluate import fused

        stages = fused(m.key, ("p*",)).bundle.stages(frozenset({"arrival_rate"}))
        (sig,) = stages.kernel.started()  # the one signature the first call started compiling
        assert sig[:4] == (1, (0,), "C", ("vcpus",))
        deadline = time.monotonic() + 60
        while not stages.kernel.ready(sig, wait=False) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stages.kernel.ready(sig, wait=False)
        _same(m.evaluate("p95", arrival_rate=lam), ref, "kernel call")


def test_configure_checks_its_arguments():
    with pytest.raises(ParameterError, match="mode"):
        kernels.configure(mode="fortran")
    with pytest.raises(ParameterError, match="min_points"):
        kernels.configure(min_points=0)
    assert kernels.settings()["mode"] == "auto"


@pytest.mark.parametrize("technique", ["sriov", "hardware_assist", "paravirtual"])
def test_saturated_points_in_a_fused_sweep_are_inf_as_on_the_numpy_path(technique):
    """The kernel only checks the utilizations below the edge; past saturation (and with a NaN
    input) the call is computed again with them in full, and masks exactly as NumPy does."""
    m = Model(technique, "small_packet_rr")
    top = m.evaluate("throughput_limit")
    lam = np.linspace(0.0, 1.5 * top, N)
    for metric in ("mean_latency", "p99", "overhead", "host_cores"):
        with kernels.using("numpy"):
            ref = m.evaluate(metric, arrival_rate=lam)
        with kernels.using("numba", min_points=N):
            got = m.evaluate(metric, arrival_rate=lam)
        _same(got, ref, f"{technique} {metric}")
        if metric == "mean_latency":
            assert np.isinf(got[lam >= top * 1.0001]).all() and np.isfinite(got[lam < 0.99 * top]).all()


@pytest.mark.parametrize("ps", [[0.5, 0.95, 0.99, 0.999, 0.9999], [0.5, 0.95, 0.99]])
@pytest.mark.parametrize("delay_varies", [False, True])
def test_percentile_kernel_equals_numpy_path_in_every_region(delay_varies, ps):
    """Gamma-fit percentiles plus the delay in one numba pass: shapes k over 1e-8..1e10 (both
    spline tables and exact gammaincinv beyond them), point masses, NaN, the saturation edge,
    with and without a p outside the tables' range (the kernel's shortcut where every p is in them)."""
    from virtmodel.queueing._percentile_kernel import gamma_quantiles_plus

    rng = np.random.default_rng(3)
    n = 60_000
    k = np.exp(rng.uniform(np.log(1e-8), np.log(1e10), n))
    mean = rng.uniform(1e-6, 1e-3, n)
    var = mean**2 / k
    var[:8] = [0.0, np.nan, np.inf, 1.0, -1.0, 1e-40, 2e-6, 0.0]
    mean[:8] = [1e-4, 1e-4, 1e-4, np.inf, 1e-4, 1e-3, np.nan, 0.0]
    delay = rng.uniform(0, 1e-5, n) if delay_varies else np.asarray(3e-6)
    with np.errstate(all="ignore"):
        with kernels.using("numpy"):
            ref = gamma_quantiles_plus(mean, var, ps, delay)
        with kernels.using("numba"):
            got = gamma_quantiles_plus(mean, var, ps, delay)
    for p, a, b in zip(ps, got, ref):
        _same(a, b, f"p = {p}")
    valid = rng.uniform(size=n) < 0.9
    with kernels.using("numba"), np.errstate(all="ignore"):  # really the kernel: its rows share one block
        got = gamma_quantiles_plus(mean, var, ps, delay, valid)
    assert got[0].base is not None and got[0].base is got[1].base
    with kernels.using("numpy"), np.errstate(all="ignore"):  # the NumPy path sets inf there too
        masked = gamma_quantiles_plus(mean, var, ps, delay, valid)
    for p, a, b, c in zip(ps, got, ref, masked):  # inf where not valid, the same values elsewhere
        assert np.isposinf(a[~valid]).all()
        _same(a[valid], b[valid], f"p = {p}, valid points")
        _same(c, a, f"p = {p}, NumPy path with valid")


def test_background_builds_run_once_per_key_and_keep_errors():
    """The shared compile-once helper (model kernels and the percentile kernel): one build per
    key however many callers ask, None while building for a caller that does not wait, and a
    failed build's exception as its value."""
    import threading

    from virtmodel._background import Builds

    gate, calls = threading.Event(), []

    def build(key):
        calls.append(key)
        gate.wait(10)
        if key == "bad":
            raise ValueError("no kernel")
        return key.upper()

    b = Builds(build, "test-build")
    assert b.get("a", wait=False) is None and b.get("a", wait=False) is None  # still building
    gate.set()
    assert b.get("a", wait=True) == "A" and b.get("a", wait=False) == "A"
    assert isinstance(b.get("bad", wait=True), ValueError)
    assert calls == ["a", "bad"] and b.started() == ("a", "bad") and b.peek("c") is None


def test_three_axis_grid_equals_numpy_path():
    """Three broadcast axes (each input along its own): one loop per axis, the NumPy stage's values."""
    m = Model("hardware_assist", "small_packet_rr")
    lam = np.linspace(1.0, 1.1 * m.evaluate("throughput_limit"), 400)[:, None, None]
    size = np.linspace(64.0, 9000.0, 20)[None, :, None]
    vms = np.array([1.0, 2.0, 4.0, 8.0, 16.0])[None, None, :]
    for metric in ("mean_latency", "p99", "latency_variance"):
        with kernels.using("numpy"):
            ref = m.evaluate(metric, arrival_rate=lam, io_bytes=size, vms=vms)
        with kernels.using("numba"):
            got = m.evaluate(metric, arrival_rate=lam, io_bytes=size, vms=vms)
        assert got.shape == (400, 20, 5) and np.isinf(ref).any() and np.isfinite(ref).any()
        _same(got, ref, metric)
    from virtmodel.model._evaluate import fused

    kernel = fused(m.key, ("mean_latency",)).bundle.stages(frozenset({"arrival_rate", "io_bytes", "vms"})).kernel
    assert any(sig[0] == 3 and kernel.ready(sig, wait=False) for sig in kernel.started())


@pytest.mark.parametrize("technique", ["emulation", "hardware_assist", "sriov", "nitro"])
def test_kernels_on_every_core_equal_the_one_thread_kernels(technique, monkeypatch):
    """``parallel_min_points`` lowered: the outermost loop is a prange (the percentile kernel's
    too); every point is computed as in the one-thread loop, so the values are the same bits,
    saturated points and all (1-D past saturation, and a broadcast 2-D grid)."""
    monkeypatch.setattr(kernels, "_spare_core", lambda: True)  # whatever the machine's load
    m = Model(technique, "small_packet_rr")
    top = m.evaluate("throughput_limit")
    grids = [{"arrival_rate": np.linspace(0.0, 1.2 * top, N)},
             {"arrival_rate": np.linspace(1.0, 1.1 * top, 2_000)[:, None],
              "io_bytes": np.linspace(64.0, 9000.0, 20)[None, :]}]
    for grid in grids:
        with kernels.using("numba", parallel_min_points=10**9):
            one = m.evaluate_many(None, **grid)
        with kernels.using("numba", parallel_min_points=1):
            assert kernels.parallel(N)
            every = m.evaluate_many(None, **grid)
        with kernels.using("numpy"):
            ref = m.evaluate_many(None, **grid)
        for metric in metric_names():
            np.testing.assert_array_equal(every[metric], one[metric], err_msg=f"{technique} {metric}")
            _same(every[metric], ref[metric], f"{technique} {metric}")
    from virtmodel.model._compile import metric_bundle

    for threads in (1, 10**9):
        with kernels.using("numba", parallel_min_points=threads):
            m.evaluate("mean_latency", arrival_rate=grids[0]["arrival_rate"])
    kernel = metric_bundle(m.key, "mean_latency").stages(frozenset({"arrival_rate"})).kernel
    assert any(sig[-1][2] for sig in kernel.started()) and any(not sig[-1][2] for sig in kernel.started())


def test_parallel_kernels_only_for_large_arrays_on_the_main_thread(monkeypatch):
    """Other threads (dask's) run one-thread kernels side by side; small arrays stay on one thread;
    so do all while the load average leaves no core to spare."""
    import os
    import threading

    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(kernels, "_runnable_now", lambda: 1)  # this thread alone
    with kernels.using("auto", parallel_min_points=1000):
        assert kernels.parallel(10**6)
        monkeypatch.setattr(os, "getloadavg", lambda: (1.6, 1.0, 1.0))
        assert not kernels.parallel(10**6)
    monkeypatch.setattr(kernels, "_spare_core", lambda: True)

    with kernels.using("auto", parallel_min_points=1000):
        seen = []
        worker = threading.Thread(target=lambda: seen.append(kernels.parallel(10**6)))
        worker.start()
        worker.join()
        assert seen == [False] and not kernels.parallel(999)
    with pytest.raises(ParameterError, match="parallel_min_points"):
        kernels.configure(parallel_min_points=0)


def test_parallel_kernels_not_while_another_task_holds_a_core(monkeypatch):
    """The 1-minute load average lags: a process that started seconds ago leaves it low while it
    keeps a core busy. Two threads only while the tasks runnable right now leave a core to this
    one; where that count is unknown, the load average alone decides."""
    import os

    monkeypatch.setattr(os, "getloadavg", lambda: (0.4, 1.0, 1.0))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    with kernels.using("auto", parallel_min_points=1000):
        for running, two in ((1, True), (2, False), (3, False), (None, True)):
            monkeypatch.setattr(kernels, "_runnable_now", lambda: running)
            assert kernels.parallel(10**6) is two, running
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(4)), raising=False)
        for running, two in ((3, True), (4, False)):
            monkeypatch.setattr(kernels, "_runnable_now", lambda: running)
            assert kernels.parallel(10**6) is two, running


def test_runnable_now_reads_this_thread_at_least():
    """On Linux the count includes the calling thread (it is running while it reads)."""
    got = kernels._runnable_now()
    assert got is None or got >= 1
    source, _ = kernels.kernel_source(*_sriov_stage(), (1, (0,), "C"), threads=True)
    assert "for i0 in prange(out0.shape[0])" in source


def _sriov_stage():
    from virtmodel.model._compile import metric_bundle

    st = metric_bundle(Model("sriov", "small_packet_rr").key, "mean_latency").stages(frozenset({"arrival_rate"}))
    return st.array_exprs, st.symbols, {s for s in st.symbols if s.name == "arrival_rate"}


def test_bottleneck_names_are_written_into_the_given_row():
    """A sweep's string block row, as wide as the longest station name, takes the names in place
    where the capacities vary at every point; the same names as without it (and where they do not
    vary, one name of its own width, broadcast, as always)."""
    from virtmodel.model._derive import derive
    from virtmodel.model._evaluate import evaluate_metrics

    for technique in ("paravirtual", "sriov"):
        m = Model(technique, "small_packet_rr")
        names = [st.name for st in derive(m.key).stations]
        for grid, varies in (({"io_bytes": np.linspace(64.0, 640_000.0, N)}, True),
                             ({"arrival_rate": np.linspace(0.0, 1.2 * m.evaluate("throughput_limit"), N)}, False)):
            values = {**m.values(), **grid}
            ref = evaluate_metrics(m.key, ["bottleneck"], values, False, False)["bottleneck"]
            row = np.empty(N, np.array(names + ["a longer name than any station"]).dtype)
            got = evaluate_metrics(m.key, ["bottleneck"], values, False, False, {"bottleneck": row})["bottleneck"]
            assert (got is row) == varies and (got == ref).all() and got.dtype == (row.dtype if varies else ref.dtype)
            assert set(ref) <= set(names) and (len(set(ref)) > 1) == varies


def test_a_sweeps_coordinate_copy_on_every_core_is_a_copy(monkeypatch):
    """The coordinate of a large writeable 1-D grid is copied (on every core when the kernels run
    there): the same values, memory of its own, unchanged when the caller's array changes."""
    from virtmodel.analysis import sweep

    monkeypatch.setattr(kernels, "_spare_core", lambda: True)
    lam = np.linspace(0.0, 5e4, N)
    with kernels.using("numba", parallel_min_points=1):
        got = kernels.copy(lam)
        ds = sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=lam)
    assert got is not lam and not np.shares_memory(got, lam) and np.array_equal(got, lam)
    before = ds["arrival_rate"].values.copy()
    lam[:] = -1.0
    assert np.array_equal(ds["arrival_rate"].values, before)
    with kernels.using("numpy"):
        assert np.array_equal(kernels.copy(got), got) and kernels.copy(got) is not got


@pytest.mark.parametrize("threads", [1, 10**9])
def test_a_kernel_copies_the_sweeps_coordinate_in_its_own_pass(threads, monkeypatch):
    """Inside ``kernels.copying``, the first kernel that reads the source writes its copy (once,
    not again for the next technique); a kernel that does not read it (another array, a
    broadcast grid, the NumPy path) leaves the target alone. The sweep's coordinate is then
    that copy: the caller's values, memory of its own, and the results are unchanged."""
    from virtmodel.analysis import sweep

    monkeypatch.setattr(kernels, "_spare_core", lambda: True)
    m = Model("sriov", "small_packet_rr")
    lam = np.linspace(0.0, 1.2 * m.evaluate("throughput_limit"), N)
    with kernels.using("numba", parallel_min_points=threads):
        target = np.full(N, -7.0)
        with kernels.copying([(lam, target)]) as written:
            first = m.evaluate("mean_latency", arrival_rate=lam)
            assert len(written) == 1 and written[0] is target and np.array_equal(target, lam)
            target[:] = -7.0
            m.evaluate("mean_latency", arrival_rate=lam)  # already copied: not again
        assert (target == -7.0).all()
        with kernels.copying([(lam, target)]) as written:
            m.evaluate("mean_latency", arrival_rate=lam.copy())  # another array: not this source
            m.evaluate("mean_latency", arrival_rate=lam[:, None], io_bytes=np.array([64.0, 128.0]))
        assert written == [] and (target == -7.0).all()
        ds = sweep(["mean_latency", "p99"], ["sriov", "hardware_assist"], "small_packet_rr", arrival_rate=lam)
    with kernels.using("numpy"):
        with kernels.copying([(lam, target)]) as written:
            ref = m.evaluate("mean_latency", arrival_rate=lam)
        assert written == [] and (target == -7.0).all()
        ref_ds = sweep(["mean_latency", "p99"], ["sriov", "hardware_assist"], "small_packet_rr", arrival_rate=lam)
    _same(first, ref, "mean latency")
    for metric in ("mean_latency", "p99"):
        _same(ds[metric].values, ref_ds[metric].values, metric)
    coordinate = ds["arrival_rate"].values
    assert np.array_equal(coordinate, lam) and not np.shares_memory(coordinate, lam)
    lam[:] = -1.0
    assert np.array_equal(coordinate, ref_ds["arrival_rate"].values)


def test_saturation_flags_in_the_threads_scratch_memory_do_not_leak_between_calls():
    """The kernels' saturation flags live in one buffer per thread, reused by the next call: two
    evaluations saturated at different points, one after the other and interleaved with a third
    technique's, each give the NumPy path's inf pattern."""
    lams = {}
    models = [Model(t, "small_packet_rr") for t in ("sriov", "hardware_assist", "paravirtual")]
    for m in models:
        top = m.evaluate("throughput_limit")
        lams[m.technique.name] = [np.linspace(0.0, 1.3 * top, N), np.linspace(1.3 * top, 0.0, N)]
    with kernels.using("numpy"):
        ref = {(m.technique.name, k): m.evaluate_many(["mean_latency", "p99"], arrival_rate=lams[m.technique.name][k])
               for m in models for k in (0, 1)}
    with kernels.using("numba"):
        for k in (0, 1, 0, 1):
            for m in models:
                got = m.evaluate_many(["mean_latency", "p99"], arrival_rate=lams[m.technique.name][k])
                for metric in ("mean_latency", "p99"):
                    assert np.isinf(got[metric]).any() and np.isfinite(got[metric]).any()
                    _same(got[metric], ref[(m.technique.name, k)][metric], f"{m.technique.name} {k} {metric}")


def test_erlang_c_on_tiles_is_the_numpy_paths_recursion_bit_for_bit():
    """The kernels' tile function (the Erlang B recursion's one step, compiled) gives the bits of
    the NumPy path's ``erlang_c_over_load`` for whole numbers of servers up to RECURSION_SERVERS,
    at loads from 0 to past saturation; a tile of any length, one point too."""
    from virtmodel.queueing.erlang_function import RECURSION_SERVERS, erlang_c_over_load

    erlang_tile = kernels._special()[4]
    a = np.concatenate([[0.0, 1e-300, 1e-9], np.linspace(0.0, 80.0, 997)])
    for c in (2, 3, 8, 32, RECURSION_SERVERS):
        ref = erlang_c_over_load(float(c), a)
        for n in (1, 7, a.size):
            got = np.empty(n)
            erlang_tile(float(c), a[:n], got)
            np.testing.assert_array_equal(got, ref[:n], err_msg=f"c={c} n={n}")


@pytest.mark.parametrize("cores", [32, 200])
def test_multi_server_terms_on_tiles_equal_the_numpy_path(cores, monkeypatch):
    """A multi-server station whose load changes at every point of the grid (binary translation's
    back-end: arrival rate x I/O size) takes the tile recursion for a whole number of servers up
    to RECURSION_SERVERS (``_erlang_tile`` in the kernel), SciPy's ``gammaincc`` per point above
    it; 1-D and 2-D grids, one thread and every core, past saturation: the NumPy path's values."""
    from virtmodel.model._evaluate import fused
    from virtmodel.platform import Platform

    monkeypatch.setattr(kernels, "_spare_core", lambda: True)
    m = Model("binary_translation", "small_packet_rr", Platform(cores=cores))
    top = m.evaluate("throughput_limit")
    grids = [{"arrival_rate": np.linspace(1.0, 1.2 * top, N), "io_bytes": np.linspace(64.0, 9000.0, N)},
             {"arrival_rate": np.linspace(1.0, 1.2 * top, 1_500)[:, None],
              "io_bytes": np.linspace(64.0, 9000.0, 300)[None, :]}]
    for grid in grids:
        with kernels.using("numpy"):
            ref = m.evaluate_many(["mean_latency", "p99", "latency_variance"], **grid)
        for threads in (1, 10**9):
            with kernels.using("numba", parallel_min_points=threads):
                got = m.evaluate_many(["mean_latency", "p99", "latency_variance"], **grid)
            for metric in ref:
                assert np.isinf(got[metric]).any() and np.isfinite(got[metric]).any()
                _same(got[metric], ref[metric], f"{cores} cores {metric} {threads}")
    kernel = fused(m.key, ("mean_latency", "p*", "latency_variance")).bundle.stages(
        frozenset({"arrival_rate", "io_bytes"})).kernel
    expected = ("cores",) if cores <= 64 else ()  # (the bundle is shared with the other cores' model)
    sig = next(sig for sig in kernel.started() if sig[-1][4] == expected)
    source, _ = kernels.kernel_source(kernel.exprs, kernel.symbols, kernel.varying, sig[:-2],
                                      {s for s in kernel.symbols if s.name in sig[-2]},
                                      recursive={s for s in kernel.symbols if s.name in sig[-1][4]})
    assert ("_erlang_tile(" in source) == (cores <= 64) and ("_erlang_lg(" in source) == (cores > 64)


def test_results_never_share_the_threads_scratch_memory():
    """The percentiles' inputs (queueing time, variance) and the saturation flags are computed into
    the thread's scratch memory (kernels.scratch) when the caller does not ask for the variance:
    no result shares it, so a result is unchanged by the next call; with the variance asked
    for, it is a result of its own. Values as on the NumPy path."""
    m = Model("hardware_assist", "small_packet_rr")
    top = m.evaluate("throughput_limit")
    lams = [np.linspace(0.0, 1.3 * top, N), np.linspace(1.3 * top, 0.0, N)]
    with kernels.using("numpy"):
        ref = [m.evaluate_many(["mean_latency", "p99", "latency_variance"], arrival_rate=lam) for lam in lams]
    with kernels.using("numba"):
        first = m.evaluate_many(["p50", "p99"], arrival_rate=lams[0])
        kept = {k: v.copy() for k, v in first.items()}
        both = m.evaluate_many(["latency_variance", "p99"], arrival_rate=lams[1])
        again = m.evaluate_many(["mean_latency", "p99"], arrival_rate=lams[1])
    buffers = kernels._SCRATCH.buffers.values()
    for result in (first, both, again):
        for value in result.values():
            assert not any(np.shares_memory(value, b) for b in buffers)
    for metric in first:
        np.testing.assert_array_equal(first[metric], kept[metric])
    _same(first["p99"], ref[0]["p99"], "p99")
    for metric in ("latency_variance", "p99"):
        _same(both[metric], ref[1][metric], metric)
    _same(again["mean_latency"], ref[1]["mean_latency"], "mean latency")


@pytest.mark.parametrize("case", ["one", "grid", "names"])
def test_a_sweeps_dataset_built_directly_is_the_public_constructions(case, monkeypatch):
    """The in-memory sweep builds its Dataset from its parts (xarray's ``_construct_direct``): the
    same Dataset, coordinates, indexes and order as ``xarray.Dataset(...)`` builds."""
    import sys

    import xarray as xr

    from virtmodel.analysis import sweep

    module = sys.modules["virtmodel.analysis.sweep"]
    lam = np.linspace(0.0, 5e4, 1000)
    metrics, techniques, grid = {
        "one": ("mean_latency", "sriov", {"arrival_rate": lam}),
        "grid": (None, ["sriov", "hardware_assist"], {"arrival_rate": lam, "io_bytes": np.linspace(64.0, 9e3, 7)}),
        "names": (["p99", "bottleneck"], ["paravirtual", "sriov"], {"arrival_rate": lam}),
    }[case]
    got = sweep(metrics, techniques, "small_packet_rr", **grid)
    public = module._dataset
    monkeypatch.setattr(module, "_dataset", lambda *args: public(*args, direct=False))
    ref = sweep(metrics, techniques, "small_packet_rr", **grid)
    xr.testing.assert_identical(got, ref)
    assert list(got.variables) == list(ref.variables) and list(got.sizes) == list(ref.sizes)
    assert list(got.xindexes) == list(ref.xindexes) and got.attrs == ref.attrs
    assert all(got[name].attrs == ref[name].attrs for name in ref.variables)


def test_percentile_kernel_ignores_what_out_held():
    """The kernel runs NumPy's ``exp`` over its output rows after the spline pass: whatever the
    caller's ``out`` held before (NaN, huge values, as in fresh memory) does not reach the result,
    saturated points included, and a second call on the same thread (its scratch memory reused
    for other inputs) gives that call's own values."""
    from virtmodel.queueing._percentile_kernel import gamma_quantiles_plus

    rng = np.random.default_rng(5)
    n = 50_000
    ps = [0.5, 0.99, 0.99999]  # the last beyond the tables: gammaincinv
    results = []
    for seed in range(2):
        mean = rng.uniform(1e-6, 1e-3, n)
        var = mean**2 / np.exp(rng.uniform(np.log(1e-3), np.log(1e4), n))
        valid = rng.uniform(size=n) < 0.7
        with kernels.using("numpy"), np.errstate(all="ignore"):
            ref = gamma_quantiles_plus(mean, var, ps, 1e-6, valid)
        for fill in (np.nan, 1e308, -1e308):
            out = np.full((len(ps), n), fill)
            with kernels.using("numba"), np.errstate(all="ignore"):
                got = gamma_quantiles_plus(mean, var, ps, 1e-6, valid, out=out)
            assert np.shares_memory(got[0], out)
            for p, a, b in zip(ps, got, ref):
                _same(a, b, f"p = {p}, out filled with {fill}, call {seed}")
                assert np.isposinf(a[~valid]).all()
        results.append(got[1].copy())
    assert not np.array_equal(results[0], results[1])


def test_chunk_blocks_reused_only_when_no_view_is_left():
    """The lazy sweep's result blocks (``_lazy.BlockPool``): memory goes back for reuse only once
    the block and every view of it are gone; then the next block of that size is the same
    memory; at most ``keep_bytes`` is kept free."""
    from virtmodel.analysis._lazy import BlockPool

    pool = BlockPool(3 * 800)
    block = pool.take((4, 25))
    assert block.shape == (4, 25) and block.dtype == np.float64 and block.flags.writeable
    address = block.ctypes.data
    view = np.moveaxis(block, 0, -1)[1:].T[::2]
    view[...] = 7.0
    del block
    assert pool.free_bytes() == 0
    other = pool.take((4, 25))  # the first block is still seen through view: new memory
    assert other.ctypes.data != address
    other[...] = 1.0
    assert (view == 7.0).all()
    del view
    assert pool.free_bytes() == 800
    again = pool.take((100,))
    assert again.ctypes.data == address and pool.free_bytes() == 0
    again[...] = 0.0
    assert (other == 1.0).all()
    blocks = [pool.take((100,)) for _ in range(5)] + [other, again]
    del other, again
    blocks.clear()
    assert pool.free_bytes() == 3 * 800


def test_chunk_results_kept_by_the_caller_are_not_overwritten():
    """A chunk task's results (``_lazy.ChunkKernel``, views of pooled blocks) that are still held
    keep their values while later tasks (other inputs, blocks of the same size) run; results that
    were dropped give their memory to the next task; the values equal the in-memory sweep's."""
    from virtmodel.analysis import sweep
    from virtmodel.analysis._lazy import BLOCKS, ChunkKernel
    from virtmodel.model import Model

    rates, sizes = np.linspace(1e3, 5e4, 300)[None, :], np.linspace(64.0, 9000.0, 200)[:, None]
    techs = ["paravirtual", "sriov"]
    task = ChunkKernel([Model(t, "small_packet_rr") for t in techs], ["mean_latency", "p99"],
                       ["arrival_rate", "io_bytes"])
    with kernels.using("numba"):
        first = task(rates, sizes)
        kept = [a.copy() for a in first]
        dropped = set()
        for scale in (0.5, 0.7, 0.9):
            later = task(rates * scale, sizes)
            dropped |= {a.ctypes.data for a in later}
        del later
        again = {a.ctypes.data for a in task(rates * 0.3, sizes)}
    assert again <= dropped and not again & {a.ctypes.data for a in first}
    eager = sweep(["mean_latency", "p99"], techs, "small_packet_rr", arrival_rate=rates[0], io_bytes=sizes[:, 0])
    for a, b, metric in zip(first, kept, ("mean_latency", "p99")):
        np.testing.assert_array_equal(a, b)
        _same(np.moveaxis(a, -1, 0), eager[metric].transpose("technique", "io_bytes", "arrival_rate").values, metric)
    assert BLOCKS.free_bytes() <= BLOCKS.keep_bytes


def test_metrics_that_do_not_vary_along_the_grid_are_one_value_per_technique():
    """A metric no technique's value varies along the grid (a throughput limit over arrival
    rates, the bottleneck's name) is a read-only broadcast view of one value per technique, equal
    to the model's own value; a metric that varies for some techniques only is a full writeable
    array, the others' values written at every point; both equal the NumPy path's sweep."""
    from virtmodel.analysis import sweep

    techs = ["native", "paravirtual", "sriov", "nitro"]
    lam = np.linspace(0.0, 9e4, N)
    with kernels.using("numba", min_points=8):
        ds = sweep(None, techs, "small_packet_rr", arrival_rate=lam)
    with kernels.using("numpy"):
        ref = sweep(None, techs, "small_packet_rr", arrival_rate=lam)
    for name in ("throughput_limit", "capacity_ratio", "bottleneck"):
        data = ds[name].data
        assert not data.flags.writeable and data.strides[1] == 0, name
        for t, tech in enumerate(techs):
            _same(data[t, :1], [Model(tech, "small_packet_rr").evaluate(name)], (name, tech))
    assert ds["bottleneck"].dtype == ref["bottleneck"].dtype
    host = ds["host_cores"].data  # native's is 0 at every point, paravirtual's grows with the load
    assert host.flags.writeable and host.strides[1] == 8 and np.ptp(host[1]) > 0
    assert (host[0] == Model("native", "small_packet_rr").evaluate("host_cores")).all()
    for name in ds.data_vars:
        _same(ds[name].values, ref[name].values, name)


def test_a_single_point_grid_keeps_writeable_arrays():
    from virtmodel.analysis import sweep

    one = sweep(["throughput_limit", "bottleneck"], ["sriov", "native"], "small_packet_rr", arrival_rate=[5e3])
    assert one["throughput_limit"].data.flags.writeable and one["throughput_limit"].shape == (2, 1)
    scalars = sweep(["throughput_limit"], ["sriov", "native"], "small_packet_rr", arrival_rate=5e3)
    assert scalars["throughput_limit"].data.flags.writeable and scalars["throughput_limit"].shape == (2,)


def test_the_kernel_masks_saturated_latencies_in_its_own_pass(monkeypatch):
    """Where the fused kernel checks every utilization that guards a latency, it writes ``inf``
    there itself (no masking pass afterwards); the values equal the NumPy path's, inf at the same
    points. An output whose guards the kernel does not all check is left to the caller."""
    from virtmodel.model import _evaluate

    m = Model("paravirtual", "small_packet_rr")
    lam = np.linspace(0.0, 1.5 * m.evaluate("throughput_limit"), N)
    metrics = ["mean_latency", "latency_variance", "overhead", "p99"]
    afterwards = []
    masked = _evaluate._masked
    monkeypatch.setattr(_evaluate, "_masked", lambda value, ok, own: afterwards.append(value) or masked(value, ok, own))
    with kernels.using("numba", min_points=8):
        got = m.evaluate_many(metrics, arrival_rate=lam)
    assert afterwards == []
    with kernels.using("numpy"):
        ref = m.evaluate_many(metrics, arrival_rate=lam)
    assert len(afterwards) == 3  # the NumPy path masks afterwards
    for name in metrics:
        _same(got[name], ref[name], name)
        assert np.isposinf(got[name][-1]) and np.isfinite(got[name][0]), name
    assert kernels.masked_outputs([True, True, True, False], [False, False, True, False],
                                  [(0, (2,)), (1, (2, 3)), (3, (2,))]) == [(0, (2,))]


def test_masked_outputs_appear_in_the_kernel_source():
    stage = _sriov_stage()
    exprs, symbols, varying = stage
    n = len(exprs)
    source, kinds = kernels.kernel_source(exprs, symbols, varying, (1, (0,), "C"), below={n - 1},
                                          masked=[(0, (n - 1,))])
    assert kinds[n - 1] == "checked" and "if _below0 else math.inf" in source


def test_a_sweeps_result_memory_is_reused_only_once_no_view_of_it_is_left(monkeypatch):
    """A large in-memory sweep's block is an earlier result's memory once nothing of that result
    is left (a view kept from it keeps its values), with the values of a sweep in new memory;
    nothing is kept when the pool may keep nothing."""
    import importlib

    sweep_module = importlib.import_module("virtmodel.analysis.sweep")
    pool = sweep_module.RESULTS
    args = (["mean_latency", "p99", "guest_cores", "throughput_limit"], ["sriov", "paravirtual"], "small_packet_rr")
    lam = np.linspace(0.0, 9e4, N)
    pool.clear()

    def start(ds):  # the block's memory
        return ds["mean_latency"].data.base.__array_interface__["data"][0]

    first = sweep_module.sweep(*args, arrival_rate=lam)
    kept, expected = first["p99"].values, first["p99"].values.copy()
    used = {start(first)}
    del first  # a view of its block is still here: its memory is not free
    assert pool.free_bytes() == 0
    second = sweep_module.sweep(*args, arrival_rate=0.5 * lam)
    assert not np.shares_memory(second["p99"].values, kept)
    np.testing.assert_array_equal(kept, expected)
    used.add(start(second))
    values = {m: second[m].values.copy() for m in second.data_vars}
    del kept, second
    assert pool.free_bytes() > 0
    third = sweep_module.sweep(*args, arrival_rate=0.5 * lam)
    assert start(third) in used
    for m, v in values.items():
        np.testing.assert_array_equal(third[m].values, v, err_msg=m)
    monkeypatch.setattr(pool, "keep_bytes", lambda: 0)
    del third
    assert pool.free_bytes() == 0


def test_the_result_pools_limit_reads_the_free_memory_at_most_once_a_window(monkeypatch):
    """:func:`sweep._keep_bytes` reuses its reading of the free memory for ``KEEP_READING_SECONDS``
    (an eighth of it, at most 2 GiB), then reads again."""
    import importlib

    from virtmodel import _memory

    sweep_module = importlib.import_module("virtmodel.analysis.sweep")
    reads, free = [], [8 << 20]
    monkeypatch.setattr(_memory, "available_bytes", lambda: reads.append(1) or free[0])
    monkeypatch.setattr(_memory, "_reading", [float("-inf"), None, ()])
    clock = [100.0]
    monkeypatch.setattr(_memory.time, "monotonic", lambda: clock[0])
    assert sweep_module._keep_bytes() == 1 << 20 and len(reads) == 1
    free[0] = 64 << 30
    clock[0] += 0.5 * sweep_module.KEEP_READING_SECONDS
    assert sweep_module._keep_bytes() == 1 << 20 and len(reads) == 1
    clock[0] += sweep_module.KEEP_READING_SECONDS
    assert sweep_module._keep_bytes() == 2 << 30 and len(reads) == 2


def test_check_fits_goes_by_a_recent_reading_only_far_from_the_limit(monkeypatch):
    """:func:`_memory.check_fits` lets work that needs at most half of a reading at most a second
    old go ahead without reading again; nearer the limit it reads afresh, and it refuses only on a
    fresh reading; a reading made by functions since replaced is never reused."""
    from virtmodel import _memory

    reads, free = [], [4 << 30]
    monkeypatch.setattr(_memory, "available_bytes", lambda: reads.append(1) or free[0])
    monkeypatch.setattr(_memory, "_reading", [float("-inf"), None, ()])
    clock = [100.0]
    monkeypatch.setattr(_memory.time, "monotonic", lambda: clock[0])
    points = (1 << 30) // _memory.BYTES_PER_POINT  # 1 GiB of work
    _memory.check_fits(points, "overrides")
    assert len(reads) == 1
    _memory.check_fits(points, "overrides")  # half of the reading or less: no new reading
    assert len(reads) == 1
    free[0] = 512 << 20  # the memory went: a fresh reading refuses
    with pytest.raises(ParameterError, match="fits in memory"):
        _memory.check_fits(3 * points, "overrides")
    assert len(reads) == 2
    clock[0] += 2 * _memory.READING_SECONDS  # an old reading is read again
    with pytest.raises(ParameterError, match="fits in memory"):
        _memory.check_fits(points, "overrides")
    monkeypatch.setattr(_memory, "available_bytes", lambda: 0)  # replaced readers: read again at once
    assert _memory.recent_available_bytes() == 0


def test_a_kernel_takes_only_the_arguments_its_expressions_use():
    """The array stage sees every parameter of the model, most only through the hoisted scalars:
    the kernel's arguments are the varying ones and the fixed ones its expressions still name
    (kernels.kernel_arguments, from the SymPy expressions), and it gives the NumPy path's values."""
    from virtmodel.model._compile import metric_bundle

    m = Model("sriov", "small_packet_rr")
    st = metric_bundle(m.key, "mean_latency").stages(frozenset({"arrival_rate"}))
    varying = {s for s in st.symbols if s.name == "arrival_rate"}
    taken = kernels.kernel_arguments(st.array_exprs, st.symbols, varying)
    used = varying.union(*(e.free_symbols for e in st.array_exprs))
    assert set(taken) == used and len(taken) < len(st.symbols)
    assert [s for s in st.symbols if s in used] == list(taken)  # in the bundle's order
    source, _ = kernels.kernel_source(st.array_exprs, st.symbols, varying, (1, (0,), "C"))
    head = source.splitlines()[0]
    assert all(kernels._ident(s.name) in head for s in taken)
    assert not any(f"{kernels._ident(s.name)}," in head or f"{kernels._ident(s.name)})" in head
                   for s in set(st.symbols) - used)
    # one server: its Erlang C term is 1, so its number of servers is no argument either
    (servers,) = [s for s in st.symbols if s.name == "vcpus"]
    assert servers in taken and servers not in kernels.kernel_arguments(st.array_exprs, st.symbols, varying, {servers})
    lam = np.linspace(0.0, 1.1 * m.evaluate("throughput_limit"), N)
    for vcpus in (1, 2, 40):
        with kernels.using("numpy"):
            ref = m.evaluate("mean_latency", arrival_rate=lam, vcpus=vcpus)
        with kernels.using("numba"):
            _same(m.evaluate("mean_latency", arrival_rate=lam, vcpus=vcpus), ref, f"vcpus={vcpus}")


def test_the_scalar_stage_is_kept_per_set_of_fixed_values():
    """The scalar stage runs once per set of fixed values (their bits: -0.0 is not 0.0); changing a
    fixed parameter between calls gives the new values, and configure() empties what was kept."""
    from virtmodel.model._compile import metric_bundle

    m = Model("hardware_assist", "small_packet_rr")
    st = metric_bundle(m.key, "mean_latency").stages(frozenset({"arrival_rate"}))
    lam = np.linspace(0.0, 0.5 * m.evaluate("throughput_limit"), N)
    calls = []
    real = st.scalar
    st.scalar = lambda *args: calls.append(1) or real(*args)
    try:
        with kernels.using("numba"):
            for cycles in (1000.0, 1000.0, 2000.0, 1000.0, 0.0, -0.0, 0.0):
                got = m.evaluate("mean_latency", arrival_rate=lam, exit_cycles=cycles)
                with kernels.using("numpy"):
                    ref = m.evaluate("mean_latency", arrival_rate=lam, exit_cycles=cycles)
                _same(got, ref, f"exit_cycles={cycles}")
        # (the model turns -0.0 into 0.0: the same set as 0.0; using() around the reference empties the
        # kept values each time, so count in one block)
        calls.clear()
        with kernels.using("numba"):
            for cycles in (1000.0, 1000.0, 2000.0, 1000.0):
                m.evaluate("mean_latency", arrival_rate=lam, exit_cycles=cycles)
            assert len(calls) == 2
            args = [np.asarray({**m.values(), "arrival_rate": lam}[n], dtype=float)
                    for n in metric_bundle(m.key, "mean_latency").names]
            assert all(not v.flags.writeable for v in st.scalars(args))  # shared between calls
            zero = list(args)
            at = metric_bundle(m.key, "mean_latency").names.index("exit_cycles")
            zero[at], minus = np.asarray(0.0), list(args)
            minus[at] = np.asarray(-0.0)
            assert st.scalars(zero) is st.scalars(zero) and st.scalars(zero) is not st.scalars(minus)
        with kernels.using("numba"):  # configure() (entering using) empties them
            calls.clear()
            m.evaluate("mean_latency", arrival_rate=lam, exit_cycles=1000.0)
            assert len(calls) == 1
    finally:
        st.scalar = real


def test_the_range_check_on_both_cores_refuses_what_numpy_refuses(monkeypatch):
    """A large array's domain check (check_value: >= 0, > 0, finite) as a reduction on every core
    (kernels.largest_bits) where the kernels run two threads: a NaN, a negative value, inf (and 0 for
    a positive parameter) anywhere is still a ParameterError naming the parameter and the value."""
    from virtmodel._params import check_value

    monkeypatch.setattr(kernels, "_spare_core", lambda: True)
    a = np.linspace(0.0, 1e5, 10**6)
    with kernels.using("numba"):
        bits = a.view(np.uint64)
        assert kernels.largest_bits(bits, 0) == bits.max()
        assert kernels.largest_bits(bits, 1) == np.uint64(2**64 - 1)  # the 0 wraps
        assert kernels.largest_bits(bits[:100], 0) is None  # small: NumPy's reduction
        assert check_value("arrival_rate", a, "nonnegative") is a
        for bad, shown in ((np.nan, "nan"), (-1.0, "-1.0"), (np.inf, "inf"), (-1e-300, "-1e-300")):
            b = a.copy()
            b[777_777] = bad
            with pytest.raises(ParameterError, match=f"arrival_rate = {shown} is invalid"):
                check_value("arrival_rate", b, "nonnegative")
            with pytest.raises(ParameterError, match="arrival_rate"):
                Model("sriov", "small_packet_rr").evaluate("mean_latency", arrival_rate=b)
        b = a.copy()
        b[5] = -0.0  # not refused: taken as 0.0
        assert not np.signbit(check_value("arrival_rate", b, "nonnegative")).any()
        assert check_value("io_bytes", a + 1.0, "positive") is not None
        for bad in (0.0, -0.0, np.nan, -2.0, np.inf):
            b = a + 1.0
            b[3] = bad
            with pytest.raises(ParameterError, match="io_bytes"):
                check_value("io_bytes", b, "positive")


@pytest.mark.parametrize("threads", [False, True])
def test_the_range_check_in_the_kernels_pass_refuses_what_numpy_refuses(monkeypatch, threads):
    """A large array's range (>= 0 or > 0, finite) checked by the fused kernel as it reads the values
    (model._range_checks): the same ParameterError, naming the parameter and the value, as the
    NumPy path's check_value, through evaluate, evaluate_many, the sweep and a broadcast grid;
    -0.0 taken as 0.0 (the values of the NumPy path); of two bad parameters the first given is named."""
    from virtmodel.analysis import sweep
    from virtmodel.model._evaluate import fused

    monkeypatch.setattr(kernels, "_spare_core", lambda: threads)
    m = Model("sriov", "small_packet_rr")
    lam = np.linspace(0.0, 0.9 * m.evaluate("throughput_limit"), 10**5)
    cpu = np.full(lam.shape, m.values()["cpu_time"])
    calls = {"evaluate": lambda **kw: m.evaluate("mean_latency", **kw),
             "evaluate_many": lambda **kw: m.evaluate_many(["mean_latency", "p99"], **kw)["p99"],
             "sweep": lambda **kw: sweep("mean_latency", "sriov", "small_packet_rr",  # N-D: broadcast
                                         **{k: v[None] for k, v in kw.items()})["mean_latency"].values[0, 0]}
    cases = [({"arrival_rate": b}, f"arrival_rate = {shown} is invalid")
             for b, shown in ((np.nan, "nan"), (-1.0, "-1.0"), (np.inf, "inf"), (-np.inf, "-inf"))] \
        + [({"cpu_time": b}, f"cpu_time = {shown} is invalid")
           for b, shown in ((0.0, "0.0"), (-0.0, "0.0"), (np.nan, "nan"), (-2.0, "-2.0"))]
    for name, call in calls.items():
        for bad, message in cases:
            (param, value), = bad.items()
            grid = {"arrival_rate": lam.copy(), "cpu_time": cpu.copy()}
            grid[param][12_345] = value
            for mode in ("numpy", "numba"):
                with kernels.using(mode), pytest.raises(ParameterError, match=message.replace(".", r"\.")):
                    call(**grid)
        grid = {"arrival_rate": lam.copy(), "cpu_time": cpu.copy()}
        grid["arrival_rate"][7] = -0.0
        with kernels.using("numpy"):
            ref = call(**grid)
        with kernels.using("numba"):
            _same(call(**grid), ref, f"{name} with -0.0")
        grid = {"arrival_rate": lam.copy(), "cpu_time": cpu.copy()}
        grid["cpu_time"][3], grid["arrival_rate"][9] = np.nan, -5.0  # the first given is named
        with kernels.using("numba"), pytest.raises(ParameterError, match="cpu_time = nan"):
            call(cpu_time=grid["cpu_time"], arrival_rate=grid["arrival_rate"])
        with kernels.using("numba"), pytest.raises(ParameterError, match=r"arrival_rate = -5\.0"):
            call(arrival_rate=grid["arrival_rate"], cpu_time=grid["cpu_time"])
    for value in (np.nan, -1.0, -0.0):  # a 1-D sweep (its coordinate copied in the kernel's pass)
        one = lam.copy()
        one[99] = value
        with kernels.using("numpy"):
            ref = sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=one) if value == 0 else None
        with kernels.using("numba"):
            if ref is None:
                with pytest.raises(ParameterError, match=f"arrival_rate = {value} is invalid"):
                    sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=one)
            else:
                got = sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=one)
                _same(got["mean_latency"].values, ref["mean_latency"].values, "1-D sweep with -0.0")
                coordinate = got["arrival_rate"].values
                assert np.array_equal(coordinate, one) and np.signbit(coordinate[99])
    bundle = fused(m.key, ("mean_latency",)).bundle.stages(frozenset({"arrival_rate", "cpu_time"}))
    assert any(("arrival_rate", False) in sig[-1][-2] and ("cpu_time", True) in sig[-1][-2]
               for sig in bundle.kernel.started())  # the kernels made the checks
    grid_lam, grid_size = lam[:400, None].copy(), np.linspace(64.0, 1500.0, 300)[None, :]
    grid_lam[3, 0] = np.nan  # a broadcast grid: read through views, checked before the kernel
    with kernels.using("numba"), pytest.raises(ParameterError, match="arrival_rate = nan"):
        m.evaluate("mean_latency", arrival_rate=grid_lam, io_bytes=grid_size)


def test_range_checks_left_pending_are_made_when_the_block_closes():
    """A deferred check that no kernel made (a metric that does not read the parameter) is made
    when the evaluation ends: a bad value is still refused."""
    m = Model("sriov", "small_packet_rr")
    lam = np.linspace(0.0, 1e4, 10**5)
    lam[5] = np.nan
    for mode in ("numpy", "numba"):
        with kernels.using(mode), pytest.raises(ParameterError, match="arrival_rate = nan"):
            m.evaluate("throughput_limit", arrival_rate=lam)


@pytest.mark.parametrize("metrics", [("mean_latency",), ("overhead",), ("mean_latency", "overhead", "host_cores"),
                                     ("mean_latency", "p99"), ("latency_variance",)])
def test_utilization_flags_are_written_only_when_something_reads_them(metrics):
    """A kernel whose checked utilizations serve only to mask latencies it masks itself writes no
    boolean arrays for them (a percentile or the variance reads them: then it does); past
    saturation the values are the NumPy path's either way, inf where a station saturates."""
    from virtmodel.analysis import sweep
    from virtmodel.model._evaluate import fused

    m = Model("paravirtual", "small_packet_rr")
    lam = np.linspace(0.0, 1.3 * m.evaluate("throughput_limit"), N)
    with kernels.using("numpy"):
        ref = m.evaluate_many(list(metrics), arrival_rate=lam)
        ref_ds = sweep(list(metrics), "paravirtual", "small_packet_rr", arrival_rate=lam)
    with kernels.using("numba"):
        got = m.evaluate_many(list(metrics), arrival_rate=lam)
        got_ds = sweep(list(metrics), "paravirtual", "small_packet_rr", arrival_rate=lam)
    for metric in metrics:
        assert np.isinf(ref[metric]).any() or metric not in ("mean_latency", "overhead", "p99")
        _same(got[metric], ref[metric], metric)
        _same(got_ds[metric].values[0], ref_ds[metric].values[0], f"sweep {metric}")
    key = tuple(sorted({"p*" if metric == "p99" else metric for metric in metrics}))
    kernel = fused(m.key, key).bundle.stages(frozenset({"arrival_rate"})).kernel
    built = [kernel._builds.peek(sig) for sig in kernel.started()]
    readers = "p99" in metrics or "latency_variance" in metrics
    assert built and all(b[-1] == readers for b in built)  # (the last item: boolean arrays written)
    assert all(sig[-1][-1] != readers for sig in kernel.started())  # "masks only" asked for
