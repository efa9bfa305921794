"""The plots drawn from the real analysis outputs (not stand-ins): data and labels."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from virtmodel.analysis import break_even, exit_cost_history, win_regions
from virtmodel.plotting import break_even_plot, exit_cost_timeline_plot, win_regions_plot
from virtmodel.techniques import get

SIZES = np.linspace(64, 9000, 12)


def test_break_even_curve_plots_the_computed_roots():
    # the first model's pair (wakeups="off"): under the default they do not cross at these sizes
    ds = break_even(get("sriov", wakeups="off"), get("paravirtual", wakeups="off"), "arrival_rate", "p99",
                    workload="small_packet_rr", over={"io_bytes": SIZES})
    handles = break_even_plot(ds)
    line = handles.artists["curve"]
    x, y = (np.asarray(a, dtype=float) for a in line.get_data())
    assert np.allclose(x, SIZES)
    roots = ds["break_even"].values
    scale = np.nanmax(roots) / np.nanmax(y)  # the plot may show the value in scaled units (k, ...)
    assert np.allclose(y * scale, roots, equal_nan=True)
    assert np.isnan(y).sum() == np.isnan(roots).sum()  # "no crossing" stays a gap, not a zero
    labels = [t.get_text() for t in handles.extras["legend"].get_texts()]
    assert any("SR-IOV" in t or "sriov" in t for t in labels)


def test_region_map_shows_the_winner_array():
    regions = win_regions(["paravirtual", "sriov", "nitro"], ("arrival_rate", np.linspace(1e3, 9e4, 25)),
                          ("io_bytes", SIZES), "p99", workload="small_packet_rr")
    handles = win_regions_plot(regions)
    shown = handles.artists["map"].get_array()
    winner = regions["winner"].values
    infeasible = winner < 0
    if shown.ndim == 1:  # Matplotlib < 3.8 keeps a mesh's colour array flattened, row by row
        assert shown.size == winner.size
        shown = shown.reshape(winner.shape)
    assert shown.shape == winner.shape
    assert np.ma.getmaskarray(shown)[infeasible].all()  # no technique feasible: masked, not coloured
    ties = handles.extras["ties"]                          # a tie (margin < 0.1%) is nobody's win: masked too
    assert np.ma.getmaskarray(shown)[ties].all() and not (ties & infeasible).any()
    won = ~infeasible & ~ties
    assert np.array_equal(np.asarray(shown)[won], winner[won])
    assert infeasible.any() and (~infeasible).any()  # the grid crosses saturation: both kinds present


@pytest.mark.parametrize("workload", ["web_serving", "kernel_build"])
def test_timeline_marks_the_takeover_generation(workload):
    history = exit_cost_history(workload)
    handles = exit_cost_timeline_plot(history)
    takeover = history.attrs["takeover"]
    exits = np.asarray(handles.artists["exits"].get_ydata(), dtype=float)
    assert np.allclose(exits, history["exit_cycles"].values)
    if takeover is None:
        assert not handles.extras.get("takeover")
    else:
        marker = handles.artists["takeover"]
        y = np.asarray(marker.get_ydata(), dtype=float)
        expected = history.loc[history["generation"] == takeover, "exit_cycles"].values
        assert np.allclose(y, expected)


def test_latency_curves_keep_technique_parameters_and_tell_variants_apart():
    from virtmodel.model import Model
    from virtmodel.plotting import latency_curves_data, latency_curves_plot
    from virtmodel.techniques import get

    posted = get("sriov", posted_interrupts=True)
    data = latency_curves_data(["sriov", posted], "small_packet_rr", metric="p99", points=40)
    labels = list(data["technique"].values)
    assert labels == ["sriov", "sriov(posted_interrupts=True)"]
    rate = float(data["arrival_rate"].values[5])
    for label, technique in zip(labels, ["sriov", posted]):
        expected = Model(technique, "small_packet_rr").evaluate("p99", arrival_rate=rate)
        assert float(data["p99"].sel(technique=label).values[5]) == pytest.approx(expected)
    handles = latency_curves_plot(data)
    assert set(handles.artists) == set(labels)
