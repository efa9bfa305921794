"""The in-memory sweep (no apply_ufunc, metrics computed into one result block) builds the
Dataset the apply_ufunc path builds: same dimensions, coordinates, attributes and values, on
both evaluation paths (NumPy stage and fused kernels)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import xarray as xr

from virtmodel.model import kernels
from virtmodel.platform import Platform
from virtmodel.techniques import names

SWEEP = importlib.import_module("virtmodel.analysis.sweep")
LAM = np.linspace(0.0, 9e4, 60)
SIZES = np.array([64.0, 1500.0, 9000.0])
CASES = {
    "all metrics, all techniques": (None, list(names()), {"arrival_rate": LAM}),
    "one metric, one technique": ("mean_latency", "sriov", {"arrival_rate": LAM}),
    "outer product, strings": (["p99", "bottleneck", "mean_latency", "p50"], ["sriov", "native"],
                               {"arrival_rate": LAM, "io_bytes": SIZES}),
    "N-D arrays": (None, ["sriov", "hardware_assist"],
                   {"arrival_rate": LAM[None, :40] * np.ones((3, 1)), "io_bytes": SIZES[:, None] * np.ones((1, 40))}),
    "N-D after 1-D-shaped": (["overhead", "p95"], ["paravirtual"],
                             {"io_bytes": SIZES, "arrival_rate": LAM[:40, None] * np.ones((1, 3))}),
    "scalars only": (None, ["sriov", "paravirtual"], {"arrival_rate": 5e3}),
    "past the VF limit": (["mean_latency", "bottleneck"], ["sriov", "paravirtual"], {"vms": np.arange(1.0, 100.0)}),
}


def _both(monkeypatch, metrics, techniques, grid, platform=None):
    eager = SWEEP.sweep(metrics, techniques, "small_packet_rr", platform, **grid)
    with monkeypatch.context() as m:
        m.setattr(SWEEP, "_eager", lambda *args: None)  # the apply_ufunc path
        general = SWEEP.sweep(metrics, techniques, "small_packet_rr", platform, **grid)
    return eager, general


@pytest.mark.parametrize("mode", ["numpy", "numba"])
@pytest.mark.parametrize("case", CASES)
def test_eager_sweep_is_the_apply_ufunc_sweep(monkeypatch, case, mode):
    if mode == "numba" and not kernels.available():
        pytest.skip("numba not installed")
    with kernels.using(mode, min_points=8):
        eager, general = _both(monkeypatch, *CASES[case])
    xr.testing.assert_identical(eager, general)
    for name, var in eager.data_vars.items():
        if var.dtype.kind == "f":
            np.testing.assert_allclose(var.values, general[name].values, rtol=1e-12, atol=0, err_msg=name)


def test_eager_sweep_past_the_vf_limit_with_a_platform(monkeypatch):
    eager, general = _both(monkeypatch, ["mean_latency", "bottleneck"], ["sriov", "native"],
                           {"arrival_rate": LAM}, Platform(vms=80))
    xr.testing.assert_identical(eager, general)
    assert np.isnan(eager["mean_latency"].sel(technique="sriov")).all()


@pytest.mark.parametrize("technique", ["sriov", "hardware_assist", "paravirtual"])
def test_fused_kernels_compute_into_the_given_rows(technique):
    """With the fused kernels every float metric is computed into the row it is given (the
    result is that array, nothing to copy), and equals the metric computed on its own."""
    if not kernels.available():
        pytest.skip("numba not installed")
    from virtmodel.analysis._common import evaluate_many
    from virtmodel.model import Model, metric_names
    from virtmodel.queueing._percentiles import FAST_MIN_SIZE

    model = Model(technique, "small_packet_rr")
    lam = np.linspace(1e3, 0.9 * model.evaluate("throughput_limit"), 2 * FAST_MIN_SIZE)  # percentile kernel too
    metrics = [m for m in metric_names() if m != "bottleneck"]
    block = np.empty((len(metrics), lam.size))
    into = {m: block[j] for j, m in enumerate(sorted(metrics))}
    with kernels.using("numba", min_points=8):
        got = evaluate_many(model, metrics, {"arrival_rate": lam}, into)
        alone = {m: evaluate_many(model, [m], {"arrival_rate": lam})[m] for m in metrics}
    varying = [m for m in metrics if np.ptp(alone[m]) > 0]
    assert {"mean_latency", "p99", "p50", "latency_variance", "guest_cores"} <= set(varying)
    for m in varying:
        assert got[m] is into[m], m
        np.testing.assert_allclose(got[m], alone[m], rtol=1e-12, atol=0, err_msg=m)


def test_numpy_path_computes_percentiles_and_variance_into_the_given_rows():
    """On the NumPy path too, the percentiles (the delay added into the row) and the latency
    variance (the stations' sum into the row) are the given arrays, equal to the plain call."""
    from virtmodel.analysis._common import evaluate_many
    from virtmodel.model import Model

    model = Model("paravirtual", "small_packet_rr")
    lam = np.linspace(1e3, 1.1 * model.evaluate("throughput_limit"), 300)  # saturated at the end
    metrics = ["latency_variance", "p50", "p95", "p99", "p99.9"]
    block = np.empty((len(metrics), lam.size))
    into = {m: block[j] for j, m in enumerate(metrics)}
    with kernels.using("numpy"):
        got = evaluate_many(model, metrics, {"arrival_rate": lam}, into)
        plain = evaluate_many(model, metrics, {"arrival_rate": lam})
    for m in metrics:
        assert got[m] is into[m], m
        np.testing.assert_array_equal(got[m], plain[m], err_msg=m)
    assert np.isinf(got["p99"][-1])


def test_mismatched_sizes_raise_naming_the_parameter_and_the_dimension():
    """Sizes NumPy would not broadcast (40 and 2 on dim_1) are refused by name; a size of 1 against
    40 broadcasts (test_nd_inputs_broadcast_as_numpy_does; before 2026-12-07 xarray refused it too)."""
    with pytest.raises(ValueError, match="dim_1"):
        SWEEP.sweep("mean_latency", "sriov", "small_packet_rr",
                    arrival_rate=np.ones((3, 40)), io_bytes=np.ones((3, 2)))
    ds = SWEEP.sweep("mean_latency", "sriov", "small_packet_rr",
                     arrival_rate=np.full((3, 40), 1e3), io_bytes=np.full((3, 1), 1500.0))
    assert ds["mean_latency"].shape == (1, 3, 40)      # (technique, dim_0, dim_1)


def test_a_grid_coordinate_is_a_copy_unless_the_array_is_read_only():
    lam = np.linspace(1e3, 9e4, 50)
    ds = SWEEP.sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=lam)
    lam[0] = -1.0  # the caller changes its array: the result's coordinate does not
    assert ds["arrival_rate"].values[0] == 1e3 and ds.indexes["arrival_rate"][0] == 1e3
    lam[0] = 1e3
    lam.flags.writeable = False
    kept = SWEEP.sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=lam)
    assert np.shares_memory(kept.indexes["arrival_rate"].values, lam)
    xr.testing.assert_identical(kept, ds)
    listed = SWEEP.sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=list(lam))
    xr.testing.assert_identical(listed, ds)


