"""latency_curves(..., uncertainty=): the band per technique against a loop over the draws, and the plot."""

import matplotlib
import numpy as np
import pytest

from virtmodel.analysis import Range
from virtmodel.analysis._draws import common_draws
from virtmodel.analysis.curves import latency_curves
from virtmodel.errors import ParameterError
from virtmodel.model import Model

matplotlib.use("Agg")

TECHS = ["hardware_assist", "paravirtual", "native"]
RANGES = {"exit_handling_cycles": Range("exit_handling_cycles", 500.0, 20000.0, "loguniform"),
          "backend_time": Range("backend_time", 1e-6, 4e-6, "lognormal")}


@pytest.mark.parametrize("metric", ["mean_latency", "p99"])
def test_band_equals_order_statistics_of_a_loop_over_the_draws(metric):
    """20 draws, 90%: the band is the 1st and 19th smallest value of 20 scalar evaluations at each load."""
    spec = {"samples": 20, "seed": 5, "ranges": RANGES}
    ds = latency_curves(TECHS, "small_packet_rr", metric=metric, points=12, uncertainty=spec)
    models = [Model(t, "small_packet_rr") for t in TECHS]
    draws = common_draws(models, 20, 5, RANGES)
    for model, d in zip(models, draws):
        t = model.technique.name
        for rate in ds["arrival_rate"].values[::3]:
            values = []
            for i in range(20):
                try:
                    values.append(model.evaluate(metric, arrival_rate=rate, **{n: float(v[i]) for n, v in d.items()}))
                except ValueError:      # saturated draw
                    values.append(np.inf)
            values = np.sort(values)
            low, high = ds["band_low"].sel(technique=t, arrival_rate=rate), ds["band_high"].sel(technique=t,
                                                                                                 arrival_rate=rate)
            if np.isinf(values[0]):
                assert np.isnan(low) and np.isnan(high)
            else:
                assert float(low) == pytest.approx(values[0], rel=1e-12)
                assert float(high) == pytest.approx(values[18], rel=1e-12)
            assert float(ds["band_saturated"].sel(technique=t, arrival_rate=rate)) == np.isinf(values).mean()
    # bare metal has no ranges: its band is its curve
    native = ds.sel(technique="native")
    ok = np.isfinite(native[metric])
    np.testing.assert_allclose(native["band_low"][ok], native[metric][ok], rtol=1e-12)
    np.testing.assert_allclose(native["band_high"][ok], native[metric][ok], rtol=1e-12)
    assert ds.attrs["band_samples"] == 20 and ds.attrs["band_level"] == 0.9


def test_band_widens_with_load_and_saturated_draws_reach_the_top():
    ds = latency_curves(["hardware_assist"], "small_packet_rr", points=60, uncertainty=200)
    row = ds.sel(technique="hardware_assist")
    width = (row["band_high"] - row["band_low"]).values
    finite = np.isfinite(width)
    assert width[finite][-1] > 10 * width[finite][0] > 0
    assert np.isinf(row["band_high"]).any()          # near the limit some draws saturate
    assert (row["band_saturated"].values[-1] == 1.0)
    nominal = row["mean_latency"].values
    inside = np.isfinite(nominal) & np.isfinite(row["band_high"].values)
    # the presets sit inside their ranges: the nominal curve lies within the band's span at low load
    assert (row["band_low"].values[inside][:5] <= nominal[inside][:5]).all()
    assert (nominal[inside][:5] <= row["band_high"].values[inside][:5]).all()


def test_utilization_axis_and_bad_input():
    ds = latency_curves(["sriov", "paravirtual"], "small_packet_rr", x="utilization", points=20, uncertainty=50)
    assert ds["band_low"].dims == ("technique", "utilization")
    with pytest.raises(ParameterError, match="uncertainty"):
        latency_curves(["sriov"], "small_packet_rr", uncertainty="wide")
    with pytest.raises(ParameterError, match="uncertainty"):
        latency_curves(["native"], "small_packet_rr", uncertainty=True)


