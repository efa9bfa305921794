"""Break-even curves and the exit-cost timeline, on data computed by brute force from the model."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from virtmodel import ParameterError
from virtmodel.model import Model
from virtmodel.plotting._common import technique_label
from virtmodel.plotting.breakeven import break_even_plot
from virtmodel.plotting.history import exit_cost_timeline_plot
from virtmodel.techniques import get
from virtmodel.techniques.generations import GENERATIONS

WL = "small_packet_rr"
EXITS = np.linspace(0, 1e5, 20001)


def _equal_cost_exit(io_ops):
    """Exit cycles where hardware assist's CPU per request equals binary translation's (fine grid); the
    first model's hardware assist (wakeups="off"): the default also wakes its halted vCPU, which binary
    translation does not model, and the curve has no crossing at small I/O counts."""
    hw = Model(get("hardware_assist", wakeups="off"), WL).evaluate("cpu_per_request", exit_cycles=EXITS, io_ops=io_ops)
    bt = Model("binary_translation", WL).evaluate("cpu_per_request", io_ops=io_ops)
    crossing = np.flatnonzero(np.diff(np.sign(hw - bt)))
    return EXITS[crossing[0]] if crossing.size else np.nan


@pytest.fixture(scope="module")
def curve():
    io_ops = np.linspace(0.5, 6, 12)
    values = [_equal_cost_exit(n) for n in io_ops]
    return xr.DataArray(values, dims="io_ops", coords={"io_ops": io_ops}, name="exit_cycles",
                        attrs={"below": "hardware_assist", "above": "binary_translation"})


def test_break_even_curve_data_and_labels(curve):
    _fig, ax, artists = break_even_plot(curve)
    x, y = map(np.asarray, artists["curve"].get_data())
    np.testing.assert_array_equal(x, curve["io_ops"].values)
    assert np.isfinite(y).all()
    np.testing.assert_array_equal(y, curve.values)
    assert "[cycles]" in ax.get_ylabel() and "I/O operations" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == f"{technique_label('hardware_assist')} = {technique_label('binary_translation')}"
    assert labels[1:] == ["Hardware-assisted (VT-x/AMD-V) better", "Binary translation better"]


def test_break_even_update_and_gaps(curve):
    handles = break_even_plot(curve.to_dataset(), shade=False)
    gapped = curve.where(curve["io_ops"] > 1.5)
    handles.update(gapped)
    y = np.asarray(handles.artists["curve"].get_ydata())
    assert np.isnan(y[:3]).all() and np.isfinite(y[-1])
    with pytest.raises(ParameterError, match="curve"):
        break_even_plot(xr.DataArray(np.zeros((2, 2)), dims=("a", "b")))


@pytest.fixture(scope="module")
def history():
    table = pd.DataFrame([(g.name, g.year, g.exit_cycles) for g in GENERATIONS.values()],
                         columns=["generation", "year", "exit_cycles"])
    table.attrs["break_even_cycles"] = 1400.0
    return table


def test_timeline_data_reference_and_takeover(history):
    _fig, ax, artists = exit_cost_timeline_plot(history)
    x, y = map(np.asarray, artists["exits"].get_data())
    np.testing.assert_array_equal(x, history["year"].to_numpy())
    np.testing.assert_array_equal(y, history["exit_cycles"].to_numpy())
    assert list(artists["reference"].get_ydata()) == [1400.0, 1400.0]
    first_below = history.sort_values("year").query("exit_cycles < 1400").iloc[0]
    assert first_below["generation"] == "Penryn"
    assert list(artists["takeover"].get_data()[0]) == [first_below["year"]]
    assert "[cycles]" in ax.get_ylabel() and "[year]" in ax.get_xlabel()
    assert any("Penryn" in t.get_text() for t in ax.get_legend().get_texts())


def test_timeline_reference_from_the_model(history):
    level = _equal_cost_exit(2.0)
    handles = exit_cost_timeline_plot(history, reference=level)
    assert handles.extras["reference_cycles"] == level
    assert handles.extras["takeover"] == "Prescott"  # every generation is below this workload's level
    without = pd.DataFrame(history.to_dict())
    with pytest.raises(ParameterError, match="reference"):
        exit_cost_timeline_plot(without)


def test_point_break_even_plots_both_curves_crossing_at_the_root():
    from virtmodel.analysis import break_even

    # the first model's pair (wakeups="off"): under the default SR-IOV is ahead throughout, no root to draw
    result = break_even(get("sriov", wakeups="off"), get("paravirtual", wakeups="off"), "arrival_rate", "p99",
                        workload="small_packet_rr")
    handles = result.plot()
    x, curves = result.curves(400)
    assert set(curves) == {"sriov", "paravirtual"}
    (root,) = result.roots
    assert [line.get_xdata()[0] for line in handles.artists["roots"]] == [root]
    # the two drawn curves change order at the marked root
    a, b = curves["sriov"], curves["paravirtual"]
    left, right = x < 0.9 * root, (x > 1.1 * root) & np.isfinite(a) & np.isfinite(b)
    assert np.all(a[left] < b[left]) and np.all(a[right] > b[right])
    ya = handles.artists["sriov"].get_ydata() * handles.extras["scale"]
    np.testing.assert_allclose(ya, a, rtol=1e-12, equal_nan=True)
