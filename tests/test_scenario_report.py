"""python -m virtmodel.report --scenario: a shared scenario's table, break-evens and figures."""

import json
from importlib import resources

import pandas as pd
import pytest

from virtmodel import ParameterError
from virtmodel.analysis import break_even, compare
from virtmodel.report import main
from virtmodel.scenario import Scenario
from virtmodel.scenario_report import TABLE_METRICS, write_scenario_report
from virtmodel.workload import Workload

SHIPPED = resources.files("virtmodel").joinpath("scenarios")


def _shipped(name):
    return Scenario.from_json(SHIPPED.joinpath(f"{name}.json").read_text(encoding="utf-8"))


def test_cli_writes_the_report_of_a_shipped_scenario(tmp_path, capsys):
    path = SHIPPED.joinpath("small_packets_io_paths.json")
    assert main(["--scenario", str(path), "--out", str(tmp_path)]) == 0
    scenario = _shipped("small_packets_io_paths")
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert report.startswith(f"# Scenario: {scenario.name}") and scenario.description in report
    assert report in capsys.readouterr().out

    table = pd.read_csv(tmp_path / "comparison.csv", index_col="technique")
    expected = compare(list(scenario.techniques), scenario.workload, scenario.platform, metrics=list(TABLE_METRICS))
    assert list(table.index) == list(expected.index)
    numeric = [m for m in TABLE_METRICS if m != "bottleneck"]
    assert table[numeric].to_numpy() == pytest.approx(expected[numeric].to_numpy(dtype=float), rel=1e-12)
    assert "\\begin{tabular}" in (tmp_path / "comparison.tex").read_text(encoding="utf-8")

    n = len(scenario.techniques)
    lines = [line for line in report.splitlines() if line.startswith("- ") and " vs " in line]
    assert len(lines) == n * (n - 1) // 2 * 2  # every pair, mean and p99
    sriov, pv = scenario.techniques[2], scenario.techniques[0]
    value = break_even(pv, sriov, "arrival_rate", "p99", workload=scenario.workload, platform=scenario.platform).value
    assert f"- paravirtual vs sriov, p99: {value:.6g} /s (sriov better below, paravirtual above)" in report

    figures = {p.name for p in (tmp_path / "figures").iterdir()}
    stems = ["mean_latency_vs_load", "p99_vs_load", "cpu_per_request"] + \
        [f"p99_elasticities_{t.name}" for t in scenario.techniques]
    assert {f"{stem}.{ext}" for stem in stems for ext in ("pdf", "svg", "png")} <= figures
    assert all(f"`figures/{name}`" in report for name in figures)


def test_variants_of_one_technique_get_their_own_labels(tmp_path):
    scenario = _shipped("exit_cost_prescott_vs_sandy_bridge")
    written = write_scenario_report(scenario, tmp_path)
    table = pd.read_csv(tmp_path / "comparison.csv", index_col="technique")
    assert len(table) == 3 and table.index.is_unique
    assert [name for name in table.index if name.startswith("hardware_assist")] == [
        "hardware_assist(exit_cycles=3963)", "hardware_assist"]  # the default variant keeps the plain name
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    # winners are named by the scenario's labels, even where the pair alone has one hardware_assist
    assert ("- hardware_assist(exit_cycles=3963) vs binary_translation, mean_latency: no crossing "
            "(hardware_assist(exit_cycles=3963) better throughout)") in report
    elasticity_files = [p.name for p in written if p.name.startswith("p99_elasticities_") and p.suffix == ".png"]
    assert len(elasticity_files) == 3 and all("(" not in name and "=" not in name for name in elasticity_files)


def test_a_closed_workload_reports_means_only(tmp_path):
    scenario = Scenario(workload=Workload(users=6, think_time=0.01, cpu_time=1e-3),
                        techniques=["native", "hardware_assist"], name="closed")
    write_scenario_report(scenario, tmp_path)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "A closed workload" in report and "Break-even" not in report
    figures = {p.stem for p in (tmp_path / "figures").iterdir()}
    assert figures == {"cpu_per_request"}
    assert "throughput" in pd.read_csv(tmp_path / "comparison.csv", index_col="technique").columns


def test_bad_scenario_files_are_refused_by_path(tmp_path):
    bad = tmp_path / "bad.json"
    data = json.loads(SHIPPED.joinpath("small_packets_io_paths.json").read_text(encoding="utf-8"))
    data["techniques"][1]["parameters"]["exit_cycles"] = -5
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"techniques\[1\]\.exit_cycles"):
        main(["--scenario", str(bad), "--out", str(tmp_path / "out")])
    with pytest.raises(ParameterError, match="at least one technique"):
        write_scenario_report(Scenario(workload="small_packet_rr"), tmp_path / "empty")