def test_plot_draws_a_band_per_technique_and_updates_it_in_place():
    from virtmodel.plotting import latency_curves_plot

    ds = latency_curves(TECHS, "small_packet_rr", points=40, uncertainty={"samples": 30, "ranges": RANGES})
    handles = latency_curves_plot(ds)
    bands = handles.extras["bands"]
    assert set(bands) == set(TECHS)
    scale = handles.extras["scale"]
    row = ds.sel(technique="paravirtual")
    verts = bands["paravirtual"].get_paths()[0].vertices
    np.testing.assert_allclose(verts[:, 1].min(), np.nanmin(row["band_low"].values) / scale, rtol=1e-9)
    assert "interval" in [t.get_text() for t in handles.extras["legend"].get_texts()][-1]
    before = verts.copy()
    handles.update(latency_curves(TECHS, "small_packet_rr", points=40, vms=16,
                                  uncertainty={"samples": 30, "ranges": RANGES}))
    after = bands["paravirtual"].get_paths()[0].vertices
    assert before.shape != after.shape or not np.allclose(before, after)
    plain = latency_curves_plot(latency_curves(TECHS, "small_packet_rr", points=40))
    assert plain.extras["bands"] == {}
    with pytest.raises(ParameterError, match="bands"):
        latency_curves_plot(latency_curves(TECHS, "small_packet_rr", points=40), bands=True)
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("metric", ["mean_latency", "p99"])
def test_loads_past_every_drawn_limit_are_not_evaluated_and_change_no_number(metric, monkeypatch):
    """The band skips loads above every draw's throughput limit; bit for bit the band of the whole grid."""
    from virtmodel.analysis import curves_band

    techs = ["emulation", "binary_translation", "hardware_assist", "sriov"]
    spec = {"samples": 40, "seed": 3}      # 40 x 250+ points: past the percentiles' interpolation threshold
    calls = []
    real = curves_band._below_every_limit
    monkeypatch.setattr(curves_band, "_below_every_limit", lambda *a: calls.append(real(*a)) or calls[-1])
    cut = latency_curves(techs, "small_packet_rr", metric=metric, points=250, uncertainty=spec, vms=12)
    assert any(not live.all() for live in calls)      # emulation saturates early: most of its loads skipped
    monkeypatch.setattr(curves_band, "_below_every_limit", lambda model, d, o, rates, n: np.ones(rates.shape, bool))
    whole = latency_curves(techs, "small_packet_rr", metric=metric, points=250, uncertainty=spec, vms=12)
    for name in ("band_low", "band_high", "band_saturated"):
        np.testing.assert_array_equal(cut[name].values, whole[name].values)
    assert (cut["band_saturated"].sel(technique="emulation").values[-1] == 1.0)


def test_curves_skip_loads_past_the_limit_only_for_open_models():
    """Open: past X_max the curve is NaN (not evaluated); closed (users > 0): every load is the model's value."""
    open_ = latency_curves(["emulation", "sriov"], "small_packet_rr", points=40, vms=12)
    rates, limits = open_["arrival_rate"].values, open_["throughput_limit"].values
    for t, limit in zip(["emulation", "sriov"], limits):
        row = open_["mean_latency"].sel(technique=t).values
        assert np.isnan(row[rates > limit]).all() and np.isfinite(row[rates < 0.99 * limit]).all()
        below = rates < limit
        np.testing.assert_array_equal(row[below], Model(t, "small_packet_rr").evaluate(
            "mean_latency", arrival_rate=rates[below], vms=12))
    closed = latency_curves(["emulation"], "small_packet_rr", points=40, users=2)
    past = closed["arrival_rate"].values > float(closed["throughput_limit"][0])
    assert past.any() and np.isfinite(closed["mean_latency"].values[0, past]).all()


def test_preset_draws_are_remembered_read_only_and_equal_to_fresh_ones():
    from virtmodel.analysis.curves_band import _preset_draws

    models = (Model("sriov", "small_packet_rr"), Model("paravirtual", "small_packet_rr"))
    exclude = frozenset({"arrival_rate", "vms"})
    first = _preset_draws(models, 10, 1, exclude)
    assert _preset_draws(models, 10, 1, exclude) is first
    fresh = common_draws(list(models), 10, 1, None, exclude=exclude)
    for kept, new in zip(first, fresh, strict=True):
        assert kept.keys() == new.keys()
        for name in kept:
            np.testing.assert_array_equal(kept[name], new[name])
    name = next(iter(first[0]))
    with pytest.raises(ValueError):
        first[0][name][0] = 1.0


@pytest.mark.parametrize("metric", ["mean_latency", "p99"])
def test_curves_with_a_band_are_the_curves_without(metric):
    """The curve is row 0 of its band's evaluation: the same numbers as the curve computed alone (to rounding
    for the mean: terms that are scalars alone are arrays beside the draws; percentiles within the interpolated
    inverse's bound, which a lone short curve does not take)."""
    from virtmodel.queueing._percentiles import FAST_RTOL

    techs = ["emulation", "hardware_assist", "sriov", "native"]
    for points in (40, 300):
        alone = latency_curves(techs, "small_packet_rr", metric=metric, points=points, vms=12)
        banded = latency_curves(techs, "small_packet_rr", metric=metric, points=points, vms=12, uncertainty=30)
        np.testing.assert_array_equal(np.isnan(banded[metric].values), np.isnan(alone[metric].values))
        np.testing.assert_array_equal(banded["saturated"].values, alone["saturated"].values)
        if metric == "mean_latency":
            np.testing.assert_allclose(banded[metric].values, alone[metric].values, rtol=1e-12)
        else:
            np.testing.assert_allclose(banded[metric].values, alone[metric].values, rtol=FAST_RTOL)
    closed = {"users": 3}
    alone = latency_curves(["hardware_assist"], "small_packet_rr", metric=metric, points=30, **closed)
    banded = latency_curves(["hardware_assist"], "small_packet_rr", metric=metric, points=30, uncertainty=20, **closed)
    np.testing.assert_allclose(banded[metric].values, alone[metric].values, rtol=FAST_RTOL)
