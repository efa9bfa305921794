"""winner(): the best technique per point of a sweep, in memory and lazy, against independent paths."""

import numpy as np
import pytest

from virtmodel import ParameterError
from virtmodel.analysis import sweep, win_regions, winner
from virtmodel.analysis.winner import best_index
from virtmodel.techniques import get

da = pytest.importorskip("dask.array")

TECHS = ["binary_translation", "paravirtual", "hardware_assist", "sriov", "nitro"]
RATES = np.linspace(1e2, 5e3, 45)
SIZES = np.linspace(64.0, 9000.0, 14)


def _argmin_reference(values, minimize):
    """NumPy's argmin of the finite values (inf elsewhere), -1 where none is finite."""
    score = values if minimize else -values
    score = np.where(np.isfinite(score), score, np.inf)
    index = score.argmin(-1)
    index[~np.isfinite(np.take_along_axis(score, index[..., None], -1)[..., 0])] = -1
    return index


@pytest.mark.parametrize("minimize", [True, False])
def test_best_index_equals_argmin_of_the_finite_values(minimize):
    rng = np.random.default_rng(17)
    for _ in range(300):  # ties, signed zeros, inf, -inf and NaN, one to seven techniques
        count = int(rng.integers(1, 8))
        values = rng.choice([0.0, -0.0, 1.0, 2.0, 3.5, np.inf, -np.inf, np.nan], size=(int(rng.integers(1, 40)), count))
        got = best_index(values, minimize)
        assert got.dtype == np.int8
        np.testing.assert_array_equal(got, _argmin_reference(values, minimize))
    values = rng.normal(size=(50, 30, 6))
    np.testing.assert_array_equal(best_index(values, minimize), _argmin_reference(values, minimize))


@pytest.mark.parametrize("wakeups", ["on", "off"])
def test_in_memory_winner_is_win_regions_winner(wakeups):
    """Latency-like metrics are inf where saturated, so "finite" is win_regions' "feasible"."""
    techs = [get(n, wakeups=wakeups) if hasattr(get(n), "wakeups") else n for n in TECHS]
    ds = sweep(["mean_latency", "p99", "throughput_limit"], techs, "bulk_transfer", arrival_rate=RATES,
               io_bytes=SIZES)
    for metric in ("mean_latency", "p99"):
        got = winner(ds[metric])
        assert got.dims == ("arrival_rate", "io_bytes") and got.dtype == np.int8
        ref = win_regions(techs, ("arrival_rate", RATES), ("io_bytes", SIZES), metric, workload="bulk_transfer")
        np.testing.assert_array_equal(got.values, ref["winner"].transpose("arrival_rate", "io_bytes").values)
        np.testing.assert_array_equal(got["arrival_rate"].values, RATES)
    if wakeups == "off":  # the first model's map has two winners (under the default SR-IOV wins throughout)
        assert len(np.unique(winner(ds["mean_latency"]).values)) == 3  # -1 (none feasible) and two winners
    # larger is better for a throughput-like metric (read from the name, or said)
    limit = ds["throughput_limit"].transpose(..., "technique").values
    np.testing.assert_array_equal(winner(ds["throughput_limit"]).values, _argmin_reference(limit, False))
    np.testing.assert_array_equal(winner(ds["throughput_limit"], minimize=True).values, _argmin_reference(limit, True))


def test_lazy_winner_equals_in_memory_and_stays_chunked():
    eager = sweep("mean_latency", TECHS, "bulk_transfer", arrival_rate=RATES, io_bytes=SIZES)
    lazy = sweep("mean_latency", TECHS, "bulk_transfer", arrival_rate=da.from_array(RATES, chunks=20),
                 io_bytes=da.from_array(SIZES, chunks=5))
    got = winner(lazy["mean_latency"])
    assert got.chunks == ((20, 20, 5), (5, 5, 4))  # lazy, one block per chunk of the grid
    np.testing.assert_array_equal(got.values, winner(eager["mean_latency"]).values)
    counts = [int((got == k).sum()) for k in range(len(TECHS))]
    assert sum(counts) + int((got == -1).sum()) == RATES.size * SIZES.size
    # the same counts from the argmin path the benchmark used before
    latency = eager["mean_latency"].fillna(np.inf)
    feasible = np.isfinite(latency).any("technique")
    assert counts == [int(((latency.argmin("technique") == k) & feasible).sum()) for k in range(len(TECHS))]


def test_technique_axis_in_several_chunks():
    lazy = sweep("mean_latency", TECHS, "bulk_transfer", arrival_rate=da.from_array(RATES, chunks=20),
                 io_bytes=SIZES)["mean_latency"].chunk({"technique": 2})
    eager = sweep("mean_latency", TECHS, "bulk_transfer", arrival_rate=RATES, io_bytes=SIZES)["mean_latency"]
    np.testing.assert_array_equal(winner(lazy).values, winner(eager).values)


def test_bad_input_is_named():
    with pytest.raises(ParameterError, match="values"):
        winner(np.zeros((2, 3)))
    ds = sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=RATES)
    with pytest.raises(ParameterError, match="values"):
        winner(ds["mean_latency"].isel(technique=0))
