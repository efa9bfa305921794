"""python -m virtmodel.report --scenario: a shared scenario's table, break-evens and figures."""

import json
import os
import re
import shutil
import subprocess
import time
from importlib import resources

import pandas as pd
import pytest

from virtmodel import ParameterError
from virtmodel._escape import markdown_line, markdown_text
from virtmodel.analysis import break_even, compare
from virtmodel.analysis._common import labelled_techniques
from virtmodel.report import main
from virtmodel.scenario import Scenario
from virtmodel import scenario_report
from virtmodel.scenario_report import MAX_TECHNIQUES, TABLE_METRICS, report_pairs, write_scenario_report
from virtmodel.techniques import get
from virtmodel.workload import Workload

SHIPPED = resources.files("virtmodel").joinpath("scenarios")


def _shipped(name):
    return Scenario.from_json(SHIPPED.joinpath(f"{name}.json").read_text(encoding="utf-8"))


def test_cli_writes_the_report_of_a_shipped_scenario(tmp_path, capsys):
    path = SHIPPED.joinpath("small_packets_io_paths.json")
    assert main(["--scenario", str(path), "--out", str(tmp_path)]) == 0
    scenario = _shipped("small_packets_io_paths")
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert report.startswith(f"# Scenario: {markdown_line(scenario.name)}")
    assert markdown_text(scenario.description) in report
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
    # a variant is labelled by what differs from the package's defaults: the scenario stores the first
    # model's interrupts (wakeups='off', the default when it was written), so the label says so
    assert [name for name in table.index if name.startswith("hardware_assist")] == [
        "hardware_assist(exit_cycles=3963, wakeups='off')", "hardware_assist(wakeups='off')"]
    assert list(labelled_techniques([get("hardware_assist", exit_cycles=3963), get("hardware_assist")])) == [
        "hardware_assist(exit_cycles=3963)", "hardware_assist"]  # the default variant keeps the plain name
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    # winners are named by the scenario's labels, even where the pair alone has one hardware_assist
    assert ("- hardware_assist(exit_cycles=3963, wakeups='off') vs binary_translation, mean_latency: no crossing "
            "(hardware_assist(exit_cycles=3963, wakeups='off') better throughout)") in report
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


