"""compare as a table; exit_cost_history's winner and take-over against direct comparisons."""

import numpy as np
import pytest

from virtmodel.analysis import compare, exit_cost_history
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.generations import GENERATIONS


def test_compare_table_values_and_exports():
    techs = ["hardware_assist", "sriov", "paravirtual"]
    t = compare(techs, "small_packet_rr")
    assert list(t.index) == techs and t.index.name == "technique"
    for tech in techs:
        assert t.loc[tech, "mean_latency"] == pytest.approx(Model(tech, "small_packet_rr").evaluate("mean_latency"))
    assert t.attrs["units"]["mean_latency"] == "s"
    assert "mean_latency" in t.to_latex() and t.to_csv().startswith("technique,")
    u = compare(techs, "small_packet_rr", metrics=["mean_latency", "host_cores"], units=True)
    assert ("mean_latency", "s") in u.columns


@pytest.mark.parametrize("metrics", [["cpu_per_request"], ["cpu_per_request", "mean_latency"]])
def test_compare_keeps_the_order_given(metrics):
    """Rows come in the order asked for, not sorted (pandas 2.0 sorted a one-column from_dict)."""
    order = ["native", "sriov", "binary_translation", "hardware_assist"]
    table = compare(order, "kernel_build", metrics=metrics)
    assert list(table.index) == order
    for name in order:
        assert table.loc[name, "cpu_per_request"] == Model(get(name), "kernel_build").evaluate("cpu_per_request")


def test_compare_reports_saturation_and_vf_limit():
    t = compare(["hardware_assist", "paravirtual", "sriov"], "small_packet_rr", platform=Platform(vms=100),
                metrics=["mean_latency", "host_cores"], arrival_rate=9e4)
    assert np.isinf(t.loc["hardware_assist", "mean_latency"]) and "saturated" in t.loc["hardware_assist", "note"]
    assert np.isnan(t.loc["sriov", "mean_latency"]) and "max_vfs" in t.loc["sriov", "note"]
    assert t.loc["hardware_assist", "host_cores"] > 0  # CPU use still reported (offered load)


def test_compare_distinct_variants_of_one_technique():
    t = compare([get("hardware_assist"), get("hardware_assist", nested_paging=False)], "kernel_build",
                metrics="cpu_per_request")
    assert list(t.index) == ["hardware_assist", "hardware_assist(nested_paging=False)"]


def test_history_winner_and_takeover_against_direct_comparison(pure_cs, shadow_hw):
    # pure context-switch workload: HW costs exit_cycles + handling, BT its context switch cost;
    # choose the BT cost so the two tie at 1400 cycles (between Merom and Penryn); the first model's HW
    # (wakeups="off"): the default also wakes its halted vCPU per request at this load, which BT does not model
    shadow_hw = shadow_hw.replace(wakeups="off")
    bt = get("binary_translation", ctxsw_cycles=1400 + shadow_hw.exit_handling_cycles)
    h = exit_cost_history(pure_cs, hardware_assist=shadow_hw, binary_translation=bt)
    for row in h.itertuples():
        hw_v = Model(shadow_hw.replace(exit_cycles=row.exit_cycles), pure_cs).evaluate("cpu_per_request")
        bt_v = Model(bt, pure_cs).evaluate("cpu_per_request")
        assert row.hardware_assist == pytest.approx(hw_v) and row.binary_translation == pytest.approx(bt_v)
        assert row.winner == ("hardware_assist" if hw_v <= bt_v else "binary_translation")
    assert h.attrs["takeover"] == "Penryn"
    assert h.attrs["break_even_cycles"] == pytest.approx(1400)
    assert list(h["generation"]) == list(GENERATIONS)


def test_history_never_says_so(pure_cs, shadow_hw):
    bt = get("binary_translation", ctxsw_cycles=100)
    h = exit_cost_history(pure_cs, hardware_assist=shadow_hw, binary_translation=bt)
    assert h.attrs["takeover"] is None and "never" in h.attrs["note"]
    assert set(h["winner"]) == {"binary_translation"}


def test_history_bad_input():
    with pytest.raises(ParameterError, match="exit_cycles"):
        exit_cost_history("oltp", hardware_assist="paravirtual")
    with pytest.raises(ParameterError, match="Penryn"):
        exit_cost_history("oltp", generations=["Penrin"])
    with pytest.raises(ParameterError, match="cpu_per_request"):
        exit_cost_history("oltp", metric="cpu_per_requests")
    with pytest.raises(ParameterError, match="scalar"):
        compare(["sriov"], "oltp", arrival_rate=np.array([1.0, 2.0]))
