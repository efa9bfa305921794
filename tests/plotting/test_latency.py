"""Latency-versus-load curves: tested by their data and labels, not pixels."""

import numpy as np
import pytest

from virtmodel import ParameterError
from virtmodel.model import Model
from virtmodel.plotting._common import technique_label, technique_style
from virtmodel.plotting.latency import latency_curves_data, latency_curves_plot

TECHS = ["binary_translation", "hardware_assist", "sriov"]
WL = "small_packet_rr"


@pytest.fixture(scope="module")
def data():
    return latency_curves_data(TECHS, WL, points=60)


def test_line_data_is_the_model_at_those_loads(data):
    handles = latency_curves_plot(data)
    _fig, _ax, lines = handles
    scale = handles.extras["scale"]
    assert scale == pytest.approx(1e-6)  # tens of microseconds shown in us
    for t in TECHS:
        x, y = lines[t].get_data()
        expected = Model(t, WL).evaluate("mean_latency", arrival_rate=np.asarray(x))
        finite = np.isfinite(expected)
        np.testing.assert_allclose(np.asarray(y)[finite] * scale, expected[finite], rtol=1e-12)


def test_saturated_points_are_nan_not_spikes(data):
    _, _, lines = latency_curves_plot(data)
    for t in TECHS:
        x, y = map(np.asarray, lines[t].get_data())
        limit = Model(t, WL).evaluate("throughput_limit")
        assert np.isnan(y[x >= limit]).all() and (x >= limit).any()
        assert np.isfinite(y[x < limit]).all()
        assert data["saturated"].sel(technique=t).values.tolist() == (x >= limit).tolist()


def test_asymptote_at_throughput_limit(data):
    handles = latency_curves_plot(data)
    for t in TECHS:
        xs = handles.extras["asymptotes"][t].get_xdata()
        assert xs[0] == xs[1] == pytest.approx(Model(t, WL).evaluate("throughput_limit"))
        assert handles.extras["asymptotes"][t].get_color() == handles.artists[t].get_color()


def test_legend_and_axis_labels(data):
    _fig, ax, _lines = latency_curves_plot(data)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    # the technique curves, then one entry for every throughput-limit line (issue 14: in the legend)
    assert labels == [technique_label(t) for t in TECHS] + [r"throughput limits $X_{\max}$"]
    assert "[1/s]" in ax.get_xlabel() and r"\lambda" in ax.get_xlabel()
    assert ax.get_ylabel() == "mean latency [\u00b5s]"


def test_each_technique_has_its_own_colour_and_line_style(data):
    from matplotlib.colors import to_hex

    _, _, lines = latency_curves_plot(data)
    styles = [technique_style(t) for t in TECHS]
    assert len({s["color"] for s in styles}) == len({str(s["linestyle"]) for s in styles}) == len(TECHS)
    for t, style in zip(TECHS, styles):
        assert to_hex(lines[t].get_color()) == to_hex(style["color"])


def test_percentile_against_utilization():
    d = latency_curves_data(["paravirtual", "nitro"], WL, metric="p99", x="utilization", points=40)
    handles = latency_curves_plot(d, fraction=0.5)
    fig, ax, lines = handles
    for t in ("paravirtual", "nitro"):
        m = Model(t, WL)
        rho, y = map(np.asarray, lines[t].get_data())
        expected = m.evaluate("p99", arrival_rate=rho * m.evaluate("throughput_limit"))
        np.testing.assert_allclose(y * handles.extras["scale"], expected, rtol=1e-12)
        assert np.isfinite(y).all() and rho.max() < 1
    assert "99th-percentile latency" in ax.get_ylabel() and "utilization" in ax.get_xlabel()
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.x0 >= ax.get_window_extent().x1  # narrow figure: legend beside the data


def test_update_moves_lines_in_place(data):
    handles = latency_curves_plot(data)
    line = handles.artists["sriov"]
    new = latency_curves_data(TECHS, WL, points=60, vms=16)
    handles.update(new)
    assert handles.artists["sriov"] is line
    y = np.asarray(line.get_ydata())
    np.testing.assert_allclose(y * handles.extras["scale"], new["mean_latency"].sel(technique="sriov").values)
    limit = Model("sriov", WL).evaluate("throughput_limit", vms=16)
    assert handles.extras["asymptotes"]["sriov"].get_xdata()[0] == pytest.approx(limit)


def test_bad_input_named():
    with pytest.raises(ParameterError, match="metric"):
        latency_curves_data(TECHS, WL, metric="throughput_limit")
    with pytest.raises(ParameterError, match="x"):
        latency_curves_data(TECHS, WL, x="load")
    with pytest.raises(ParameterError, match="arrival_rate"):
        latency_curves_data(TECHS, WL, arrival_rate=5.0)
