"""The headless report (python -m virtmodel.report): formulas derived, figures written."""

import matplotlib

matplotlib.use("Agg")

import sympy as sp

from virtmodel import report


def test_report_writes_formulas_and_figures(tmp_path, capsys):
    assert report.main(["--out", str(tmp_path)]) == 0
    text = (tmp_path / "report.md").read_text()
    assert r"\frac{1}{- \lambda + \mu}" in text  # M/M/1 response time, derived by SymPy
    assert r"\begin{align}" in text and "c_{\\mathrm{exit}}" in text  # technique formula with its glossary
    figures = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert figures == sorted(f"{stem}.{ext}" for stem in ("p99_vs_load_small_packet_rr", "response_time_vs_utilization")
                             for ext in ("pdf", "png", "svg"))
    assert all((tmp_path / "figures" / name).stat().st_size > 1000 for name in figures)
    assert "M/M/1 mean response time" in capsys.readouterr().out


def test_core_formulas_are_the_textbook_ones():
    formulas = dict(report.derive_core_formulas())
    lam, mu = sp.symbols("lambda mu", positive=True)
    assert sp.simplify(formulas["M/M/1 mean response time R"] - 1 / (mu - lam)) == 0
    # Erlang B for two servers: (a^2/2) / (1 + a + a^2/2), a = lambda/mu
    a = lam / mu
    assert sp.simplify(formulas["Erlang B, 2 servers, offered load a = lambda/mu"] - (a**2 / 2) / (1 + a + a**2 / 2)) == 0


def test_rounded_formula_keeps_its_value():
    f = report.technique_formulas()["cpu_per_request"]
    exact = f.expr.subs({s: 1.0 for s in f.expr.free_symbols})
    rounded = f.rounded(4).expr.subs({s: 1.0 for s in f.expr.free_symbols})
    assert abs(float(rounded) / float(exact) - 1) < 1e-3
