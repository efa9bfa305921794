"""Stacked CPU breakdown: bar widths are the model's demands and busy cores."""

import numpy as np
import pytest

from virtmodel import ParameterError
from virtmodel.model import Model
from virtmodel.techniques import get
from virtmodel.plotting._common import technique_label
from virtmodel.plotting.breakdown import cpu_breakdown_data, cpu_breakdown_plot

TECHS = ["binary_translation", "paravirtual", "sriov", "nitro"]
WL = "small_packet_rr"


def test_per_request_parts_sum_to_cpu_per_request():
    table = cpu_breakdown_data(TECHS, WL)
    for t in TECHS:
        assert table.loc[t].sum() == pytest.approx(Model(t, WL).evaluate("cpu_per_request"), rel=1e-12)
    assert table.loc["sriov", "host"] == 0 and table.loc["nitro", "card"] > 0
    assert table.attrs["unit"] == "s"
    # wakeups='on': the work of requests that find a vCPU or back-end idle is its own part; none with 'off'
    on = cpu_breakdown_data([get(t, wakeups="on") for t in ("paravirtual", "sriov")], WL)
    off = cpu_breakdown_data([get(t, wakeups="off") for t in ("paravirtual", "sriov")], WL)
    assert (on["wakeups"] > 0).all() and (off["wakeups"] == 0).all()
    for t in ("paravirtual", "sriov"):
        assert on.loc[t].sum() == pytest.approx(Model(get(t, wakeups="on"), WL).evaluate("cpu_per_request"), rel=1e-12)


def test_at_a_load_parts_are_the_busy_cores():
    table = cpu_breakdown_data(TECHS, WL, per="load", arrival_rate=3e4)
    for t in TECHS:
        m = Model(t, WL)
        assert table.loc[t, "guest"] == pytest.approx(m.evaluate("guest_cores", arrival_rate=3e4))
        assert table.loc[t, "host"] == pytest.approx(m.evaluate("host_cores", arrival_rate=3e4))
        assert table.loc[t, "card"] == pytest.approx(m.evaluate("card_load", arrival_rate=3e4) * 4)
    assert table.attrs["arrival_rate"] == 3e4


def test_bars_stack_the_table_and_are_labelled():
    table = cpu_breakdown_data(TECHS, WL)
    handles = cpu_breakdown_plot(table)
    _fig, ax, bars = handles
    assert list(bars) == ["guest", "host", "card", "wakeups"]   # the default's wake-ups: their own segment
    scale = handles.extras["scale"]
    left = np.zeros(len(TECHS))
    for c, container in bars.items():
        widths = np.array([r.get_width() for r in container.patches])
        np.testing.assert_allclose(widths * scale, table[c].to_numpy())
        np.testing.assert_allclose([r.get_x() for r in container.patches], left)
        left += widths
    top_down = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())), reverse=True)
    assert [label for _, label in top_down] == [technique_label(t) for t in TECHS]  # first technique on top
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["guest vCPUs", "host cores", "offload card",
                                                                  "wake-ups (off the queues)"]
    assert ax.get_xlabel() == "CPU time per request [core-\u00b5s]"


def test_zero_components_are_left_out_and_update_resizes():
    handles = cpu_breakdown_plot(cpu_breakdown_data(["paravirtual", "hardware_assist"], WL, per="load"))
    assert list(handles.artists) == ["guest", "host"]
    assert "[cores]" in handles.ax.get_xlabel()
    new = cpu_breakdown_data(["paravirtual", "hardware_assist"], WL, per="load", arrival_rate=4000.0)
    handles.update(new)
    host = [r.get_width() for r in handles.artists["host"].patches]
    np.testing.assert_allclose(host, new["host"].to_numpy())


def test_bad_input_named():
    with pytest.raises(ParameterError, match="per"):
        cpu_breakdown_data(TECHS, WL, per="second")
    with pytest.raises(ParameterError, match="technique"):
        cpu_breakdown_data(["warp_drive"], WL)
