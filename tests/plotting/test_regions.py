"""Win-region maps: image data equals the winner array; masks, legend and labels."""

import numpy as np
import pytest

from virtmodel.plotting._common import technique_label, technique_style
from virtmodel.plotting.regions import region_codes, win_regions_plot

from ._regions_oracle import brute_force_regions

TECHS = ["binary_translation", "paravirtual", "hardware_assist", "sriov"]


@pytest.fixture(scope="module")
def regions():
    return brute_force_regions(TECHS, "small_packet_rr", "arrival_rate", np.linspace(1e3, 9e4, 40),
                               "syscalls", np.linspace(0, 60, 30))


def test_map_data_is_the_winner_array(regions):
    handles = win_regions_plot(regions)
    _fig, _ax, artists = handles
    image = artists["map"].get_array()
    winner = regions["winner"].values
    saturated = regions["saturated"].values
    assert image.shape == winner.shape or image.size == winner.size
    image = np.ma.asarray(image).reshape(winner.shape)
    ties = handles.extras["ties"]  # a tie (margin < 0.1%) is nobody's win: masked like saturation
    np.testing.assert_array_equal(image.mask, saturated | ties)
    won = ~saturated & ~ties
    np.testing.assert_array_equal(image.data[won], winner[won])
    assert saturated.any() and (~saturated).any()


def test_legend_names_present_winners_and_infeasible(regions):
    handles = win_regions_plot(regions)
    labels = [t.get_text() for t in handles.ax.get_legend().get_texts()]
    won = ~regions["saturated"].values & ~handles.extras["ties"]
    present = sorted(set(regions["winner"].values[won].ravel()))
    tie = ["tie (within 0.1%)"] if handles.extras["ties"].any() else []
    assert labels == ([technique_label(TECHS[i]) for i in present] + tie
                      + ["infeasible / saturated", "margin (contours)"])
    cmap = handles.extras["cmap"]
    from matplotlib.colors import to_hex

    assert [to_hex(cmap(i)) for i in range(len(TECHS))] == [to_hex(technique_style(t)["color"]) for t in TECHS]


def test_axis_labels_have_units(regions):
    ax = win_regions_plot(regions).ax
    assert "[1/s]" in ax.get_xlabel() and "system calls" in ax.get_ylabel()


def test_margin_contours_and_tie_hatching(regions):
    artists = win_regions_plot(regions, margin_levels=[0.1, 0.5], tie=0.05).artists
    assert list(artists["margin"].levels) == [0.1, 0.5]
    assert artists["tie"] is not None


def test_winner_given_by_name_and_update(regions):
    named = regions.assign(winner=(regions["winner"].dims, np.array(TECHS)[regions["winner"].values]))
    codes, names = region_codes(named)
    assert names == TECHS
    np.testing.assert_array_equal(codes, np.where(regions["saturated"].values, -1, regions["winner"].values))
    handles = win_regions_plot(named)
    flipped = regions.assign(saturated=regions["saturated"] | (regions["syscalls"] > 30))
    handles.update(flipped)
    image = np.ma.asarray(handles.artists["map"].get_array()).reshape(codes.shape)
    assert image.mask[regions["syscalls"].values > 30].all()
