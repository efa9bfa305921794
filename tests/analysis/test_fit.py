"""fit(): recovery from the simulation oracle, identifiability, round trips, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from virtmodel.analysis import FitResult, compare, fit
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.model.simulation import simulate_model
from virtmodel.platform import Platform
from virtmodel.scenario import Scenario

RATES = [1e4, 2.5e4, 4e4, 5.5e4]
TRUE = {"cpu_time": 10e-6, "device_latency": 5e-6}


def _truth():
    return Model("sriov", "small_packet_rr", Platform(vms=1))


def _simulated(seed, customers=20_000):
    """Mean latency per arrival rate from the discrete-event oracle, with its batch-means standard error."""
    model = _truth()
    rows = []
    for i, rate in enumerate(RATES):
        point = Model(model.technique, model.workload.replace(arrival_rate=rate, **{"cpu_time": TRUE["cpu_time"]}),
                      model.platform.replace(device_latency=TRUE["device_latency"]))
        result, delay = simulate_model(point, customers=customers, seed=1000 * seed + i)
        est = result.system_response_time
        rows.append({"arrival_rate": rate, "mean_latency": est.mean + delay, "mean_latency_sigma": est.std_error})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_recovers_parameters_from_simulated_data_within_their_standard_errors():
    """30 seeded data sets: |estimate - truth| <= 1.96 se in about 95% of them, and the se not inflated."""
    start = _truth()
    z = []
    for seed in range(30):
        result = fit(start, _simulated(seed), ["cpu_time", "device_latency"])
        assert result.absolute_sigma and not result.non_identifiable
        z.append([(result.values[p] - TRUE[p]) / result.stderr[p] for p in TRUE])
    z = np.abs(np.array(z))
    covered = (z <= 1.96).sum(axis=0)
    assert (covered >= 25).all(), covered
    # not inflated: the spread of the z-scores is near 1 (an se 3x too large would give about 0.33)
    spread = np.median(z, axis=0) / 0.6745
    assert ((spread > 0.5) & (spread < 1.6)).all(), spread


def test_exact_data_gives_the_true_values_and_zero_chi2():
    model = Model("sriov", "small_packet_rr")
    rates = [5e3, 1e4, 2e4, 3e4]
    truth = model.evaluate_many(["mean_latency", "p99"], arrival_rate=np.array(rates), cpu_time=2e-5,
                                device_latency=3e-6)
    data = pd.DataFrame({"arrival_rate": rates, **truth})
    result = fit(model, data, ["cpu_time", "device_latency"])
    assert result.values["cpu_time"] == pytest.approx(2e-5, rel=1e-8)
    assert result.values["device_latency"] == pytest.approx(3e-6, rel=1e-7)
    assert result.chi2 < 1e-20 and result.r2 == pytest.approx(1.0)
    assert result.dof == 8 - 2
    assert set(result.residuals["metric"]) == {"mean_latency", "p99"}
    assert isinstance(result, FitResult)
    assert list(result.covariance.index) == ["cpu_time", "device_latency"]
    assert "cpu_time" in result._repr_html_()


def test_relative_errors_scale_the_covariance_by_the_reduced_chi2():
    model = Model("sriov", "small_packet_rr")
    rates = np.array([5e3, 1e4, 2e4, 3e4, 3.5e4])
    noise = 1 + 0.02 * np.random.default_rng(3).standard_normal(rates.size)
    data = pd.DataFrame({"arrival_rate": rates, "mean_latency": model.evaluate("mean_latency", arrival_rate=rates)
                         * noise})
    result = fit(model, data, "cpu_time")
    assert not result.absolute_sigma
    # one parameter, relative residuals: se ~ 2% noise / sensitivity, well away from 0 and from the value
    assert 0 < result.stderr["cpu_time"] < 0.2 * result.values["cpu_time"]
    assert abs(result.values["cpu_time"] - 1e-5) < 4 * result.stderr["cpu_time"]


def test_two_costs_that_enter_only_as_a_sum_are_named_non_identifiable():
    model = Model("hardware_assist", "small_packet_rr")
    rates = [5e3, 1e4, 2e4, 3e4]
    data = pd.DataFrame({"arrival_rate": rates,
                         "mean_latency": model.evaluate("mean_latency", arrival_rate=rates, exit_cycles=1000)})
    result = fit(model, data, ["exit_cycles", "exit_handling_cycles", "cpu_time"])
    assert set(result.non_identifiable) == {"exit_cycles", "exit_handling_cycles"}
    assert result.determined == ("exit_cycles + exit_handling_cycles",)
    assert result.values["exit_cycles"] + result.values["exit_handling_cycles"] == pytest.approx(1000 + 2216, rel=1e-6)
    assert np.isnan(result.stderr["exit_cycles"]) and np.isfinite(result.stderr["cpu_time"])
    assert "cpu_time" not in result.non_identifiable
    assert not result.table().loc["exit_cycles", "identifiable"]


def test_fitted_technique_round_trips_through_a_scenario_file(tmp_path):
    model = Model("sriov", "small_packet_rr")
    rates = [5e3, 1e4, 2e4]
    data = pd.DataFrame({"arrival_rate": rates,
                         "mean_latency": model.evaluate("mean_latency", arrival_rate=rates, iommu_cycles=900.0)})
    result = fit(model, data, "iommu_cycles")
    assert result.technique.iommu_cycles == pytest.approx(900.0, rel=1e-6)
    path = Scenario("small_packet_rr", techniques=[result.technique], name="fitted").save(tmp_path / "s.json")
    loaded = Scenario.load(path)
    again = loaded.models()[0].evaluate_all()
    assert again == pytest.approx(result.model.evaluate_all())
    table = compare([result.technique, "paravirtual"], "small_packet_rr", metrics=["mean_latency"])
    assert table.loc["sriov", "mean_latency"] == pytest.approx(result.model.evaluate("mean_latency"))


def test_a_fraction_is_kept_in_its_domain_and_reported_at_its_bound():
    model = Model("sriov", "small_packet_rr")
    rates = [5e3, 1e4, 2e4]
    data = pd.DataFrame({"arrival_rate": rates,
                         "mean_latency": model.evaluate("mean_latency", arrival_rate=rates) * 0.5})
    result = fit(model, data, ["device_latency"])
    assert result.values["device_latency"] >= 0
    assert "device_latency" in result.at_bound


def test_a_csv_path_is_read(tmp_path):
    model = Model("sriov", "small_packet_rr")
    rates = [5e3, 1e4]
    pd.DataFrame({"arrival_rate": rates, "mean_latency": model.evaluate("mean_latency", arrival_rate=rates,
                                                                        cpu_time=3e-5)}).to_csv(tmp_path / "d.csv",
                                                                                                  index=False)
    assert fit(model, tmp_path / "d.csv", "cpu_time").values["cpu_time"] == pytest.approx(3e-5, rel=1e-7)


def _data():
    return pd.DataFrame({"arrival_rate": [5e3, 1e4], "mean_latency": [3e-5, 4e-5]})


@pytest.mark.parametrize("change, parameters, kwargs, words", [
    (None, ["cpu_tim"], {}, "cpu_time"),                               # unknown parameter, close match
    (None, ["vms"], {}, "continuous"),                                 # a count
    (None, ["arrival_rate"], {}, "not both"),                          # a data column
    (None, ["cpu_time", "cpu_time"], {}, "twice"),
    ({"mean_latncy": [1.0, 2.0]}, ["cpu_time"], {}, "mean_latncy"),    # unknown column
    ({"mean_latency": [np.nan, 1e-5]}, ["cpu_time"], {}, "row 0"),     # NaN
    ({"mean_latency": ["fast", 1e-5]}, ["cpu_time"], {}, "fast"),      # text
    (None, ["cpu_time", "device_latency", "iommu_cycles"], {}, "at least as many"),
    (None, ["cpu_time"], {"metric": "p99"}, "p99"),                    # metric not in the data
    (None, ["cpu_time"], {"weights": {"p99": 2.0}}, "p99"),
    (None, ["cpu_time"], {"weights": {"mean_latency": -1.0}}, "-1.0"),
    (None, ["cpu_time"], {"sigma": 0.0}, "sigma"),
    ({"mean_latency_sigma": [0.0, 1e-6]}, ["cpu_time"], {}, "mean_latency_sigma"),
    ({"p99_sigma": [1e-6, 1e-6]}, ["cpu_time"], {}, "p99_sigma"),     # sigma without its metric
])
def test_bad_input_names_the_parameter_or_column(change, parameters, kwargs, words):
    data = _data()
    for k, v in (change or {}).items():
        data[k] = v
    with pytest.raises(ParameterError, match=words):
        fit(Model("sriov", "small_packet_rr"), data, parameters, **kwargs)


def test_bad_data_and_model_arguments():
    with pytest.raises(ParameterError, match="data"):
        fit("sriov", object(), "cpu_time")
    with pytest.raises(ParameterError, match="empty"):
        fit("sriov", pd.DataFrame({"mean_latency": []}), "cpu_time")
    with pytest.raises(ParameterError, match="metric column"):
        fit("sriov", pd.DataFrame({"arrival_rate": [1.0, 2.0]}), "cpu_time")
    with pytest.raises(ParameterError, match="workload"):
        fit(Model("sriov"), _data(), "cpu_time", workload="small_packet_rr")
    with pytest.raises(ParameterError, match="CSV"):
        fit("sriov", "/nonexistent/data.csv", "cpu_time")


def test_plot_shows_measured_fitted_and_residuals():
    import matplotlib.pyplot as plt

    from virtmodel.plotting import fit_plot

    model = Model("sriov", "small_packet_rr")
    rates = np.array([5e3, 1e4, 2e4, 3e4])
    truth = model.evaluate_many(["mean_latency", "p99"], arrival_rate=rates, cpu_time=2e-5)
    data = pd.DataFrame({"arrival_rate": rates, **truth, "mean_latency_sigma": 1e-7, "p99_sigma": 1e-6})
    result = fit(model, data, "cpu_time")
    fig, axes, artists = result.plot()
    try:
        assert axes.shape == (2, 2) and set(artists) == {"mean_latency", "p99"}
        x, y = artists["mean_latency"]["measured"].get_data()
        assert np.allclose(x, rates)
        assert np.allclose(artists["p99"]["residuals"].get_data()[1], 0.0, atol=1e-6)
        assert "\u00b5s" in axes[0, 0].get_ylabel()
    finally:
        plt.close(fig)
    with pytest.raises(ParameterError, match="FitResult"):
        fit_plot(data)


def test_standard_errors_match_the_spread_of_estimates_for_parameters_of_very_different_units():
    """Seconds and cycles in one fit (10 orders of magnitude apart): the reported se is the estimates' spread."""
    model = Model("sriov", "small_packet_rr")
    rates = np.array([5e3, 1e4, 2e4, 3e4, 3.5e4])
    truth = model.evaluate_many(["mean_latency", "p99"], arrival_rate=rates, cpu_time=12e-6, iommu_cycles=600.0)
    rng = np.random.default_rng(7)
    sigma = {"mean_latency": 0.3e-6, "p99": 1e-6}
    estimates, reported = [], []
    for _ in range(40):
        data = pd.DataFrame({"arrival_rate": rates,
                             **{m: truth[m] + sigma[m] * rng.standard_normal(rates.size) for m in sigma}})
        result = fit(model, data, ["cpu_time", "iommu_cycles"], sigma=sigma)
        estimates.append([result.values["cpu_time"], result.values["iommu_cycles"]])
        reported.append([result.stderr["cpu_time"], result.stderr["iommu_cycles"]])
    ratio = np.std(estimates, axis=0, ddof=1) / np.median(reported, axis=0)
    # 40 samples: the spread has its own error of about 11%, the same for both (correlation -0.95);
    # 200 samples gave 1.07 and 1.05
    assert ((ratio > 0.6) & (ratio < 1.5)).all(), ratio
    assert np.mean(estimates, axis=0)[1] == pytest.approx(600.0, abs=3 * np.median(reported, axis=0)[1] / 6)
