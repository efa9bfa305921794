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

``report.md`` also says how wrong its answers may be
(:func:`virtmodel.validation.scenario_bands.scenario_bands`): each technique's
throughput kept, p99 ratio and latency added against bare metal, with the 80%
range of measured values that the model's past answers to the same kind of
question allow, and how often such ranges held sources they were not built
from (the out-of-sample validation; its table is computed once per process,
about 10 s). ``bands=False`` leaves that section out.

A closed workload (``users`` > 0) has no load axis: its report holds the table
(MVA means) and the CPU breakdown, and says so.

Everything is checked and computed before the first file is written: a scenario
that cannot be reported on leaves ``DIR`` as it was. The scenario's own text is
escaped (Markdown and HTML in ``report.md``, LaTeX in ``comparison.tex``), and
figure file names are slugs of the technique labels.

Size. Each pair of techniques costs two break-even searches (a fraction of a
second each) and each technique a figure (about a second), so the report
refuses more than :data:`MAX_TECHNIQUES` techniques or more than
:data:`MAX_PAIRS` pairs; ``pairs="first"`` (``--pairs first``) compares each
technique with the first one only, ``pairs="none"`` skips the break-evens. A
progress bar (tqdm) shows on a terminal when the report takes more than a
second (``progress=True`` forces it, ``False`` hides it).
"""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

from ._escape import markdown_line, markdown_text, unique_slugs
from .errors import ParameterError

#: the metrics of the comparison table (open load; a closed workload uses its own)
TABLE_METRICS = ("overhead", "mean_latency", "p99", "throughput_limit", "cpu_per_request", "host_cores",
                 "guest_cores_left", "bottleneck")
#: the most techniques one report takes (one elasticity figure each, one curve each in a plot)
MAX_TECHNIQUES = 30
#: the most pairs of techniques one report compares (two break-even searches each)
MAX_PAIRS = 200
#: which pairs get break-evens: every pair, each technique against the first, none
PAIRS = ("all", "first", "none")
BREAK_EVEN_METRICS = ("mean_latency", "p99")
#: seconds before the progress bar shows (a short report shows none)
PROGRESS_DELAY = 1.0


def _export(handles, path) -> list[Path]:
    """Export a plot's figure as PDF, SVG and PNG, then close it (a report draws many)."""
    import matplotlib.pyplot as plt

    from .plotting import export

    written = export(handles.fig, path)
    plt.close(handles.fig)
    return written


def report_pairs(n: int, pairs: str = "all") -> list[tuple[int, int]]:
    """The index pairs of ``n`` techniques a report compares, checked against :data:`MAX_PAIRS`."""
    if pairs not in PAIRS:
        raise ParameterError("pairs", pairs, "one of " + ", ".join(map(repr, PAIRS)))
    if n > MAX_TECHNIQUES:
        raise ParameterError("techniques", f"{n} techniques", f"at most {MAX_TECHNIQUES} in one report",
                             "one figure and one curve each: split the scenario into smaller ones")
    chosen = {"all": list(combinations(range(n), 2)), "first": [(0, j) for j in range(1, n)],
              "none": []}[pairs]
    if len(chosen) > MAX_PAIRS:
        raise ParameterError("techniques", f"{n} techniques, {len(chosen)} pairs",
                             f"at most {MAX_PAIRS} pairs (two break-even searches each)",
                             f"use fewer techniques, pairs='first' (--pairs first: each against the first, "
                             f"{n - 1} pairs) or pairs='none' (--pairs none: no break-evens)")
    return chosen


def write_scenario_report(scenario, out, pairs: str = "all", progress: bool | None = None,
                          bands: bool = True) -> list[Path]:
    """Write the report of ``scenario`` (a :class:`~virtmodel.scenario.Scenario`) into ``out``.

    Parameters
    ----------
    scenario : Scenario
    out : str or Path
        The folder (created; nothing is written in it if the scenario cannot be reported on).
    pairs : {"all", "first", "none"}
        Break-evens for every pair of techniques, each against the first, or none.
    progress : bool or None
        Show a progress bar on stderr: None (default) on a terminal only.
    bands : bool
        Say how wrong the answers may be (the validation's error bands; default True).

    Returns the files written (``report.md`` first).
    """
    from tqdm.auto import tqdm

    from .analysis import compare
    from .analysis._common import labelled_techniques

    if not scenario.techniques:
        raise ParameterError("techniques", [], "at least one technique in the scenario")
    if not isinstance(bands, bool):
        raise ParameterError("bands", bands, "True or False")
    labelled = labelled_techniques(scenario.techniques)
    labels, techniques = list(labelled), list(labelled.values())
    closed = scenario.workload.users > 0
    chosen = [] if closed else report_pairs(len(techniques), pairs)
    steps = len(chosen) * len(BREAK_EVEN_METRICS) + (0 if closed else len(techniques))
    with tqdm(total=steps, desc="scenario report", unit="step", delay=PROGRESS_DELAY, leave=False,
              file=sys.stderr, disable=None if progress is None else not progress) as bar:
        table = compare(techniques, scenario.workload, scenario.platform,
                        metrics=None if closed else list(TABLE_METRICS), units=False)
        break_evens, crossings = ([], []) if closed else _break_evens(labels, techniques, chosen, scenario, bar)
        sensitivities = {} if closed else _sensitivities(labelled, scenario, bar)
        how_wrong = _how_wrong(techniques, scenario) if bands else []

    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    written = [out / "comparison.csv", out / "comparison.tex"]
    table.to_csv(written[0])
    written[1].write_text(_latex_table(table), encoding="utf-8")

    lines = [f"# Scenario: {markdown_line(scenario.name) or 'unnamed'}", ""]
    lines += [markdown_text(text) + "\n" for text in (scenario.description, scenario.notes) if text]
    lines += [f"Workload: `{scenario.workload!r}`", "", f"Platform: `{scenario.platform!r}`", "",
              "## At the operating point", "", _readable(table).to_markdown(floatfmt=".4g"), ""]
    lines += how_wrong
    figures = []
    if closed:
        lines += ["A closed workload (users and think time): mean values by MVA; no load axis, so no "
                  "latency curves, break-evens or percentiles.", ""]
    else:
        lines += ["## Break-even arrival rates per VM", "", *(break_evens or [_no_pairs(len(techniques))])]
        lines += [""]
        figures += _latency_figures(techniques, scenario, out, crossings)
    figures += _breakdown_figure(techniques, scenario, out)
    figures += _sensitivity_figures(sensitivities, unique_slugs(labels), out)
    lines += ["## Figures", ""] + [f"- `{p.relative_to(out)}`" for p in figures]
    report = out / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [report, *written, *figures]


