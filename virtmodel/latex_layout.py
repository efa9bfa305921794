"""Long formulas broken over lines so that they fit a page: width estimate and line breaking.

LaTeX cannot break display math, so a model's latency formula (thousands of
points wide expanded) runs off the page. :func:`break_lines` breaks a SymPy
expression at its own structure: a sum between terms, a product between
factors (``\\cdot``), a fraction whose numerator is too wide as
:math:`\\frac{1}{d}\\bigl(\\dots\\bigr)`, one whose denominator is too wide as
:math:`n\\,\\bigl(\\dots\\bigr)^{-1}`, ``min``/``max`` between arguments. The
pieces are packed greedily into lines no wider than asked, by
:func:`latex_width`, an estimate of the width (in points, 10 pt Computer
Modern, display style) of math-mode LaTeX. The delimiters around a broken group
are fixed-size (``\\biggl(`` ... ``\\biggr)``), so each line stands alone in an
``align`` or ``aligned`` row. Only amsmath is needed.

>>> import sympy as sp
>>> x = sp.symbols("x0:40")
>>> lines = break_lines(sum(x), 150)
>>> len(lines) > 1 and all(latex_width(line) <= 150 for line in lines)
True

Tests compile the results with pdflatex and parse its log for overfull boxes
(``tests/test_latex_compile.py``).
"""

from __future__ import annotations

import re

from ._validate import text
from .queueing.erlang_function import ErlangCOverLoad

# widths in pt at 10 pt (Computer Modern), measured on typical glyphs; a little generous
_CHAR = 5.6  # an italic letter or a digit
_TEXT_CHAR = 5.0  # an upright letter in \mathrm / \text
_BINARY = 7.8 + 4.4  # + - \cdot with their medium spaces
_RELATION = 7.8 + 5.6  # = with its thick spaces
_DELIM = 5.0  # ( ) [ ] at \left/\right or \bigg size
_SCRIPT = 0.75  # scriptstyle scale (cmmi7 is set wider than cmmi10 at 0.7: 0.72 measured 6% narrow on nested fractions)
_SAFETY = 1.08  # pdflatex measured 0.93-1.16 times the raw estimate on the model's formulas
_COMMANDS = {
    r"\quad": 10.0,
    r"\qquad": 20.0,
    r"\,": 1.7,
    r"\;": 2.8,
    r"\:": 2.2,
    r"\!": -1.7,
    r"\cdot": _BINARY,
    r"\times": _BINARY,
    r"\pm": _BINARY,
    r"\to": _RELATION,
    r"\rightarrow": _RELATION,
    r"\leq": _RELATION,
    r"\geq": _RELATION,
    r"\approx": _RELATION,
    r"\left": 0.6,  # a stretched delimiter (around a fraction) is wider than its 5 pt text size
    r"\right": 0.6,
    r"\nonumber": 0.0,
    r"\displaystyle": 0.0,
    r"\limits": 0.0,
    r"\biggl": 2.4,   # \biggl( is 7.4 pt wide (pdflatex), a delimiter counts 5.0
    r"\biggr": 2.4,
    r"\bigl": 0.0,
    r"\bigr": 0.0,
    r"\Bigl": 0.0,
    r"\Bigr": 0.0,
    r"\sum": 14.0,
    r"\min": 16.0,
    r"\max": 18.0,
    r"\arg": 14.0,
    r"\log": 14.0,
    r"\ln": 10.0,
    r"\exp": 16.0,
    r"\big": 0.0,
    r"\Big": 0.0,
    r"\mid": _RELATION,
    r"\infty": 10.0,
}
_TEXT_COMMANDS = (r"\mathrm", r"\text", r"\operatorname", r"\textrm", r"\mathit", r"\mathbf")
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}]|[_^]|\s+|.", re.S)


def _group(tokens, i):
    """``(tokens of the group starting at i, next index)``: a braced group or one token."""
    if i >= len(tokens):
        return [], i
    if tokens[i] != "{":
        return [tokens[i]], i + 1
    depth, j = 0, i
    while j < len(tokens):
        depth += {"{": 1, "}": -1}.get(tokens[j], 0)
        if depth == 0:
            return tokens[i + 1 : j], j + 1
        j += 1
    return tokens[i + 1 :], len(tokens)


