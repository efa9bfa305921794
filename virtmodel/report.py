"""The headless report: derive the core formulas, print them, write figures.

Run ``python -m virtmodel.report [--out DIR]``. It derives the closed forms of
the queueing core with SymPy (the same functions a notebook calls), prints them
as text and LaTeX, writes ``report.md`` with the LaTeX, and draws response time
against utilization for the single-station models into ``DIR/figures`` as PDF,
SVG and PNG in the package's figure style.

``python -m virtmodel.report --scenario FILE.json [--out DIR] [--pairs all|first|none]``
reports on a shared scenario instead (:mod:`virtmodel.scenario_report`; a
progress bar shows on a terminal for a long one, ``--progress`` shows it anyway).

A user error (a bad or missing scenario file, an ``--out`` that is empty, a file
or not writable) is one line on stderr and exit status 2; ``--debug`` shows the
traceback. Nothing is written before the scenario has been checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from ._cli import add_debug_option, output_folder, run
from .plotting import export, new_figure


def _symbols():
    import sympy as sp

    lam, mu, S, c2 = sp.symbols(r"lambda mu S c_s^2", positive=True)
    return sp, lam, mu, S, c2


def derive_core_formulas() -> list[tuple[str, object]]:
    """The core closed forms as (title, SymPy expression) pairs."""
    from . import queueing as q

    sp, lam, mu, S, c2 = _symbols()
    D1, D2, Z = sp.symbols("D_1 D_2 Z", positive=True)
    mg1 = q.mg1(lam, S, c2)
    closed = q.mva([D1, D2], 2, think_time=Z)
    return [
        ("M/M/1 mean response time R", q.mm1(lam, mu).response_time),
        ("M/M/1 p-th percentile of R (p = 0.99)", q.mm1(lam, mu).response_time_percentile(sp.Rational(99, 100))),
        ("M/M/2 mean response time R (Erlang C)", sp.factor(q.mmc(lam, mu, 2).response_time)),
        ("M/G/1 mean waiting time W (Pollaczek-Khinchine)", sp.factor(mg1.waiting_time)),
        ("M/D/1 mean waiting time W", sp.factor(q.md1(lam, mu).waiting_time)),
        ("M/G/1-PS mean response time R", q.mg1_ps(lam, S).response_time),
        ("Erlang B, 2 servers, offered load a = lambda/mu", sp.factor(q.erlang_b(2, lam / mu))),
        ("Closed network, 2 queues + think time Z, N = 2: throughput X(2) (exact MVA)",
         sp.factor(closed.system_throughput)),
    ]


def response_time_curves(utilization: np.ndarray) -> dict[str, np.ndarray]:
    """Mean response time (in units of the mean service time) against utilization."""
    from . import queueing as q

    rho = np.asarray(utilization, dtype=float)
    return {
        "M/M/1": q.mm1(rho, 1.0).response_time,
        "M/D/1": q.md1(rho, 1.0).response_time,
        "M/G/1, $c_s^2 = 4$": q.mg1(rho, 1.0, 4.0).response_time,
        "M/M/4 (per-server load)": q.mmc(4 * rho, 1.0, 4).response_time,
        "M/G/1-PS": q.mg1_ps(rho, 1.0).response_time,
    }


def draw_response_time_figure(utilization: np.ndarray | None = None):
    """Response time against utilization for the single-station models."""
    rho = np.linspace(0.0, 0.95, 200) if utilization is None else utilization
    fig, ax = new_figure()
    curves = response_time_curves(rho)
    lines = [ax.plot(rho, r, label=name)[0] for name, r in curves.items()]
    ax.set_xlabel(r"utilization $\rho$")
    ax.set_ylabel(r"mean response time $R / \bar S$")
    ax.set_ylim(0, 20)
    ax.set_title("Response time grows as $1/(1-\\rho)$; variability scales it")
    ax.legend(frameon=False)
    return fig, ax, lines


REPORT_TECHNIQUES = ("native", "binary_translation", "paravirtual", "hardware_assist", "sriov", "nitro")


def technique_formulas() -> dict:
    """Per-request CPU and overhead of hardware assist on a kernel build, as Formulas.

    Every parameter but the exit cost and the counts that exit is given its
    value, so the formula stays short enough to read.
    """
    from .model import Model

    model = Model("hardware_assist", "kernel_build")
    keep = ["exit_cycles", "pte_updates", "page_faults", "cpu_time"]
    return {name: model.expression(name, keep=keep).rounded(4) for name in ("cpu_per_request", "capacity_ratio")}


def draw_technique_figure():
    """p99 latency against the load for the six techniques (small-packet request/response).

    The legend sits above the axes (the curves keep the figure's width) and the
    figure marks the break-even it is about where there is one: the rate past which
    the paravirtual path has a lower p99 than SR-IOV without posted interrupts. In the
    package's default model (interrupts and wake-ups) there is none, SR-IOV keeps the
    lower p99 up to the paravirtual path's limit (NAPI's poll window suppresses most
    VF interrupts under load); with ``wakeups="off"`` (the first model) it is at
    about 23 000 requests/s per VM.
    """
    from .analysis import break_even
    from .plotting import latency_curves_data, latency_curves_plot

    data = latency_curves_data(REPORT_TECHNIQUES, "small_packet_rr", metric="p99", points=300)
    crossing = break_even("sriov", "paravirtual", "arrival_rate", "p99", workload="small_packet_rr")
    return latency_curves_plot(data, legend_loc="above", break_evens=[crossing])


def _parser() -> argparse.ArgumentParser:
    from .scenario_report import MAX_PAIRS, PAIRS

    parser = argparse.ArgumentParser(prog="python -m virtmodel.report", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="output", help="output folder (default: output)")
    parser.add_argument("--scenario", metavar="FILE.json",
                        help="report on a scenario file instead: its table, break-evens and figures")
    parser.add_argument("--pairs", choices=PAIRS, default="all",
                        help=f"with --scenario: break-evens of every pair of techniques "
                             f"(at most {MAX_PAIRS}), "
                             "of each against the first, or none (default: all)")
    parser.add_argument("--progress", action="store_true",
                        help="show a progress bar even when not on a terminal")
    parser.add_argument("--no-bands", dest="bands", action="store_false",
                        help="with --scenario: leave out how wrong the answers may be (the validation's error "
                             "bands, about 10 s to compute)")
    add_debug_option(parser)
    return parser


def _report(args) -> int:
    out = output_folder(args.out)
    import matplotlib

    matplotlib.use("Agg")
    if args.scenario:
        return _scenario_report(args, out)
    import sympy as sp

    lines = ["# virtmodel report: the core formulas", ""]
    for title, expr in derive_core_formulas():
        print(f"{title}:\n    {sp.sstr(expr)}\n")
        lines += [f"## {title}", "", f"$$ {sp.latex(expr)} $$", ""]
    from .latex import latex_align

    block = latex_align(technique_formulas())
    print("Hardware assist on a kernel build (LaTeX, symbols explained):\n" + block)
    lines += ["## Hardware assist on a kernel build: CPU per request and capacity", "",
              "```latex", block.rstrip(), "```", ""]
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    fig, _, _ = draw_response_time_figure()
    written = export(fig, figures / "response_time_vs_utilization")
    fig, _, _ = draw_technique_figure()
    written += export(fig, figures / "p99_vs_load_small_packet_rr")
    lines += ["## Figures", ""] + [f"- `{p.relative_to(out)}`" for p in written]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out / 'report.md'} and {len(written)} figure files in {figures}")
    return 0


def _scenario_report(args, out) -> int:
    from .scenario import Scenario
    from .scenario_report import write_scenario_report

    scenario = Scenario.load(args.scenario)
    written = write_scenario_report(scenario, out, pairs=args.pairs, progress=args.progress or None,
                                    bands=args.bands)
    print(written[0].read_text(encoding="utf-8"))
    print(f"wrote {len(written)} files in {out}")
    return 0


def main(argv=None) -> int:
    """Command line (see the module docstring); a user error is one line on stderr, exit status 2."""
    parser = _parser()
    return run(parser.prog, _report, parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
