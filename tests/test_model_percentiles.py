"""Latency percentiles beyond p50/p95/p99: the names, the gamma fit against SciPy's
gamma distribution, the order of the tail, the simulation, and every entry point."""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from virtmodel import ParameterError, SymbolicUnsupportedError
from virtmodel.analysis import break_even, compare, sweep, win_regions
from virtmodel.model import Model, is_percentile, metric_names, percentile_level
from virtmodel.model.simulation import simulate_model
from virtmodel.platform import Platform
from virtmodel.plotting import latency_curves_data
from virtmodel.plotting._common import metric_label
from virtmodel.techniques import names
from virtmodel.workload import Workload

TAIL = ["p50", "p90", "p95", "p99", "p99.9", "p99.99"]


@pytest.mark.parametrize("name, level", [("p50", 0.5), ("p99.9", 0.999), ("p99.99", 0.9999), ("p0.5", 0.005),
                                         ("p1", 0.01), ("p90", 0.9)])
def test_names_give_their_probability_exactly(name, level):
    assert percentile_level(name) == level  # decimal arithmetic: 99.9 / 100 is not 0.9990000000000001
    assert is_percentile(name)


@pytest.mark.parametrize("name", ["p0", "p100", "p99.90", "p050", "p05", "p", "p.5", "p9e1", "P99", " p99",
                                  "p99\n", "p-1", 99, None])
def test_other_names_are_not_percentiles(name):
    assert percentile_level(name) is None


@pytest.mark.parametrize("technique", names())
def test_quantiles_are_the_fitted_gamma_plus_the_delay(technique):
    """Independent of the package's inverse: scipy.stats.gamma with the model's own mean and variance."""
    model = Model(technique, "small_packet_rr")
    rate = 0.5 * model.evaluate("throughput_limit")
    v = model.evaluate_many(["mean_latency", "latency_variance"] + TAIL, arrival_rate=rate)
    table = model.station_table(arrival_rate=rate)
    queue = float(table["response_time"].sum())  # the queueing part; the rest of the mean is pure delay
    delay = table.attrs["delay"]
    assert v["mean_latency"] == pytest.approx(queue + delay, rel=1e-12)
    shape = queue**2 / v["latency_variance"]
    for name in TAIL:
        expected = delay + stats.gamma.ppf(percentile_level(name), shape, scale=queue / shape)
        assert v[name] == pytest.approx(expected, rel=1e-9), name


@pytest.mark.parametrize("technique", names())
def test_the_tail_is_ordered_and_saturates(technique):
    model = Model(technique, "web_serving")
    limit = model.evaluate("throughput_limit")
    rates = np.array([0.1, 0.5, 0.9, 1.1]) * limit
    values = model.evaluate_many(TAIL, arrival_rate=rates)
    for lower, upper in zip(TAIL, TAIL[1:]):
        assert np.all(values[lower][:3] < values[upper][:3]), (lower, upper)
    assert all(np.isinf(values[name][3]) for name in TAIL)
    with pytest.raises(Exception, match="unstable"):
        model.evaluate("p99.9", arrival_rate=rates[3])


@pytest.mark.parametrize("technique", names())
def test_one_fit_serves_every_set_of_percentiles(technique):
    model = Model(technique, "oltp")
    rate = 0.7 * model.evaluate("throughput_limit")
    together = model.evaluate_many(TAIL, arrival_rate=rate)
    for name in TAIL:
        assert model.evaluate(name, arrival_rate=rate) == pytest.approx(together[name], rel=1e-12)


P999_RTOL = 0.10  # gamma fit of the tail at 60% load (measured at 2e5 customers: within 6%)


@pytest.mark.slow
@pytest.mark.parametrize("technique", names())
def test_p999_agrees_with_simulation(technique):
    base = Model(technique, "web_serving", Platform(vms=2, cores=4))
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(base.technique, base.workload.replace(arrival_rate=rate), base.platform)
    sim, delay = simulate_model(model, customers=200_000, seed=7, percentiles=(0.999,))
    estimate = sim.response_time_percentile(0.999)
    assert estimate.contains(model.evaluate("p99.9") - delay, 0.99, rtol=P999_RTOL), (
        estimate, model.evaluate("p99.9") - delay)


