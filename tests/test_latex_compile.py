"""Every LaTeX output the package writes compiles with pdflatex in a plain article and fits its text width.

A few documents, each batching many outputs: the formulas of every technique
(``latex_align``, ``Formula.latex``), derivation chains with numbers, and
comparison tables. Each must compile without an error and without an
overfull box wider than 20 pt (read from the ``.log``). Without pdflatex the
tests skip, except under ``CI=true`` where they fail (CI installs Debian's
``texlive-latex-recommended``). A last test checks the width estimate
(:func:`virtmodel.latex_layout.latex_width`) against pdflatex's own measure.
"""

import os
import re
import shutil
import subprocess

import pytest

from virtmodel.analysis import compare
from virtmodel.derivation import derivation
from virtmodel.latex import latex_align, latex_document, latex_table
from virtmodel.latex_layout import break_lines, latex_width
from virtmodel.metrics import symbolic_names
from virtmodel.model import Model
from virtmodel.symbols import latex_names
from virtmodel.techniques import get
from virtmodel.techniques import names as technique_names

OVERFULL_PT = 20.0
WORKLOAD = "small_packet_rr"


def _pdflatex():
    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdflatex is missing in CI: install Debian's texlive-latex-recommended")
        pytest.skip("pdflatex is not installed (Debian: texlive-latex-recommended)")
    return exe


def compile_latex(tmp_path, source: str) -> str:
    """Run pdflatex on ``source``; fail on an error or an overfull hbox wider than 20 pt; return the log."""
    exe = _pdflatex()
    (tmp_path / "doc.tex").write_text(source, encoding="utf-8")
    run = subprocess.run(
        [exe, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (tmp_path / "doc.log").read_text(encoding="latin-1")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert run.returncode == 0 and not errors, f"pdflatex failed: {errors[:5]}\n{run.stdout[-2000:]}"
    wide = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert all(w <= OVERFULL_PT for w in wide), f"overfull boxes (pt): {sorted(wide)[-5:]}"
    return log


def test_overfull_boxes_are_caught(tmp_path):
    """The check can fail: a formula that is not broken runs off the page."""
    m = Model("hardware_assist", WORKLOAD)
    flat = r"\[" + m.expression("mean_latency")._latex() + r"\]"
    with pytest.raises(AssertionError, match="overfull"):
        compile_latex(tmp_path, latex_document(flat))


def test_every_technique_s_formulas_fit_a_plain_article(tmp_path):
    """The issue's cases: hardware assist's overhead, mean latency, CPU per request (2,135 pt over before),
    binary translation's ``Formula.latex()`` of cpu_per_request (366 pt over), every symbolic metric."""
    bodies = []
    for name in technique_names():
        m = Model(name, WORKLOAD)
        formulas = {f"{name}-{k}": m.expression(k) for k in symbolic_names()}
        bodies.append(latex_align(formulas))
    bt = Model("binary_translation", "kernel_build")
    bodies += [
        r"\[" + bt.expression(k).latex() + r"\]" for k in ("cpu_per_request", "overhead", "mean_latency")
    ]
    log = compile_latex(tmp_path, latex_document(*bodies))
    assert "Output written" in log


def test_derivations_with_numbers_fit(tmp_path):
    bodies = []
    for name in ("hardware_assist", "binary_translation", "nitro"):
        m = Model(name, WORKLOAD)
        for k in ("mean_latency", "overhead", "low_load_slowdown", "capacity_ratio", "cpu_per_request"):
            bodies.append(
                derivation(m, k).latex(numbers=k in ("mean_latency", "overhead"), label=f"{name}-{k}-")
            )
    compile_latex(tmp_path, latex_document(*bodies))


def test_tables_fit(tmp_path):
    everything = compare(technique_names(), WORKLOAD, arrival_rate=70000.0)  # with saturated rows and notes
    few = compare(
        ["native", "hardware_assist", "sriov"], WORKLOAD, metrics=["mean_latency", "overhead", "p99"]
    )
    log = compile_latex(
        tmp_path,
        latex_document(
            latex_table(everything, caption="Every metric"),
            latex_table(few),
            latex_table(few, transpose=True),
        ),
    )
    assert "Output written" in log


def test_width_estimate_against_pdflatex(tmp_path):
    """latex_width errs on the wide side, by at most 40%, on broken lines of the model's formulas."""
    lines = []
    for name in ("hardware_assist", "binary_translation"):
        m = Model(name, WORKLOAD)
        for k in ("mean_latency", "latency_variance"):
            lines += break_lines(m.expression(k).expr, 300, latex_names())
    lines = [line.replace("{}+", "+").replace("{}-", "-") for line in lines[:80]]
    body = "\n".join(
        rf"\setbox0\hbox{{$\displaystyle {line}$}}\typeout{{W{i}=\the\wd0}}" for i, line in enumerate(lines)
    )
    log = compile_latex(tmp_path, latex_document(body))
    measured = {int(i): float(w) for i, w in re.findall(r"W(\d+)=([\d.]+)pt", log)}
    assert len(measured) == len(lines)
    for i, width in measured.items():
        if width > 30:
            assert width * 0.99 <= latex_width(lines[i]) <= 1.4 * width, (lines[i], width)


def test_wake_up_formulas_and_derivations_fit(tmp_path):
    """The load-dependent wake-up terms (idle probabilities inside the demands) still break and fit."""
    bodies = []
    for name, mode in (("paravirtual", "on"), ("hardware_assist", "halt_poll"), ("sriov", "on")):
        m = Model(get(name, wakeups=mode), WORKLOAD)
        bodies.append(latex_align({f"{name}-{mode}-{k}": m.expression(k)
                                   for k in ("mean_latency", "overhead", "cpu_per_request")}))
        bodies.append(derivation(m, "mean_latency").latex(numbers=True, label=f"{name}-{mode}-"))
    assert "Output written" in compile_latex(tmp_path, latex_document(*bodies))


def test_a_wide_piecewise_breaks_in_its_first_case_and_names_the_numerator(tmp_path):
    """host_cores_per_100k_iops under the default wake-ups: each wake-up term's cost per I/O is a
    Piecewise (its own limit at no I/O, model/_derive._per_io) wider than a page; it breaks inside its
    first case, and the no-I/O case's condition (the same long numerator) is named, not repeated."""
    import sympy as sp

    m = Model("hardware_assist", WORKLOAD)
    expr = m.expression("host_cores_per_100k_iops").expr
    assert expr.has(sp.Piecewise)
    lines = break_lines(expr, 300, latex_names())
    text = " ".join(lines)
    assert len(lines) > 3 and all(latex_width(line) <= 300 * 1.05 for line in lines)
    assert r"\text{ if the first case's numerator} \neq 0" in text and r"\text{ else }\infty" in text
    body = r"\begin{align*}" + r" \\ ".join("&" + line for line in lines) + r"\end{align*}"
    compile_latex(tmp_path, latex_document(body))
