"""A shared scenario, analysed headless: tables, break-evens and figures for a report.

``python -m virtmodel.report --scenario FILE.json [--out DIR]`` loads a
:class:`~virtmodel.scenario.Scenario` (safely: JSON only) and writes into
``DIR``:

- ``report.md``: the scenario's name, description and notes, the comparison
  table at its operating point, the break-even arrival rate of every pair of
  its techniques on the mean and the p99 latency (closed form or numeric root,
  as :func:`virtmodel.analysis.break_even` found it), and the figures below;
- ``comparison.csv`` and ``comparison.tex``: the table for a spreadsheet or a
  LaTeX document;
- ``figures/``: mean and p99 latency against the load per VM, CPU per request
  by where it runs, and for each technique the elasticities of its p99 at the
  operating point (what drives its tail), each as PDF, SVG and PNG.

A closed workload (``users`` > 0) has no load axis: its report holds the table
(MVA means) and the CPU breakdown, and says so.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np


def _export(handles, path) -> list[Path]:
    """Export a plot's figure as PDF, SVG and PNG, then close it (a report draws many)."""
    import matplotlib.pyplot as plt

    from .plotting import export

    written = export(handles.fig, path)
    plt.close(handles.fig)
    return written

#: the metrics of the comparison table (open load; a closed workload uses its own)
TABLE_METRICS = ("overhead", "mean_latency", "p99", "throughput_limit", "cpu_per_request", "host_cores",
                 "guest_cores_left", "bottleneck")
SAFE_NAME = str.maketrans({c: "_" for c in " /\\:()=,'\""})


def write_scenario_report(scenario, out) -> list[Path]:
    """Write the report of ``scenario`` (a :class:`~virtmodel.scenario.Scenario`) into ``out``.

    Returns the files written (``report.md`` first).
    """
    from .analysis import compare
    from .analysis._common import labelled_techniques
    from .errors import ParameterError

    if not scenario.techniques:
        raise ParameterError("techniques", [], "at least one technique in the scenario")
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    techniques = list(labelled_techniques(scenario.techniques).values())
    closed = scenario.workload.users > 0
    table = compare(techniques, scenario.workload, scenario.platform,
                    metrics=None if closed else list(TABLE_METRICS), units=False)
    written = [out / "comparison.csv", out / "comparison.tex"]
    table.to_csv(written[0])
    written[1].write_text(table.drop(columns="note").to_latex(float_format="%.4g"), encoding="utf-8")

    lines = [f"# Scenario: {scenario.name or 'unnamed'}", ""]
    lines += [text for text in (scenario.description, scenario.notes) if text] + [""]
    lines += [f"Workload: `{scenario.workload!r}`", "", f"Platform: `{scenario.platform!r}`", "",
              "## At the operating point", "", _markdown_table(table), ""]
    figures = []
    if closed:
        lines += ["A closed workload (users and think time): mean values by MVA; no load axis, so no "
                  "latency curves, break-evens or percentiles.", ""]
    else:
        lines += ["## Break-even arrival rates per VM", ""] + _break_evens(techniques, scenario) + [""]
        figures += _latency_figures(techniques, scenario, out)
    figures += _breakdown_figure(techniques, scenario, out)
    if not closed:
        figures += _sensitivity_figures(techniques, scenario, out)
    lines += ["## Figures", ""] + [f"- `{p.relative_to(out)}`" for p in figures]
    report = out / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [report, *written, *figures]


def _markdown_table(table) -> str:
    """A pandas table as a Markdown pipe table (numbers to 4 significant digits)."""
    def cell(value):
        return f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)

    header = ["technique", *map(str, table.columns)]
    rows = [[str(index), *(cell(v) for v in row)] for index, row in zip(table.index, table.to_numpy())]
    return "\n".join("| " + " | ".join(r) + " |" for r in [header, ["---"] * len(header), *rows])


def _break_evens(techniques, scenario) -> list[str]:
    from .analysis import break_even
    from .analysis._common import labelled_techniques

    labels = list(labelled_techniques(techniques))
    lines = []
    for (la, a), (lb, b) in combinations(zip(labels, techniques), 2):
        for metric in ("mean_latency", "p99"):
            result = break_even(a, b, "arrival_rate", metric, workload=scenario.workload, platform=scenario.platform)
            name = {result.a: la, result.b: lb}  # the pair's own labels -> the scenario's (variants)
            if result.value is not None:
                where = f"{result.value:.6g} /s ({name[result.below]} better below, {name[result.above]} above)"
            elif result.below is not None and result.below == result.above:
                where = f"no crossing ({name[result.below]} better throughout)"
            else:
                where = "no crossing"
            # the note's own "X is better" clause names the pair's labels: said above instead
            rest = [c for c in result.note.split("; ") if c and not c.startswith("no crossing in the range")]
            lines.append(f"- {la} vs {lb}, {metric}: {where}; {result.method}" + "".join(f"; {c}" for c in rest))
    return lines or ["- one technique: nothing to compare"]


def _latency_figures(techniques, scenario, out) -> list[Path]:
    from .plotting import latency_curves_data, latency_curves_plot

    written = []
    for metric in ("mean_latency", "p99"):
        data = latency_curves_data(techniques, scenario.workload, scenario.platform, metric=metric, points=300)
        written += _export(latency_curves_plot(data), out / "figures" / f"{metric}_vs_load")
    return written


def _breakdown_figure(techniques, scenario, out) -> list[Path]:
    from .plotting import cpu_breakdown_data, cpu_breakdown_plot

    handles = cpu_breakdown_plot(cpu_breakdown_data(techniques, scenario.workload, scenario.platform))
    return _export(handles, out / "figures" / "cpu_per_request")


def _sensitivity_figures(techniques, scenario, out) -> list[Path]:
    from .analysis import sensitivity
    from .analysis._common import labelled_techniques
    from .errors import UnstableError
    from .plotting import sensitivity_plot

    written = []
    for label, technique in labelled_techniques(techniques).items():
        try:
            table = sensitivity(technique, "p99", scenario.workload, scenario.platform)
        except UnstableError:
            continue  # saturated at the operating point: no elasticities (the table says inf)
        if table.empty:
            continue
        handles = sensitivity_plot(table, top=8)
        handles.ax.set_title(f"{label}: what drives the p99", fontsize="medium")  # the file stands alone
        written += _export(handles, out / "figures" / f"p99_elasticities_{label.translate(SAFE_NAME)}")
    return written


__all__ = ["TABLE_METRICS", "write_scenario_report"]
