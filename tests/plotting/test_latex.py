"""LaTeX align block: structure, and every free symbol in the glossary."""

import re

import pytest
import sympy as sp

from virtmodel import ParameterError
from virtmodel.latex import escape_text, latex_align, save_latex, unit_latex
from virtmodel.model import Model
from virtmodel.symbols import info, symbol
from virtmodel.techniques import get

METRICS = ["mean_latency", "throughput_limit", "host_cores", "latency_variance"]


def _balanced(text):
    depth = 0
    for i, ch in enumerate(text):
        if ch in "{}" and i > 0 and text[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _environments_nest(text):
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", text):
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            return False
    return not stack


@pytest.fixture(scope="module")
def formulas():
    m = Model("hardware_assist", "small_packet_rr")
    return {k: m.expression(k) for k in METRICS}


def test_align_block_structure(formulas):
    text = latex_align(formulas)
    assert _balanced(text) and _environments_nest(text)
    align = text[text.index(r"\begin{align}"):text.index(r"\end{align}")]
    rows = align.strip().split("\n")[1:]
    starts = [k for k, r in enumerate(rows) if "&=" in r]
    assert len(starts) == len(METRICS) and all(r.count("&=") == 1 for r in rows if "&=" in r)
    assert all(r.strip().startswith(r"&\quad") for r in rows if "&=" not in r)  # continuation rows
    assert all(r.rstrip().endswith(r"\\") for r in rows[:-1]) and not rows[-1].rstrip().endswith(r"\\")
    assert rows[0].strip().startswith(r"\bar R &=")
    # one number per formula: its label on its last row, \nonumber on the others
    ends = [k - 1 for k in starts[1:]] + [len(rows) - 1]
    for name, end in zip(METRICS, ends):
        assert rf"\label{{eq:{name}}}" in rows[end]
    assert sum(r"\nonumber" in r for r in rows) == len(rows) - len(METRICS)
    assert text.count(r"\left(") == text.count(r"\right)")
    assert text.count(r"\biggl(") == text.count(r"\biggr)")


def test_every_free_symbol_is_in_the_glossary(formulas):
    text = latex_align(formulas)
    glossary = text[text.index(r"\begin{tabular}"):]
    symbols = set().union(*(f.expr.free_symbols for f in formulas.values()))
    rows = [r for r in glossary.split("\n") if r.strip().startswith("$")]
    assert len(rows) == len(symbols) + 1 and rows[-1].strip().startswith("$C(c, a)$ & Erlang C")
    for s in symbols:
        i = info(s.name)
        assert f"${i.latex}$ & {escape_text(i.description)} & {unit_latex(i.unit)} \\\\" in glossary


def test_bare_sympy_expressions_and_no_glossary():
    lam, t = symbol("arrival_rate"), symbol("cpu_time")
    text = latex_align({"rho": lam * t, "x": sp.Symbol("x")}, glossary=True)
    assert r"\mathrm{rho} &= \lambda t_{\mathrm{cpu}}" in text
    assert r"$x$ & (not a model parameter)" in text
    assert r"\begin{tabular}" not in latex_align({"rho": lam * t}, glossary=False)


def test_units_and_text_escaped():
    assert unit_latex("s^2") == r"s\textsuperscript{2}" and unit_latex("1") == "--"
    assert escape_text("50% of a_b & c") == r"50\% of a\_b \& c"
    # the glossary: "->" printed as an inverted question mark and "~" lost
    assert escape_text("call/ret 11 -> 51 cycles, ~214 <x>") == (
        r"call/ret 11 $\rightarrow$ 51 cycles, \textasciitilde{}214 \textless{}x\textgreater{}")
    assert escape_text("0.7 µs") == r"0.7 \textmu{}s"


def test_save_latex(tmp_path, formulas):
    path = save_latex(tmp_path / "eq" / "formulas.tex", formulas)
    text = path.read_text()
    assert text.startswith("% generated") and r"\begin{align}" in text and _balanced(text)


def test_bad_input():
    with pytest.raises(ParameterError, match="formulas"):
        latex_align({})
    with pytest.raises(ParameterError, match="formulas"):
        latex_align({"x": "lambda * 2"})


def test_formula_latex_breaks_and_glossary_survives_latex_and_mathjax():
    """The issue's glossary: "11 -> 51 cycles" became an inverted question mark, "~214" lost its tilde."""
    f = Model("binary_translation", "kernel_build").expression("cpu_per_request")
    text = f.latex()
    assert text.startswith(r"\begin{gathered}\begin{aligned}D_{\mathrm{cpu}} &=") and _balanced(text)
    assert r"\text{(assumption; call/ret 11 }\rightarrow\text{ 51 cycles is}" in text
    assert r"\sim\text{214" in text and "->" not in text and "~" not in text
    # a short formula stays on one line: SR-IOV's host cores without wake-ups (wakeups="off"; the default's
    # wake-up terms make it long enough to break)
    one_line = Model(get("sriov", wakeups="off"), "small_packet_rr").expression("host_cores").latex(glossary=False)
    assert "aligned" not in one_line and "&" not in one_line
    latency = Model("hardware_assist", "small_packet_rr").expression("mean_latency").latex()
    assert r"C(c, a) & \text{Erlang C:" in latency