def _how_wrong(techniques, scenario) -> list[str]:
    """The report's section on how wrong its answers may be (module docstring)."""
    from .plotting._common import time_text
    from .validation.scenario_bands import scenario_bands

    bands = scenario_bands(techniques, scenario.workload, scenario.platform)
    lines = ["## How wrong these may be", ""]
    if bands.empty:
        return lines + ["No technique here is compared with bare metal in a way the validation has asked of "
                        "published systems (or every answer is saturated).", ""]
    lines += ["Each technique against bare metal on this workload and platform, with the range of measured values "
              "that the model's answers to the same kind of question have landed in (the out-of-sample validation, "
              "docs/validation.md: `virtmodel.validation.error_band`, 80%, by kind of question). Quote the held-out coverage with a range: "
              "how often such a range held the rows of sources it was not built from.", "",
              "| technique | question | model | measured values of like questions (80%) | rows (sources) | "
              "held-out coverage |", "|---|---|---|---|---|---|"]
    for line in bands.itertuples():
        show = time_text if line.kind == "added_latency" else "{:.3g}".format
        lines.append(f"| {markdown_line(line.technique)} | {line.question} | {show(line.model)} | "
                     f"{show(line.low)} to {show(line.high)} | {line.rows} ({line.sources}) | "
                     f"{line.held_out_coverage:.0%} |")
    return lines + [""]


def _readable(table):
    """The table a reader sees: engineering units with the unit in each header (the CSV keeps SI units)."""
    from .units import readable

    return readable(table, digits=4)


def _latex_table(table) -> str:
    """The comparison table as a LaTeX ``tabular``: units in the headers, names escaped, fitting a page."""
    from .latex import latex_table

    return "% the comparison table (virtmodel)\n" + latex_table(table, digits=4)


def _no_pairs(n) -> str:
    return "- one technique: nothing to compare" if n == 1 else "- no pairs compared (pairs='none')"


def _break_evens(labels, techniques, chosen, scenario, bar) -> tuple:
    """``(lines, results)``: the report's line for each pair and metric, and the results that cross."""
    from .analysis import break_even

    lines, crossings = [], []
    for i, j in chosen:
        (la, a), (lb, b) = (labels[i], techniques[i]), (labels[j], techniques[j])
        for metric in BREAK_EVEN_METRICS:
            result = break_even(a, b, "arrival_rate", metric, workload=scenario.workload, platform=scenario.platform)
            bar.update()
            if result.roots:
                crossings.append(result)
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
    return lines, crossings


def _sensitivities(labelled, scenario, bar) -> dict:
    """``{label: elasticity table}`` of each technique's p99 (none where it saturates)."""
    from .analysis import sensitivity
    from .errors import UnstableError

    tables = {}
    for label, technique in labelled.items():
        try:
            table = sensitivity(technique, "p99", scenario.workload, scenario.platform)
        except UnstableError:
            table = None  # saturated at the operating point: no elasticities (the table says inf)
        bar.update()
        if table is not None and not table.empty:
            tables[label] = table
    return tables


#: the most break-evens one latency figure marks (the report lists them all)
MAX_MARKED = 6


def _latency_figures(techniques, scenario, out, crossings=()) -> list[Path]:
    """Mean latency and p99 against the load, legend above the axes, each break-even of that metric marked."""
    from .plotting import latency_curves_data, latency_curves_plot

    written = []
    for metric in ("mean_latency", "p99"):
        data = latency_curves_data(techniques, scenario.workload, scenario.platform, metric=metric, points=300)
        marked = [r for r in crossings if r.metric == metric][:MAX_MARKED]
        handles = latency_curves_plot(data, legend_loc="above", break_evens=marked)
        written += _export(handles, out / "figures" / f"{metric}_vs_load")
    return written


def _breakdown_figure(techniques, scenario, out) -> list[Path]:
    from .plotting import cpu_breakdown_data, cpu_breakdown_plot

    handles = cpu_breakdown_plot(cpu_breakdown_data(techniques, scenario.workload, scenario.platform))
    return _export(handles, out / "figures" / "cpu_per_request")


def _sensitivity_figures(tables, slugs, out) -> list[Path]:
    from .labels import technique as technique_name
    from .plotting import sensitivity_plot

    written = []
    for label, table in tables.items():
        handles = sensitivity_plot(table, top=8)
        handles.ax.set_title(f"{technique_name(label)}: what drives the p99", fontsize="medium")  # stands alone
        written += _export(handles, out / "figures" / f"p99_elasticities_{slugs[label]}")
    return written


__all__ = ["MAX_PAIRS", "MAX_TECHNIQUES", "PAIRS", "TABLE_METRICS", "report_pairs", "write_scenario_report"]