def test_eager_sweep_of_a_closed_workload(monkeypatch):
    """A closed workload (users > 0, MVA per point) through the in-memory path as through apply_ufunc."""
    from virtmodel.workload import Workload

    closed = Workload(users=3, think_time=0.01)
    eager = SWEEP.sweep(None, ["sriov", "native"], closed, think_time=np.array([0.001, 0.01, 0.1]))
    with monkeypatch.context() as m:
        m.setattr(SWEEP, "_eager", lambda *args: None)
        general = SWEEP.sweep(None, ["sriov", "native"], closed, think_time=np.array([0.001, 0.01, 0.1]))
    xr.testing.assert_identical(eager, general)
    assert "throughput" in eager and np.isfinite(eager["mean_latency"]).all()


def test_one_technique_on_the_numpy_path_keeps_its_arrays():
    """One technique: an array the NumPy path made for one metric becomes the variable (a view
    adding the technique axis), not a copy in the block; the caller's input is never shared."""
    lam = np.linspace(1e3, 9e4, 500)
    with kernels.using("numpy"):
        ds = SWEEP.sweep(["mean_latency", "bottleneck", "p99"], "sriov", "small_packet_rr", arrival_rate=lam)
    base = ds["mean_latency"].data.base  # the NumPy stage's own array
    assert base is not None and base.shape == lam.shape
    assert ds["p99"].data.base.shape == (1, 2) + lam.shape  # percentiles: written into the block's row
    assert not any(np.shares_memory(ds[m].data, lam) for m in ds.data_vars)


@pytest.mark.parametrize("mode", ["numpy", "numba"])
def test_nd_inputs_broadcast_as_numpy_does(mode):
    """N-D inputs of shapes (n, 1) and (1, k) broadcast to (n, k) as the docstring says (xarray alone
    refuses the sizes 1 and k on one unnamed dimension: an AlignmentError from deep inside it, found
    2026-12-07), with the same values as the inputs broadcast by hand; shapes NumPy would not
    broadcast raise naming the parameter."""
    if mode == "numba" and not kernels.available():
        pytest.skip("numba not installed")
    rates, sizes = LAM[:40, None], SIZES[None, :]
    with kernels.using(mode, min_points=8):
        got = SWEEP.sweep(["mean_latency", "p99"], ["sriov", "paravirtual"], "small_packet_rr",
                          arrival_rate=rates, io_bytes=sizes)
        full = SWEEP.sweep(["mean_latency", "p99"], ["sriov", "paravirtual"], "small_packet_rr",
                           arrival_rate=np.repeat(rates, 3, axis=1), io_bytes=np.repeat(sizes, 40, axis=0))
    assert got["p99"].shape == (2, 40, 3)
    xr.testing.assert_identical(got, full)
    from virtmodel.errors import ParameterError
    with pytest.raises(ParameterError, match="io_bytes"):
        SWEEP.sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=LAM[:40, None],
                    io_bytes=np.ones((2, 3)))
