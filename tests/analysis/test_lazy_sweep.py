"""The lazy sweep (one task per chunk for every technique) against the in-memory sweep."""

import numpy as np
import pytest

from virtmodel.platform import Platform
from virtmodel.analysis import sweep

da = pytest.importorskip("dask.array")
xr = pytest.importorskip("xarray")

TECHS = ["binary_translation", "hardware_assist", "sriov"]
RATES = np.linspace(1e3, 8e4, 45)
SIZES = np.linspace(64.0, 9000.0, 14)


def _both(metrics, techniques, platform=None, chunks=(20, 5)):
    eager = sweep(metrics, techniques, "small_packet_rr", platform, arrival_rate=RATES, io_bytes=SIZES)
    lazy = sweep(metrics, techniques, "small_packet_rr", platform, arrival_rate=da.from_array(RATES, chunks=chunks[0]),
                 io_bytes=da.from_array(SIZES, chunks=chunks[1]))
    return eager, lazy


def test_technique_axis_is_one_chunk_and_values_equal():
    eager, lazy = _both(["mean_latency", "p99", "guest_cores"], TECHS)
    for metric in eager.data_vars:
        chunks = lazy[metric].chunks
        assert chunks[0] == (len(TECHS),)  # a reduction over techniques is blockwise
        assert chunks[1:] == ((20, 20, 5), (5, 5, 4))
        assert lazy[metric].dims == eager[metric].dims
    got = lazy.compute()
    # chunks below the interpolated inverse's size take the exact one (the whole grid: interpolated)
    from virtmodel.queueing._percentiles import FAST_RTOL, INTERPOLATE_MIN_SIZE

    assert 5 * 4 < INTERPOLATE_MIN_SIZE <= RATES.size * SIZES.size
    np.testing.assert_allclose(got["p99"], eager["p99"], rtol=FAST_RTOL)
    assert not np.array_equal(got["p99"], eager["p99"], equal_nan=True)   # (so the bound is what is tested)
    xr.testing.assert_identical(got.drop_vars("p99"), eager.drop_vars("p99"))
    xr.testing.assert_identical(got["p99"].copy(data=eager["p99"].values), eager["p99"])
    assert np.isinf(got["mean_latency"]).any() and np.isfinite(got["mean_latency"]).any()


def test_winner_reduced_blockwise_equals_eager():
    eager, lazy = _both("mean_latency", TECHS)
    winner = lazy["mean_latency"].fillna(np.inf).argmin("technique")
    assert winner.chunks == ((20, 20, 5), (5, 5, 4))
    np.testing.assert_array_equal(winner.values, eager["mean_latency"].fillna(np.inf).argmin("technique").values)


def test_one_technique_bottleneck_and_vf_limit():
    eager, lazy = _both(["bottleneck", "mean_latency"], "sriov", Platform(vms=80))  # past SR-IOV's VF limit
    got = lazy.compute()
    assert got["bottleneck"].dims == ("technique", "arrival_rate", "io_bytes")
    np.testing.assert_array_equal(got["bottleneck"].values.astype(str), eager["bottleneck"].values.astype(str))
    assert np.isnan(got["mean_latency"]).all() and np.isnan(eager["mean_latency"]).all()


def test_dask_backed_dataarray_with_its_own_coordinate():
    rates = xr.DataArray(da.from_array(RATES, chunks=9), dims="arrival_rate", coords={"arrival_rate": RATES})
    lazy = sweep("p99", ["sriov", "nitro"], "small_packet_rr", arrival_rate=rates, io_bytes=1500.0)
    eager = sweep("p99", ["sriov", "nitro"], "small_packet_rr", arrival_rate=RATES, io_bytes=1500.0)
    assert lazy["p99"].chunks[0] == (2,)
    np.testing.assert_array_equal(lazy["p99"].values, eager["p99"].values)
    np.testing.assert_array_equal(lazy["arrival_rate"].values, RATES)


def test_progress_bar_on_the_local_scheduler(capsys):
    from virtmodel.analysis import compute

    eager, lazy = _both(["mean_latency", "p99"], TECHS)
    winner = compute(lazy["mean_latency"].fillna(np.inf).argmin("technique"))
    assert "100%" in capsys.readouterr().out  # dask.diagnostics.ProgressBar drew its bar
    np.testing.assert_array_equal(winner.values, eager["mean_latency"].fillna(np.inf).argmin("technique").values)


def test_fused_kernels_write_the_chunk_blocks_and_equal_the_numpy_path():
    """Chunks large enough for the fused kernels (outer-product chunks, written straight into the
    task's block rows), every metric, past saturation and past SR-IOV's VF limit: the values of
    the in-memory sweep on the NumPy path."""
    pytest.importorskip("numba")
    from virtmodel.model import kernels

    rates, sizes = np.linspace(1e3, 8e4, 2000), np.linspace(64.0, 9000.0, 40)
    platform = Platform(vms=80)  # more VMs than SR-IOV's virtual functions: NaN there
    with kernels.using("numpy"):
        ref = sweep(None, TECHS, "small_packet_rr", platform, arrival_rate=rates, io_bytes=sizes)
    with kernels.using("numba", min_points=30_000):  # chunks of 2,000 x 20 points
        got = sweep(None, TECHS, "small_packet_rr", platform, arrival_rate=da.from_array(rates, chunks=2000),
                    io_bytes=da.from_array(sizes, chunks=20)).compute()
    for name in ref.data_vars:
        a, b = got[name].values, ref[name].values
        if a.dtype.kind in "OU":
            assert (a == b).all(), name
            continue
        # guest_cores_left is cores - used: near 0 it cancels, so its rounding is relative to the cores (32)
        atol = 1e-12 * platform.cores if name == "guest_cores_left" else 0
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=atol, err_msg=name)  # inf and NaN where b has them
    assert np.isinf(ref["mean_latency"].values).any() and np.isnan(ref["mean_latency"].values).any()