def _width(tokens, scale: float, display: bool) -> float:
    total, i, previous = 0.0, 0, None
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok.isspace() or tok in ("&", "{", "}"):
            continue
        if tok in ("_", "^"):
            arg, i = _group(tokens, i)
            total += _width(arg, scale * _SCRIPT if scale > 0.6 else scale, False) * 1.0
            continue
        if tok == r"\frac":
            num, i = _group(tokens, i)
            den, i = _group(tokens, i)
            inner = scale if display else scale * _SCRIPT
            # + 2 x \nulldelimiterspace (1.2 pt at every size)
            total += max(_width(num, inner, False), _width(den, inner, False)) + 2.4
            continue
        if tok in _TEXT_COMMANDS:
            arg, i = _group(tokens, i)
            total += _TEXT_CHAR * len(arg) * scale
            continue
        if tok in (r"\begin", r"\end"):
            _, i = _group(tokens, i)
            continue
        if tok in _COMMANDS:
            total += _COMMANDS[tok] * scale
        elif tok.startswith("\\") and len(tok) == 2:  # \{ \} \% \_ ...
            total += _CHAR * scale
        elif tok.startswith("\\"):
            total += 6.0 * scale  # a Greek letter or a symbol
        elif tok in "+-":
            unary = previous in (None, "(", "{", "=", "&", r"\left", r"\biggl")
            total += (7.8 if unary else _BINARY) * scale
        elif tok in "=<>":
            total += _RELATION * scale
        elif tok in "()[]|":
            total += _DELIM * scale
        elif tok in ",;":
            total += 4.5 * scale
        elif tok == ".":
            total += (0.0 if previous == r"\right" or previous == r"\left" else 2.8) * scale
        else:
            total += _CHAR * scale
        previous = tok
    return total


def latex_width(tex: str, display: bool = True) -> float:
    """An estimate of the width in points (10 pt type) of math-mode LaTeX ``tex``.

    Fractions count their wider part; sub- and superscripts at script size;
    ``\\mathrm``/``\\text`` letters upright. The estimate errs on the wide side
    (the tests check it against pdflatex's own measure).

    Examples
    --------
    >>> 20 < latex_width("a + b") < 30     # two letters and a spaced plus: 23.4 pt measured
    True
    """
    text("tex", tex)
    return _SAFETY * _width(_TOKEN.findall(tex), 1.0, display)


def _printer(names: dict, **settings):
    import sympy as sp

    def tex(expr):
        return sp.latex(expr, symbol_names=names, **settings)

    return tex


def _ordered_terms(expr):
    """The terms of a sum in the order ``sympy.latex`` prints them."""
    from sympy.printing.latex import LatexPrinter

    return LatexPrinter()._as_ordered_terms(expr, order=None)


def _tokens(expr, width: float, tex) -> list:
    """Pieces of ``expr``'s LaTeX, each (where the structure allows) no wider than ``width``;
    between any two a line may break. Joined by spaces they give the whole expression."""
    import sympy as sp

    whole = tex(expr)
    if latex_width(whole) <= width:
        return [whole]
    if expr.is_Add:
        out = []
        for k, term in enumerate(_ordered_terms(expr)):
            negative = term.could_extract_minus_sign()
            parts = _tokens(-term if negative else term, width - _BINARY, tex)
            sign = "-" if negative else ("+" if k else "")
            out += [(f"{{}}{sign} " if sign else "") + parts[0]] + parts[1:]
        return out
    if expr.is_Mul and expr.could_extract_minus_sign():
        parts = _tokens(-expr, width - _BINARY, tex)
        return ["-" + parts[0]] + parts[1:]
    if expr.is_Mul or (expr.is_Pow and expr.exp.is_negative):
        num, den = sp.fraction(expr)
        if den != 1:
            if latex_width(tex(den)) <= width - 20:
                return _wrapped([rf"\frac{{1}}{{{tex(den)}}}"], _factor_tokens(num, width, tex), "")
            return _factor_tokens(num, width, tex) + _wrapped(
                [r"\cdot"], _tokens(den, width - 20, tex), "^{-1}"
            )
        return _factor_tokens(expr, width, tex)
    if expr.is_Pow:
        return _wrapped([], _tokens(expr.base, width - 20, tex), f"^{{{tex(expr.exp)}}}")
    if isinstance(expr, (sp.Min, sp.Max)):
        return _call(r"\min" if isinstance(expr, sp.Min) else r"\max", expr.args, width, tex)
    if isinstance(expr, sp.Piecewise):
        return _cases(expr.args, width, tex)
    if isinstance(expr, ErlangCOverLoad):  # C(c, a) / a with a long offered load a
        return _call("C", expr.args, width, tex) + _wrapped(
            [r"\cdot"], _tokens(expr.args[1], width - 20, tex), "^{-1}"
        )
    return [whole]


