"""Issue 14's figure fixes, each checked by the data and text of the figure (never by pixels)."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest
import xarray as xr

matplotlib.use("Agg")

from virtmodel import labels  # noqa: E402
from virtmodel.analysis import sensitivity, win_regions  # noqa: E402
from virtmodel.plotting import sensitivity_plot, win_regions_plot  # noqa: E402
from virtmodel.techniques import get  # noqa: E402


def _legend_texts(handles):
    legend = handles.extras["legend"]
    return [t.get_text() for t in legend.get_texts()]


def _outside_math(text):
    return re.sub(r"\$[^$]*\$", "", text)


def _regions(winner, margin):
    dims = ("y", "x")
    return xr.Dataset({"winner": (dims, np.array(winner)), "margin": (dims, np.array(margin, dtype=float))},
                      coords={"technique": ["paravirtual", "sriov"], "x": [1.0, 2.0, 3.0], "y": [1.0, 2.0]})


def test_a_tie_is_not_drawn_as_a_win():
    # sriov "wins" one cell by 1e-6: a tie, so sriov has no region and no legend entry
    regions = _regions([[0, 0, 1], [0, 0, 0]], [[0.2, 0.1, 1e-6], [0.3, 0.2, 0.1]])
    handles = win_regions_plot(regions, margin_levels=[])
    texts = _legend_texts(handles)
    assert labels.technique("sriov") not in texts
    assert labels.technique("paravirtual") in texts
    assert any(t.startswith("tie") for t in texts)
    assert handles.extras["ties"].tolist() == [[False, False, True], [False, False, False]]
    shown = handles.artists["map"].get_array().reshape(2, 3)
    assert np.ma.is_masked(shown[0, 2]) and shown[0, 0] == 0
    tie_cells = handles.artists["ties"].get_array().reshape(2, 3)
    assert not np.ma.is_masked(tie_cells[0, 2]) and np.ma.is_masked(tie_cells[0, 0])
    # asked for no ties, the same cell is a win again
    strict = win_regions_plot(regions, margin_levels=[], tie_margin=None)
    assert labels.technique("sriov") in _legend_texts(strict) and not strict.extras["ties"].any()


def test_figure_5_2s_three_way_tie_is_a_tie_not_a_hardware_assist_region():
    rates = ("arrival_rate", np.linspace(2e3, 9.5e4, 90))
    sizes = ("io_bytes", np.geomspace(64, 9000, 60))
    regions = win_regions(["paravirtual", "hardware_assist", get("sriov", posted_interrupts=False)], rates, sizes,
                          "p99", workload="small_packet_rr")
    names = [str(t) for t in regions["technique"].values]
    assert (regions["winner"].values == names.index("hardware_assist")).sum() >= 1   # the raw winner: one cell
    handles = win_regions_plot(regions, margin_levels=[])
    assert labels.technique("hardware_assist") not in _legend_texts(handles)
    assert handles.extras["ties"].sum() >= 1


def test_the_tie_update_follows_new_data():
    handles = win_regions_plot(_regions([[0, 0, 1], [0, 0, 0]], [[0.2, 0.1, 0.5], [0.3, 0.2, 0.1]]),
                               margin_levels=[])
    assert not handles.extras["ties"].any()
    handles.update(_regions([[0, 0, 1], [0, 0, 0]], [[0.2, 0.1, 0.5], [0.3, 1e-5, 0.1]]))
    assert handles.extras["ties"].tolist() == [[False, False, False], [False, True, False]]


def test_sensitivity_bars_are_labelled_in_words_not_code_names():
    fig, ax, _ = sensitivity_plot(sensitivity("binary_translation", "capacity_ratio", "syscall_heavy"), top=8)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 8
    for tick in ticks:
        assert "_" not in _outside_math(tick), tick
    assert any("system calls per request" in t for t in ticks)


def test_labels_name_every_technique_preset_and_generation_in_words():
    from virtmodel import workloads
    from virtmodel.lenses.ec2 import EC2_GENERATIONS
    from virtmodel.techniques import names

    for name in (*names(), *workloads.PRESETS, *EC2_GENERATIONS):
        shown = labels.label(name)
        assert shown and "_" not in shown and labels.code_names(shown) == [], (name, shown)
    assert labels.label("p99") == "99th-percentile latency"
    assert labels.code_names("xen_pv beats hardware_assist on small_packet_rr") == [
        "xen_pv", "hardware_assist", "small_packet_rr"]
    assert labels.code_names("p99 of the guest") == []
