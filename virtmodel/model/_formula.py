"""A metric as a SymPy expression that shows itself with its symbols explained."""

from __future__ import annotations

import numbers
import re

import sympy as sp

from .._params import check_value
from .._validate import positive
from ..errors import ParameterError
from ..queueing.erlang_function import ErlangCOverLoad
from ..symbols import info, latex_names


class Formula:
    """A named SymPy expression with a glossary of its symbols.

    ``expr`` is the plain SymPy expression (use it for any SymPy work);
    :meth:`latex` gives ``lhs = rhs`` and a "where" list of every symbol with
    its meaning and unit; in a notebook the formula renders itself
    (``_repr_latex_``) and nests inside ``sympy.latex`` (``_latex``).

    A metric's flat expression has hundreds of operations (``Min``/``Max``,
    Erlang terms): ``sympy.simplify`` on it runs for minutes. For a readable,
    simplified form take the chain of named steps,
    ``virtmodel.derivation.derivation(model, metric).simplified()``.

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

    def latex(self, glossary: bool = True, width: float = 345.0) -> str:
        """``lhs = rhs``, then (by default) the symbols explained, as LaTeX that fits ``width`` points.

        A right-hand side wider than the page is broken over the rows of an
        ``aligned`` block (:mod:`virtmodel.latex_layout`); the glossary's
        descriptions are wrapped over rows. One ``gathered`` block (amsmath):
        the line breaks hold in LaTeX and in MathJax, which ignores a top-level
        ``\\\\`` inside ``$...$``. Put it in ``\\[ ... \\]`` or ``$\\displaystyle ...$``.
        """
        from ..latex_layout import align_rows

        rows = align_rows(self.lhs, self.expr, width, latex_names(), numbered=False)
        rows = [r.replace(r" \nonumber", "") for r in rows]
        text = rows[0].replace("&", "", 1) if len(rows) == 1 else \
            r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"
        if glossary and (self.expr.free_symbols or self.expr.atoms(ErlangCOverLoad)):
            glossary_rows = []
            for r in self.glossary():
                lines = _wrap(r["description"], max(width - 140.0, 100.0))
                unit = _math_text(f"[{r['unit']}]")
                glossary_rows.append(f"{r['latex']} & {lines[0]} & {unit}")
                glossary_rows += [f"& {line} &" for line in lines[1:]]
            if self.expr.atoms(ErlangCOverLoad):
                lines = _wrap(_ERLANG_C, max(width - 140.0, 100.0))
                glossary_rows.append(r"C(c, a) & " + lines[0] + r" & [1]")
                glossary_rows += [f"& {line} &" for line in lines[1:]]
            text = (r"\begin{gathered}" + text + r"\\ \text{where}\quad \begin{array}{lll}"
                    + r" \\ ".join(glossary_rows) + r"\end{array}\end{gathered}")
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


_ERLANG_C = ("Erlang C: the probability that a request waits at an M/M/c station with c servers and offered "
             "load a (arrival rate x mean service time); C(1, a) = a")
#: characters that \\text{} cannot take, as math that LaTeX and MathJax both print
_MATH_FOR = {"\\": r"\backslash", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "^": r"\hat{}",
             "{": r"\{", "}": r"\}", "~": r"\sim", "<": "<", ">": ">", "|": "|", "->": r"\rightarrow",
             "\u00b5": r"\mu", "\u03bc": r"\mu", "\u00d7": r"\times", "\u2248": r"\approx", "\u2264": r"\leq",
             "\u2265": r"\geq", "\u2192": r"\rightarrow", "\u03bb": r"\lambda", "\u03c1": r"\rho"}
_SPECIAL = re.compile("->|[" + re.escape("".join(k for k in _MATH_FOR if len(k) == 1)) + "]")


def _math_text(text: str) -> str:
    """Plain words as math-mode LaTeX: ``\\text{...}`` runs, each special character as its math symbol
    (so ``11 -> 51`` and ``~214`` survive in LaTeX and in MathJax)."""
    out, pos = [], 0
    for m in _SPECIAL.finditer(text):
        if m.start() > pos:
            out.append(r"\text{" + _ascii(text[pos:m.start()]) + "}")
        out.append(_MATH_FOR[m.group()])
        pos = m.end()
    if pos < len(text):
        out.append(r"\text{" + _ascii(text[pos:]) + "}")
    return "".join(out)


def _ascii(text: str) -> str:
    return "".join(ch if ord(ch) < 128 else "?" for ch in text)


def _wrap(text: str, width_pt: float) -> list:
    """``text`` as math-mode lines (:func:`_math_text`) of at most about ``width_pt`` points of roman text."""
    per_line = max(int(width_pt / 5.0), 12)
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > per_line:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return [_math_text(line) for line in lines]
