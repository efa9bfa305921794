"""sensitivity(): finite-difference elasticities against SymPy's exact derivatives, hand
values, the closed model and percentiles, what is left out, bad input, and the plot."""

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, UnstableError
from virtmodel.analysis import sensitivity
from virtmodel.model import Model
from virtmodel.plotting import sensitivity_plot
from virtmodel.symbols import info, symbol
from virtmodel.techniques import get
from virtmodel.workload import Workload


@pytest.mark.parametrize("technique, metric, workload", [
    ("binary_translation", "overhead", "kernel_build"),
    ("paravirtual", "host_cores", "small_packet_rr"),
    ("sriov", "mean_latency", "small_packet_rr"),
    ("nitro", "cpu_per_request", "oltp"),
    ("hardware_assist", "mean_latency", "small_packet_rr"),  # Erlang C host: its derivative in the load
])
def test_derivatives_are_sympys_exact_ones(technique, metric, workload):
    """Independent: differentiate the model's own SymPy expression and put the values in."""
    model = Model(technique, workload)
    table = sensitivity(technique, metric, workload)
    expr = model.expression(metric).expr
    values = model.values()
    subs = {symbol(n): sp.Integer(v) if info(n).domain in ("count", "count0") else sp.Float(v, 30)
            for n, v in values.items()}
    assert len(table) >= 3
    for name, row in table.iterrows():
        if name == "message_packets":  # min(1, 1/k) of segmentation offload has a kink at the default k = 1
            continue
        exact = float(sp.diff(expr, symbol(name)).xreplace(subs).evalf(30))
        # the central difference's rounding floor: about eps |f| / h (h = 1e-5 relative to a value of order 1),
        # which a derivative as small as count_dispersion's here (2.5e-7 on an overhead of 1.26) reaches
        floor = 10 * np.finfo(float).eps / 1e-5 * abs(table.attrs["value"])
        assert row["derivative"] == pytest.approx(exact, rel=1e-6, abs=floor), name
        assert row["elasticity"] == pytest.approx(exact * values[name] / table.attrs["value"], rel=1e-6, abs=1e-9)


def test_hand_values_for_host_cores():
    """host_cores = V * lambda * D_host is linear in the rate and in the back-end time per I/O
    (elasticity 1 each) and falls as the clock rises only through cycle costs: the first model's host
    (wakeups="off"); under the default the host also wakes the halted vCPU at its idle probability,
    which falls with the rate (elasticity below 1)."""
    pv = get("paravirtual", wakeups="off")
    table = sensitivity(pv, "host_cores", "small_packet_rr")
    assert table.loc["arrival_rate", "elasticity"] == pytest.approx(1.0, rel=1e-8)
    assert sensitivity("paravirtual", "host_cores", "small_packet_rr").loc["arrival_rate", "elasticity"] < 1.0
    d_host = Model(pv, "small_packet_rr").station_table().loc["host", "demand"]
    v = Model(pv, "small_packet_rr").values()
    share = v["io_ops"] * v["backend_time"] / d_host  # the back-end's share of the host demand
    assert table.loc["backend_time", "elasticity"] == pytest.approx(share, rel=1e-8)
    assert "cores" in table.attrs["whole_numbers"] and "vms" in table.attrs["whole_numbers"]
    assert "cores" not in table.index


def test_sorted_by_size_and_the_left_out_are_named():
    table = sensitivity("binary_translation", "overhead", "kernel_build")
    sizes = np.abs(table["elasticity"].to_numpy())
    assert np.all(np.diff(sizes) <= 0)
    assert set(table.attrs["at_zero"]) >= {"think_time", "exceptions"}
    assert "tlb_misses" in table.attrs["unaffected"]  # binary translation has no nested paging
    everything = set(Model("binary_translation", "kernel_build").values())
    left_out = set(table.attrs["whole_numbers"]) | set(table.attrs["at_zero"]) | set(table.attrs["unaffected"])
    assert set(table.index) | left_out == everything and not set(table.index) & left_out


def test_percentiles_and_the_operating_point():
    """No closed form for p99.9: the derivative against a coarser hand-made central difference."""
    model = Model("sriov", "small_packet_rr")
    table = sensitivity("sriov", "p99.9", "small_packet_rr", arrival_rate=3e4)
    assert table.attrs["value"] == pytest.approx(model.evaluate("p99.9", arrival_rate=3e4))
    for name in ("arrival_rate", "cpu_time", "exit_handling_cycles"):
        p = 3e4 if name == "arrival_rate" else model.values()[name]
        hi, lo = (model.evaluate("p99.9", **{"arrival_rate": 3e4, name: p * f}) for f in (1.001, 0.999))
        if name == "arrival_rate":
            hi, lo = (model.evaluate("p99.9", arrival_rate=p * f) for f in (1.001, 0.999))
        assert table.loc[name, "derivative"] == pytest.approx((hi - lo) / (0.002 * p), rel=1e-4), name
    assert table.loc["arrival_rate", "value"] == 3e4


