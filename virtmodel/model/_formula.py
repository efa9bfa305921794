"""A metric as a SymPy expression that shows itself with its symbols explained."""

from __future__ import annotations

import numbers

import sympy as sp

from .._params import check_value
from .._validate import positive
from ..errors import ParameterError
from ..symbols import info, latex_names


class Formula:
    """A named SymPy expression with a glossary of its symbols.

    ``expr`` is the plain SymPy expression (use it for any SymPy work);
    :meth:`latex` gives ``lhs = rhs`` and a "where" list of every symbol with
    its meaning and unit; in a notebook the formula renders itself
    (``_repr_latex_``) and nests inside ``sympy.latex`` (``_latex``).

    Parameters
    ----------
    name : str
        The metric's name (``"mean_latency"``).
    lhs : str
        LaTeX of the left-hand side.
    expr : sympy.Expr
    descriptions : dict
        ``{parameter: description}`` used in the glossary (falls back to the registry).
    """

    def __init__(self, name: str, lhs: str, expr, descriptions: dict | None = None, unit: str = ""):
        self.name, self.lhs, self.expr, self.unit = name, lhs, expr, unit
        self._descriptions = dict(descriptions or {})

    def glossary(self) -> list:
        """``[{"name", "latex", "description", "unit"}]`` for each free symbol, by name."""
        rows = []
        for sym in sorted(self.expr.free_symbols, key=lambda s: s.name):
            i = info(sym.name)
            rows.append(dict(name=i.name, latex=i.latex, unit=i.unit,
                             description=self._descriptions.get(i.name, i.description)))
        return rows

    def _latex(self, printer=None):
        return sp.latex(self.expr, symbol_names=latex_names())

    def latex(self, glossary: bool = True) -> str:
        """``lhs = rhs``, then (by default) the symbols explained, as LaTeX (a ``gathered`` block)."""
        text = f"{self.lhs} = {self._latex()}"
        if glossary and self.expr.free_symbols:
            rows = [rf"{r['latex']} & \text{{{_escape(r['description'])}}} & \text{{[{_escape(r['unit'])}]}}"
                    for r in self.glossary()]
            # one gathered block (amsmath): the line break holds in LaTeX and in MathJax, which
            # ignores a top-level \\ inside $...$
            text = (r"\begin{gathered}" + text + r"\\ \text{where}\quad \begin{array}{lll}"
                    + r" \\ ".join(rows) + r"\end{array}\end{gathered}")
        return text

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"

    def subs(self, **values) -> "Formula":
        """The formula with some parameters replaced by numbers (names checked, strings refused)."""
        repl = {}
        for name, value in values.items():
            sym = info(name).symbol
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise ParameterError(name, value, "a real number", "strings are never parsed")
            if info(name).domain == "real":  # a signed cost (a saving): finite is enough
                check_value(name, value, "real")
            else:
                positive(name, value, "scalar", allow_zero=True)
            repl[sym] = sp.Integer(value) if float(value).is_integer() and sym.is_integer else sp.Float(value)
        return Formula(self.name, self.lhs, _substitute(self.expr, repl), self._descriptions, self.unit)

    def rounded(self, digits: int = 4) -> "Formula":
        """The formula with its numeric coefficients rounded to ``digits`` significant digits (for print)."""
        return Formula(self.name, self.lhs, self.expr.evalf(int(digits)), self._descriptions, self.unit)

    def __repr__(self):
        return f"{self.name} = {self.expr}"


def _substitute(expr, repl):
    """``expr.subs(repl)``, with capacities that become ``c/0`` inside ``Min``/``Max`` taken as +oo.

    A station with no demand (for example the device of a workload with
    ``io_ops = 0``) has capacity :math:`c/0`: no limit, so :math:`+\\infty`,
    not SymPy's complex infinity (which ``Min`` cannot compare).
    """
    def bounded(node):
        args = [a.subs(repl) for a in node.args]
        return node.func(*[sp.oo if a is sp.zoo else a for a in args])

    expr = expr.replace(lambda e: isinstance(e, (sp.Min, sp.Max)), bounded)
    return expr.subs(repl)


def _escape(text: str) -> str:
    return text.replace("\\", "/").replace("_", r"\_").replace("%", r"\%").replace("&", r"\&") \
        .replace("#", r"\#").replace("$", r"\$").replace("^", r"\^{}").replace("{", r"\{").replace("}", r"\}")
