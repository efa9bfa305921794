"""Formulas as LaTeX for coursework: an ``align`` block and its symbol glossary.

>>> from virtmodel.model import Model
>>> from virtmodel.latex import latex_align
>>> m = Model("sriov", "small_packet_rr")
>>> text = latex_align({"throughput_limit": m.expression("throughput_limit")})
>>> text.startswith(r"\\begin{align}")
True

The block needs ``\\usepackage{amsmath}`` (for ``align``) and nothing else:
the glossary is a plain ``tabular`` of symbol, meaning and unit, taken from
the symbol registry (:mod:`virtmodel.symbols`) so it says exactly what the
model's parameters mean.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ParameterError
from .symbols import latex_names, registry

_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def escape_text(text: str) -> str:
    """``text`` safe for LaTeX text mode (``&``, ``%``, ``_``, ... escaped)."""
    return "".join(_TEXT_ESCAPES.get(ch, ch) for ch in str(text))


def unit_latex(unit: str) -> str:
    """A unit in LaTeX text mode: ``s^2`` -> ``s\\textsuperscript{2}``; ``1`` -> ``--``."""
    if not isinstance(unit, str):
        raise ParameterError("unit", unit, "a unit string such as 's', '1/s' or 's^2'")
    if unit in ("", "1"):
        return "--"
    parts = re.split(r"\^(-?\d+)", unit)
    out = [escape_text(p) if i % 2 == 0 else rf"\textsuperscript{{{p}}}" for i, p in enumerate(parts)]
    return "".join(out)


def _row(name, formula) -> tuple:
    """``(lhs, rhs, expr)`` of one entry: a Formula or a SymPy expression."""
    import sympy as sp

    if hasattr(formula, "lhs") and hasattr(formula, "expr"):
        expr, lhs = formula.expr, formula.lhs
    elif isinstance(formula, sp.Basic):
        expr, lhs = formula, rf"\mathrm{{{escape_text(name)}}}"
    else:
        raise ParameterError(f"formulas[{name!r}]", formula, "a Formula or a SymPy expression")
    return lhs, sp.latex(expr, symbol_names=latex_names()), expr


def glossary_rows(exprs) -> list:
    """``[(latex, meaning, unit)]`` for every free symbol of ``exprs``, sorted by name.

    Symbols of the registry get its LaTeX, description and unit; any other
    symbol is listed with its SymPy LaTeX and "(not a model parameter)".
    """
    import sympy as sp

    reg = registry()
    free = sorted(set().union(*(e.free_symbols for e in exprs)) if exprs else set(), key=lambda s: s.name)
    rows = []
    for sym in free:
        i = reg.get(sym.name)
        if i is not None and i.symbol == sym:
            rows.append((i.latex, i.description, i.unit))
        else:
            rows.append((sp.latex(sym), "(not a model parameter)", ""))
    return rows


def latex_align(formulas: dict, glossary: bool = True, *, labels: bool = True) -> str:
    """A LaTeX ``align`` block, one ``&=`` row per formula, then a symbol glossary.

    Parameters
    ----------
    formulas : dict
        ``{name: Formula or SymPy expression}`` in the order to print. A
        :class:`~virtmodel.model._formula.Formula` (``Model.expression``) brings
        its own left-hand side; a bare expression gets ``\\mathrm{name}``.
    glossary : bool
        Append a ``tabular`` of symbol, meaning and unit for every free symbol.
    labels : bool
        Give each row ``\\label{eq:name}`` for ``\\eqref``.

    Returns
    -------
    str
        LaTeX source needing only ``amsmath``.

    Examples
    --------
    >>> from virtmodel.symbols import symbol
    >>> print(latex_align({"rho": symbol("arrival_rate") * symbol("cpu_time")}, glossary=False), end="")
    \\begin{align}
      \\mathrm{rho} &= \\lambda t_{\\mathrm{cpu}} \\label{eq:rho}
    \\end{align}
    """
    if not isinstance(formulas, dict) or not formulas:
        raise ParameterError("formulas", formulas, "a non-empty dict {name: Formula or SymPy expression}")
    rows = [(name, *_row(name, f)) for name, f in formulas.items()]
    body = []
    for k, (name, lhs, rhs, _) in enumerate(rows):
        label = rf" \label{{eq:{re.sub(r'[^A-Za-z0-9_:-]', '-', str(name))}}}" if labels else ""
        end = r" \\" if k < len(rows) - 1 else ""
        body.append(f"  {lhs} &= {rhs}{label}{end}")
    text = "\\begin{align}\n" + "\n".join(body) + "\n\\end{align}"
    if glossary:
        entries = glossary_rows([expr for *_, expr in rows])
        if entries:
            lines = [rf"  ${sym}$ & {escape_text(meaning)} & {unit_latex(unit)} \\" for sym, meaning, unit in entries]
            text += ("\n\\noindent where\n\\begin{tabular}{@{}lp{0.6\\linewidth}l@{}}\n  symbol & meaning & unit \\\\\n  \\hline\n"
                     + "\n".join(lines) + "\n\\end{tabular}")
    return text + "\n"


def save_latex(path, formulas: dict, glossary: bool = True, **kwargs) -> Path:
    """Write :func:`latex_align` of ``formulas`` to ``path`` (a ``.tex`` to ``\\input``); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("% generated by virtmodel.latex; needs \\usepackage{amsmath}\n"
                    + latex_align(formulas, glossary, **kwargs), encoding="utf-8")
    return path


__all__ = ["escape_text", "glossary_rows", "latex_align", "save_latex", "unit_latex"]