def test_bad_scenario_files_are_refused_by_path(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    data = json.loads(SHIPPED.joinpath("small_packets_io_paths.json").read_text(encoding="utf-8"))
    data["techniques"][1]["parameters"]["exit_cycles"] = -5
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert main(["--scenario", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert re.search(r"techniques\[1\]\.exit_cycles = -5 .*in .*bad\.json", capsys.readouterr().err)
    with pytest.raises(ParameterError, match="at least one technique"):
        write_scenario_report(Scenario(workload="small_packet_rr"), tmp_path / "empty")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]  # nothing written


def test_variants_differing_in_a_float_get_safe_file_names(tmp_path, capsys, monkeypatch):
    """sriov and sriov with iommu_cycles 250.0: the label's '.0' once made the file suffix ('0_')."""
    monkeypatch.setattr(scenario_report, "PROGRESS_DELAY", 0.0)
    monkeypatch.setattr("virtmodel.plotting.style.EXPORT_FORMATS", ("png",))  # one format: faster, same names
    scenario = Scenario(workload="small_packet_rr", techniques=["sriov", get("sriov", iommu_cycles=250.0)])
    written = write_scenario_report(scenario, tmp_path, progress=True)
    assert "scenario report" in capsys.readouterr().err  # the bar, asked for
    names = {p.name for p in written}
    assert {f"p99_elasticities_{stem}.png" for stem in ("sriov", "sriov_iommu_cycles_250_0")} <= names
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "- sriov vs sriov(iommu_cycles=250.0), p99:" in report
    closed = Scenario(workload=Workload(users=2, think_time=0.01, cpu_time=1e-3),
                      techniques=scenario.techniques)
    write_scenario_report(closed, tmp_path / "quiet")
    assert capsys.readouterr().err == ""  # not a terminal, not asked: no bar


def test_user_text_is_escaped_in_markdown(tmp_path):
    mistune = pytest.importorskip("mistune")  # nbconvert's Markdown renderer
    name = "<script>alert(1)</script> *fast* [cheap](http://x)"
    notes = "# not a heading\n- not a list\n1. nor this | a & b <img src=x onerror=alert(1)>"
    scenario = Scenario(workload=Workload(users=4, think_time=0.01, cpu_time=1e-3), techniques=["native"],
                        name=name, description="`code`? _under_score_ small_packets", notes=notes)
    write_scenario_report(scenario, tmp_path)
    page = mistune.html((tmp_path / "report.md").read_text(encoding="utf-8"))
    assert "<script" not in page and "<img" not in page and "<em>" not in page and "<a " not in page
    assert "<h1>Scenario: &lt;script&gt;alert(1)&lt;/script&gt; *fast* [cheap](http://x)</h1>" in page
    assert "<h1>not a heading" not in page and "<li>" not in page.split("<table>")[0]
    assert "`code`? _under_score_ small_packets" in page
    assert "a &amp; b &lt;img src=x onerror=alert(1)&gt;" in page


def test_comparison_tex_compiles_with_pdflatex(tmp_path):
    """The table's names (mean_latency, hardware_assist, variants) escaped: pdflatex compiles it."""
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but pdflatex is not installed", pytrace=False)
        pytest.skip("pdflatex is not installed")
    scenario = _shipped("exit_cost_prescott_vs_sandy_bridge")
    table = compare(list(scenario.techniques), scenario.workload, scenario.platform,
                    metrics=list(TABLE_METRICS), units=False)
    tex = scenario_report._latex_table(table)
    # units in the headers (issue 14), names escaped (a variant's name may be broken over lines)
    assert "mean latency [" in tex and "mean_latency" not in tex and "hardware\\_" in tex
    (tmp_path / "comparison.tex").write_text(tex, encoding="utf-8")
    document = ("\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n"
                "\\begin{document}\n\\resizebox{\\textwidth}{!}{\\input{comparison.tex}}\n\\end{document}\n")
    (tmp_path / "doc.tex").write_text(document, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert done.returncode == 0 and not re.search(r"^! ", log, re.MULTILINE), log[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_too_many_pairs_are_refused_up_front_with_what_would_work(tmp_path, capsys):
    assert len(report_pairs(20)) == 190 and report_pairs(20, "first") == [(0, j) for j in range(1, 20)]
    assert report_pairs(25, "none") == []
    with pytest.raises(ParameterError, match="at most 200 pairs"):
        report_pairs(21)
    assert len(report_pairs(21, "first")) == 20
    with pytest.raises(ParameterError, match=f"at most {MAX_TECHNIQUES}"):
        report_pairs(MAX_TECHNIQUES + 1, "none")
    with pytest.raises(ParameterError, match="pairs"):
        report_pairs(3, "some")
    data = {"format": "virtmodel-scenario", "version": 1, "workload": {},
            "techniques": [{"technique": "hardware_assist", "parameters": {"exit_cycles": 500 + i}}
                           for i in range(21)]}
    path = tmp_path / "many.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    start = time.perf_counter()
    assert main(["--scenario", str(path), "--out", str(tmp_path / "out")]) == 2
    assert time.perf_counter() - start < 10  # refused before the work, not after
    line = capsys.readouterr().err.strip()
    assert "21 techniques, 210 pairs" in line and "--pairs first" in line and "20 pairs" in line
    assert not (tmp_path / "out").exists()


def test_the_report_says_how_wrong_its_answers_may_be(tmp_path):
    from virtmodel.validation.scenario_bands import reported_table, scenario_bands

    scenario = _shipped("small_packets_io_paths")
    write_scenario_report(scenario, tmp_path, pairs="none")
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## How wrong these may be" in report
    bands = scenario_bands(list(scenario.techniques), scenario.workload, scenario.platform, table=reported_table())
    rows = [line for line in report.splitlines() if line.startswith("| ") and " to " in line]
    assert len(rows) == len(bands) > 0
    for row, band in zip(rows, bands.itertuples()):
        assert row.startswith(f"| {band.technique} | {band.question} | ")
        assert f"| {band.rows} ({band.sources}) | {band.held_out_coverage:.0%} |" in row
    first = bands[bands["question"] == "throughput kept"].iloc[0]
    assert f"| {first['model']:.3g} | {first['low']:.3g} to {first['high']:.3g} |" in report


def test_the_bands_can_be_left_out_and_a_bad_choice_is_refused(tmp_path):
    scenario = _shipped("small_packets_io_paths")
    write_scenario_report(scenario, tmp_path / "a", pairs="none", bands=False)
    assert "How wrong" not in (tmp_path / "a" / "report.md").read_text(encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        write_scenario_report(scenario, tmp_path / "b", pairs="none", bands="yes")
    assert err.value.parameter == "bands"
    assert not (tmp_path / "b").exists()
    assert main(["--scenario", str(SHIPPED.joinpath("small_packets_io_paths.json")), "--out", str(tmp_path / "c"),
                 "--pairs", "none", "--no-bands"]) == 0
    assert "How wrong" not in (tmp_path / "c" / "report.md").read_text(encoding="utf-8")