def _cases(branches, width, tex) -> list:
    """A too-wide ``Piecewise`` as ``\\biggl( e_1 \\biggr)`` if :math:`c_1`, then ``\\text{else }`` each further branch:
    every value broken like any expression, each condition after its value. A condition
    :math:`X \\neq 0` whose :math:`X` is, up to a constant factor, the first case's numerator over
    its condition's :math:`n \\neq 0` (a cost per I/O that does not cancel, :func:`virtmodel.model._derive._per_io`) is
    named, not repeated ("if the first case's numerator" followed by :math:`\\neq 0`)."""
    import sympy as sp

    first_value, first_cond = branches[0]
    out = []
    for k, (value, cond) in enumerate(branches):
        if cond is sp.true:
            when = ""
        elif latex_width(tex(cond)) <= width / 2:
            when = rf"\text{{ if }} {tex(cond)}"
        elif (isinstance(cond, sp.Ne) and cond.rhs == 0 and isinstance(first_cond, sp.Ne)
              and first_cond.rhs == 0 and (first_value * first_cond.lhs / cond.lhs).is_number):
            when = r"\text{ if the first case's numerator} \neq 0"
        else:
            when = rf"\text{{ if }} {tex(cond)}"
        parts = _tokens(value, width - 20, tex)
        parts = _wrapped([], parts, "") if len(parts) > 1 else parts
        parts[-1] += when
        if k:
            parts = [r"\text{ else }" + parts[0]] + parts[1:]
        out += parts
    return out


def _call(name: str, args, width, tex) -> list:
    """``name(arg, arg, ...)`` broken between (and inside) its arguments."""
    merged = []
    for k, arg in enumerate(args):
        parts = _tokens(arg, width - 20, tex)
        merged += parts[:-1] + [parts[-1] + ("," if k < len(args) - 1 else "")]
    return _wrapped([name], merged, "")


def _factor_tokens(expr, width, tex) -> list:
    """A product broken between its factors (``\\cdot``), a too-wide sum factor in ``\\biggl( \\biggr)``."""
    import sympy as sp

    if expr == 1:
        return []
    factors = expr.as_ordered_factors() if expr.is_Mul else [expr]
    out = []
    for k, f in enumerate(factors):
        if f.is_Add:
            inner = _tokens(f, width - 20, tex)
            parts = [rf"\left({inner[0]}\right)"] if len(inner) == 1 else _wrapped([], inner, "")
        else:
            parts = _tokens(f, width - 12, tex)
        if k:
            parts = [r"\cdot " + parts[0]] + parts[1:]
        out += parts
    return out if out else [tex(sp.Integer(1))]


def _wrapped(prefix: list, inner: list, suffix: str) -> list:
    """``prefix \\biggl( inner \\biggr)suffix`` as tokens (fixed-size delimiters: each line stands alone).

    With a ``prefix`` and more than one inner token, the prefix and its ``\\biggl(`` are a token of their
    own, so a line may break after them: glued to the first inner token (which was sized for the whole
    width) they could make a token wider than a line."""
    if not inner:
        return [" ".join(prefix)] if prefix else []
    if len(inner) == 1:
        return [" ".join(prefix + [r"\biggl(" + inner[0]]) + r"\biggr)" + suffix]
    head = [" ".join(prefix + [r"\biggl("]), inner[0]] if prefix else [r"\biggl(" + inner[0]]
    return head + inner[1:-1] + [inner[-1] + r"\biggr)" + suffix]


def pack(tokens: list, first: float, rest: float) -> list:
    """Tokens joined into lines: the first no wider than ``first`` points, the others ``rest``."""
    lines, current = [], ""
    for tok in tokens:
        candidate = f"{current} {tok}".strip()
        limit = first if not lines else rest
        if current and latex_width(candidate) > limit:
            lines.append(current)
            current = tok
        else:
            current = candidate
    return lines + [current] if current else lines


def break_lines(
    expr, width: float, names: dict | None = None, first: float | None = None, **settings
) -> list:
    """The LaTeX of SymPy ``expr`` as lines no wider than ``width`` points (the first ``first``).

    A line after the first starts with its operator (``{}+``, ``\\cdot``), ready
    to follow ``&\\quad`` in an ``align`` row. A single factor wider than the
    line (a long symbol name) is left whole. ``settings`` go to ``sympy.latex``
    (``mul_symbol="dot"``).
    """
    tex = _printer(names or {}, **settings)
    first = width if first is None else first
    return pack(_tokens(expr, min(first, width), tex), first, width)


def align_rows(
    lhs: str,
    expr,
    width: float,
    names: dict | None = None,
    relation: str = "=",
    label: str = "",
    numbered: bool = True,
    **settings,
) -> list:
    """``align`` rows of ``lhs = expr``, broken to fit ``width`` points; the label on the last row.

    Rows after the first are ``&\\quad ...`` continuation rows; every row but the
    last has ``\\nonumber`` so the equation gets one number.
    """
    head = latex_width(lhs) + _RELATION
    lines = (
        break_lines(expr, width - head - 10, names, first=width - head, **settings)
        if not isinstance(expr, str)
        else [expr]
    )
    rows = []
    for k, line in enumerate(lines):
        start = f"{lhs} &{relation} " if k == 0 else r"&\quad "
        last = k == len(lines) - 1
        tail = (label if last and numbered else "") + ("" if last and numbered else r" \nonumber")
        rows.append(f"{start}{line}{tail}")
    return rows


__all__ = ["align_rows", "break_lines", "latex_width", "pack"]