def test_every_entry_point_takes_any_percentile():
    techniques = ["paravirtual", "sriov"]
    table = compare(techniques, "small_packet_rr", metrics=["p99", "p99.9"])
    assert list(table.columns) == ["p99", "p99.9", "note"] and table.attrs["units"]["p99.9"] == "s"
    assert (table["p99.9"] > table["p99"]).all()

    rates = np.linspace(1e3, 6e4, 7)
    data = sweep(["p99.9"], techniques, "small_packet_rr", arrival_rate=rates)
    assert data["p99.9"].attrs["units"] == "s"
    assert np.allclose(data["p99.9"].sel(technique="sriov").values,
                       Model("sriov", "small_packet_rr").evaluate("p99.9", arrival_rate=rates))

    # a pair that crosses under the default (SR-IOV and paravirtual do not: SR-IOV ahead up to the
    # paravirtual limit; 23,000/s only on the first model): container vs SR-IOV, 27,200/s
    be = break_even("sriov", "container", "arrival_rate", "p99.9", workload="small_packet_rr")
    assert be.method.startswith("numeric") and 2e4 < be.value < 3e4
    a, b = (Model(t, "small_packet_rr").evaluate("p99.9", arrival_rate=be.value) for t in ("sriov", "container"))
    assert a == pytest.approx(b, rel=1e-6)

    regions = win_regions(techniques, ("arrival_rate", rates), ("io_bytes", np.array([64.0, 1500.0])), "p99.9",
                          workload="small_packet_rr", constraints={"p99.99": ("<=", 1e-3)})
    assert regions.attrs["metric"] == "p99.9"

    curves = latency_curves_data(techniques, "small_packet_rr", metric="p99.9", points=50)
    assert curves.attrs["unit"] == "s"
    assert "99.9th-percentile latency" in metric_label("p99.9")
    assert "p99.9" not in metric_names()  # the listed ones stay p50, p95, p99


def test_bad_names_and_unsupported_uses_say_so():
    model = Model("sriov", "small_packet_rr")
    for bad in ("p100", "p99.90", "p42x"):
        with pytest.raises(ParameterError, match="latency percentile p<P>"):
            model.evaluate(bad)
    with pytest.raises(ParameterError, match="did you mean 'p99'"):
        compare(["sriov", "paravirtual"], "small_packet_rr", metrics=["p999"])
    with pytest.raises(SymbolicUnsupportedError, match="gamma fit"):
        model.expression("p99.9")
    closed = Model("sriov", Workload(users=4, think_time=1e-3))
    with pytest.raises(ParameterError, match="latency percentile p<P>"):
        closed.evaluate("p99.90")
    assert closed.evaluate("p99.9") > closed.evaluate("p99") > closed.evaluate("mean_latency")  # closedtail


def test_dashboard_offers_a_percentile_it_is_given_and_rejects_unknown_metrics():
    pytest.importorskip("ipywidgets")
    from virtmodel.widgets import Dashboard

    board = Dashboard(["paravirtual", "sriov"], metric="p99.99", points=50)
    picker = board.controls["metric"]
    assert picker.value == "p99.99" and ("99.99th-percentile latency", "p99.99") in picker.options
    assert ("99.9th-percentile latency", "p99.9") in Dashboard(points=50).controls["metric"].options
    with pytest.raises(ParameterError, match="metric"):
        Dashboard(metric="p42x")


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 999_999))
def test_every_shortest_name_parses_to_its_level_and_the_tail_grows_with_it(ten_thousandths):
    """P = k / 10^4 for k in 1..999 999 written shortest ("p99.9", "p0.0001") is P / 100 exactly."""
    percent = Decimal(ten_thousandths) / Decimal(10_000)
    name = "p" + format(percent.normalize(), "f")
    assert percentile_level(name) == float(percent / 100)
    model = Model("sriov", "small_packet_rr")
    p, median = model.evaluate(name, arrival_rate=2e4), model.evaluate("p50", arrival_rate=2e4)
    assert (p < median) if percent < 50 else (p >= median)
