"""Each reproduction of the hardening issue at the model, analysis, plotting and widget level:
a number, or a ParameterError naming the parameter, never NaN or another exception."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from virtmodel.analysis import break_even, exit_cost_history, win_regions
from virtmodel.errors import ParameterError
from virtmodel.model import Model, simulate_model
from virtmodel.techniques.generations import with_generation

M = Model("sriov", "small_packet_rr")


def test_a_percentile_name_that_rounds_to_p100_is_refused():
    with pytest.raises(ParameterError, match="metric"):
        M.evaluate("p99.9999999999999999")
    assert np.isfinite(M.evaluate("p99.9999"))


def test_negative_zero_is_zero():
    assert M.evaluate("throughput_limit", io_ops=-0.0) == M.evaluate("throughput_limit", io_ops=0.0) > 0
    assert np.all(M.evaluate("throughput_limit", io_ops=np.array([-0.0, 1.0])) > 0)


def test_a_sympy_override_is_refused_by_name():
    with pytest.raises(ParameterError, match="vms"):
        M.evaluate("p99", vms=sp.Symbol("n", integer=True, positive=True))


def test_a_station_whose_demand_squared_underflows_adds_no_nan():
    assert np.isfinite(M.evaluate("latency_variance", io_bytes=1e-200))
    assert np.isfinite(M.evaluate("p99", io_bytes=1e-200))
    assert not M.station_table(io_bytes=1e-200).isna().any().any()


def test_a_parameter_at_a_float_extreme_is_named():
    with pytest.raises(ParameterError, match="clock_hz"):
        M.evaluate("mean_latency", clock_hz=5e-324)


def test_a_huge_think_time_gives_a_positive_latency():
    r = Model("sriov", "small_packet_rr").closed(users=2, think_time=1e308)
    assert r.metrics["mean_latency"] > 0


def test_a_grid_too_big_for_memory_is_refused_before_work():
    x = np.linspace(1, 1e4, 10**4)
    with pytest.raises(ParameterError, match="fits in memory"):
        M.evaluate("p99", arrival_rate=x[:, None], cpu_time=np.linspace(1e-6, 1e-5, 10**5)[None, :])


def test_small_work_goes_ahead_even_when_free_memory_reads_zero(monkeypatch):
    """MemAvailable read as 0 under memory pressure must not refuse a 2-point grid; big work still is."""
    from virtmodel import _memory

    monkeypatch.setattr(_memory, "available_bytes", lambda: 0)
    assert np.shape(M.evaluate("mean_latency", arrival_rate=np.array([1e3, 2e3]))) == (2,)
    with pytest.raises(ParameterError, match="fits in memory"):
        _memory.check_fits(10**6, "overrides")


def test_simulate_model_takes_a_model_and_has_no_nan_means():
    with pytest.raises(ParameterError, match="model"):
        simulate_model("sriov")
    result, _ = simulate_model(M, customers=1000)
    assert not np.isnan(result.response_time.mean).any()
    with pytest.raises(ParameterError, match="customers"):
        simulate_model(M, customers=10**20)


def test_with_generation_takes_a_name():
    assert with_generation("hardware_assist", "Nehalem").exit_cycles > 0


@pytest.mark.parametrize("call", [
    lambda: win_regions(["sriov", "paravirtual"], ("arrival_rate", [1e3, 2e3]), ("vms", [1, 2]), "p99",
                        workload="small_packet_rr", constraints=True),
    lambda: exit_cost_history("kernel_build", generations=[]),
    lambda: break_even("sriov", "paravirtual", "arrival_rate", "p99", workload="small_packet_rr", bounds=[]),
])
def test_analyses_name_the_bad_argument(call):
    with pytest.raises(ParameterError):
        call()


@pytest.mark.parametrize("plot", ["latency_curves_plot", "win_regions_plot", "cpu_breakdown_plot"])
@pytest.mark.parametrize("bad", [[], None, {"a": 1}])
def test_plots_refuse_what_they_cannot_draw(plot, bad):
    import virtmodel.plotting as plotting

    with pytest.raises(ParameterError):
        getattr(plotting, plot)(bad)


@pytest.mark.parametrize("points", [float("inf"), 0, 10**9, "many"])
def test_dashboard_points_are_checked(points):
    from virtmodel.widgets import dashboard

    with pytest.raises(ParameterError, match="points"):
        dashboard(["sriov"], points=points, display="image")