def test_closed_model():
    """Users and think time: MVA's throughput falls as the think time grows, rises with cpu_time never."""
    workload = Workload(users=8, think_time=0.01, cpu_time=2e-3)
    table = sensitivity("hardware_assist", "throughput", workload)
    assert "users" in table.attrs["whole_numbers"]
    assert table.loc["think_time", "elasticity"] < 0 and table.loc["cpu_time", "elasticity"] < 0
    model = Model("hardware_assist", workload)
    hi, lo = (model.evaluate("throughput", think_time=0.01 * f) for f in (1.001, 0.999))
    assert table.loc["think_time", "derivative"] == pytest.approx((hi - lo) / (0.002 * 0.01), rel=1e-4)


def test_a_choice_of_parameters():
    full = sensitivity("hardware_assist", "overhead", "kernel_build")
    costs = sensitivity("hardware_assist", "overhead", "kernel_build", parameters="technique")
    technique_names = set(Model("hardware_assist", "kernel_build").technique.values())
    assert set(costs.index) <= technique_names and set(costs.index) == set(full.index) & technique_names
    assert costs["elasticity"].to_numpy() == pytest.approx(full.loc[costs.index, "elasticity"].to_numpy(), rel=1e-6)
    two = sensitivity("hardware_assist", "overhead", "kernel_build", parameters=["exit_cycles", "tlb_misses"])
    assert list(two.index) == list(full.index[full.index.isin(["exit_cycles", "tlb_misses"])])
    with pytest.raises(ParameterError, match="did you mean 'exit_cycles'"):
        sensitivity("hardware_assist", "overhead", "kernel_build", parameters=["exit_cycle"])


def test_a_metric_that_is_zero_leaves_nothing_to_rank():
    table = sensitivity("native", "host_cores", "small_packet_rr")
    assert table.empty and table.attrs["value"] == 0.0


def test_a_parameter_too_small_to_step_counts_as_zero():
    """arrival_rate = 1e-320 (subnormal): p(1 + h) and p(1 - h) round to the same number (found by
    Hypothesis at the lower bounds): counted with the zeros, never a 0/0 derivative."""
    table = sensitivity("hardware_assist", "mean_latency", "small_packet_rr", arrival_rate=1e-320)
    assert "arrival_rate" in table.attrs["at_zero"] and not table["derivative"].isna().any()


def test_a_fraction_at_one_steps_inward():
    from virtmodel import workloads

    table = sensitivity("binary_translation", "overhead", workloads.get("kernel_build").replace(kernel_fraction=1.0))
    assert np.isfinite(table.loc["kernel_fraction", "derivative"])


@pytest.mark.parametrize("call, match", [
    (lambda: sensitivity(["sriov", "paravirtual"], "p99", "small_packet_rr"), "one technique"),
    (lambda: sensitivity("sriov", "bottleneck", "small_packet_rr"), "metric"),
    (lambda: sensitivity("sriov", "p99", "small_packet_rr", arrival_rate=np.array([1.0, 2.0])), "scalar"),
    (lambda: sensitivity("sriov", "p99", "small_packet_rr", arival_rate=1e3), "did you mean"),
    (lambda: sensitivity("sriov", "p99", "small_packet_rr", step=0.5), "step"),
    (lambda: sensitivity("sriov", "p99", "small_packet_rr", step=float("nan")), "step"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_a_saturated_point_is_an_unstable_error():
    with pytest.raises(UnstableError):
        sensitivity("emulation", "mean_latency", "small_packet_rr", arrival_rate=1e6)


def test_plot_shows_the_top_elasticities_and_updates_in_place():
    table = sensitivity("binary_translation", "overhead", "kernel_build")
    handles = sensitivity_plot(table, top=5)
    widths = [rect.get_width() for rect in handles.artists["bars"].patches]
    assert widths == pytest.approx(list(table["elasticity"].iloc[:5]))
    assert handles.extras["parameters"] == list(table.index[:5]) and handles.extras["hidden"] == len(table) - 5
    assert "overhead" in handles.ax.get_xlabel()
    other = sensitivity("binary_translation", "overhead", "kernel_build", arrival_rate=3.0)
    handles.update(other, draw=False)
    widths = [rect.get_width() for rect in handles.artists["bars"].patches]
    assert widths == pytest.approx([other.loc[n, "elasticity"] for n in handles.extras["parameters"]])
    assert handles.extras["labels"][0].get_text() == f"{other.loc[handles.extras['parameters'][0], 'elasticity']:+.2f}"
    with pytest.raises(ParameterError, match="top"):
        sensitivity_plot(table, top=0)
    with pytest.raises(ParameterError, match="the DataFrame of virtmodel.analysis.sensitivity"):
        sensitivity_plot(table.drop(columns="elasticity"))
