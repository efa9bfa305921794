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

from ._validate import positive, text
from .errors import ParameterError
from .latex_layout import align_rows
from .queueing.erlang_function import ErlangCOverLoad
from .symbols import latex_names, registry

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "\u00b5": r"\textmu{}",
    "\u03bc": r"\textmu{}",
    "\u00d7": r"$\times$",
    "\u2013": "--",
    "\u2014": "---",
    "\u2248": r"$\approx$",
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u2192": r"$\rightarrow$",
    "\u03bb": r"$\lambda$",
    "\u03c1": r"$\rho$",
    "\u00b2": r"\textsuperscript{2}",
    "\u00b0": r"\textdegree{}",
}
#: width of the text in a plain ``article`` (10 pt, no geometry package), in points
ARTICLE_WIDTH = 345.0
#: the Erlang C function in the model's formulas (:mod:`virtmodel.queueing.erlang_function`)
ERLANG_C = (
    r"C(c, a)",
    "Erlang C: the probability that a request waits at an M/M/c station with c servers "
    "and offered load a = arrival rate x mean service time (C(1, a) = a)",
    "1",
)


def escape_text(text: str) -> str:
    """``text`` safe for LaTeX text mode (``&``, ``%``, ``_``, ``->``, ``~``, ``<``, ``µ`` ... escaped).

    Examples
    --------
    >>> print(escape_text("call/ret 11 -> 51 cycles, ~214, 50% of a_b"))
    call/ret 11 $\\rightarrow$ 51 cycles, \\textasciitilde{}214, 50\\% of a\\_b
    """
    parts = str(text).split("->")
    return r"$\rightarrow$".join(
        "".join(_TEXT_ESCAPES.get(ch, ch if ord(ch) < 128 else "?") for ch in part) for part in parts
    )


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
    """``(lhs, expr)`` of one entry: a Formula or a SymPy expression."""
    import sympy as sp

    if hasattr(formula, "lhs") and hasattr(formula, "expr"):
        return formula.lhs, formula.expr
    if isinstance(formula, sp.Basic):
        return rf"\mathrm{{{escape_text(name)}}}", formula
    raise ParameterError(f"formulas[{name!r}]", formula, "a Formula or a SymPy expression")


def glossary_rows(exprs) -> list:
    """``[(latex, meaning, unit)]`` for every free symbol of ``exprs``, sorted by name, then
    :data:`ERLANG_C` if an expression uses the Erlang C function.

    Symbols of the registry get its LaTeX, description and unit; any other
    symbol is listed with its SymPy LaTeX and "(not a model parameter)".
    """
    import sympy as sp

    reg = registry()
    exprs = list(exprs)
    free = sorted(set().union(*(e.free_symbols for e in exprs)) if exprs else set(), key=lambda s: s.name)
    rows = []
    for sym in free:
        i = reg.get(sym.name)
        if i is not None and i.symbol == sym:
            rows.append((i.latex, i.description, i.unit))
        else:
            rows.append((sp.latex(sym), "(not a model parameter)", ""))
    if any(e.atoms(ErlangCOverLoad) for e in exprs):
        rows.append(ERLANG_C)
    return rows


def glossary_table(rows, width: float = ARTICLE_WIDTH) -> str:
    """The ``tabular`` of ``[(latex, meaning, unit)]`` rows: symbol, meaning (wrapped), unit."""
    if not rows:
        return ""
    meaning = max(width - 150.0, 120.0)
    lines = [rf"  ${sym}$ & {escape_text(text)} & {unit_latex(unit)} \\" for sym, text, unit in rows]
    return (
        "\\noindent where\\par\\noindent\n\\begin{tabular}{@{}l" + f"p{{{meaning:.0f}pt}}" + "l@{}}\n"
        "  symbol & meaning & unit \\\\\n  \\hline\n" + "\n".join(lines) + "\n\\end{tabular}\n"
    )


def _label(name) -> str:
    return rf" \label{{eq:{re.sub(r'[^A-Za-z0-9_:-]', '-', str(name))}}}"


def latex_align(
    formulas: dict, glossary: bool = True, *, labels: bool = True, width: float = ARTICLE_WIDTH
) -> str:
    r"""A LaTeX ``align`` block, one numbered equation per formula, then a symbol glossary.

    A formula wider than ``width`` points is broken over continuation rows at
    its sums, products and fractions (:mod:`virtmodel.latex_layout`), so the
    block fits a page; it gets one equation number (on its last row).

    Parameters
    ----------
    formulas : dict
        ``{name: Formula or SymPy expression}`` in the order to print. A
        :class:`~virtmodel.model._formula.Formula` (``Model.expression``) brings
        its own left-hand side; a bare expression gets ``\mathrm{name}``.
    glossary : bool
        Append a ``tabular`` of symbol, meaning and unit for every free symbol
        (and the Erlang C function where it appears).
    labels : bool
        Give each formula ``\label{eq:name}`` for ``\eqref``.
    width : float
        The text width in points (345 for a plain ``article``; 469 with 1-inch margins on letter).

    Returns
    -------
    str
        LaTeX source needing only ``amsmath`` (``\allowdisplaybreaks`` in the
        preamble lets a long block break across pages).

    Examples
    --------
    >>> from virtmodel.symbols import symbol
    >>> print(latex_align({"rho": symbol("arrival_rate") * symbol("cpu_time")}, glossary=False), end="")
    \begin{align}
      \mathrm{rho} &= \lambda t_{\mathrm{cpu}} \label{eq:rho}
    \end{align}
    """
    if not isinstance(formulas, dict) or not formulas:
        raise ParameterError("formulas", formulas, "a non-empty dict {name: Formula or SymPy expression}")
    positive("width", width, "scalar")
    rows = {name: _row(name, f) for name, f in formulas.items()}
    body = []
    for name, (lhs, expr) in rows.items():
        # 35 pt for the equation number and the estimate's error (pdflatex: up to 18 pt over with 25)
        body += align_rows(lhs, expr, width - 35, latex_names(), label=_label(name) if labels else "")
    text = "\\begin{align}\n" + " \\\\\n".join(f"  {r}" for r in body) + "\n\\end{align}\n"
    if glossary:
        text += glossary_table(glossary_rows([expr for _, expr in rows.values()]), width)
    return text


def latex_table(
    table,
    *,
    caption: str = "",
    label: str = "",
    digits: int = 3,
    transpose: bool | None = None,
    width: float = ARTICLE_WIDTH,
) -> str:
    r"""A pandas table (``compare``, ...) as a LaTeX ``tabular``, units in the headers, fitting a page.

    Numbers are scaled to engineering units per metric (``mean latency
    [\textmu{}s]``, :func:`virtmodel.units.readable`) and printed to ``digits``
    significant digits; names are escaped; ``inf`` prints as :math:`\infty` and
    NaN as "n/a". When the columns would not fit ``width`` points
    (``transpose=None``), the metrics become rows, so a comparison of every
    metric fits the text width. A text column (``note``) is printed under the
    table. Needs no package.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"mean_latency": [2.9e-05]}, index=pd.Index(["sriov"], name="technique"))
    >>> print(latex_table(t).splitlines()[2])
    technique & mean latency [\textmu{}s] \\
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise ParameterError("table", type(table).__name__, "a pandas DataFrame (e.g. what compare returns)")
    text("caption", caption)
    text("label", label)
    from .units import readable

    shown = readable(table, digits=digits)
    scales = shown.attrs.get("scales", {})
    heads = {c: _header(c, scales) for c in shown.columns}
    metrics = set(table.columns.get_level_values(0)) & set(metric_names_of(table))
    notes = [
        c
        for c in shown.columns
        if c not in scales and c not in metrics and all(isinstance(v, str) for v in shown[c])
    ]
    body = shown.drop(columns=notes)
    index_name = escape_text(shown.index.name or "")
    wide = _TEXT_PT * sum(max(len(str(c)), 6) + 2 for c in body.columns) + 60 > width
    if transpose if transpose is not None else wide:
        out = "\n".join(_transposed(body, heads, digits, width, part) for part in _parts(body, digits, width))
    else:
        lines = [
            " & ".join([escape_text(k)] + [_cell(v, digits) for v in row]) + r" \\"
            for k, row in body.iterrows()
        ]
        spec, head = (
            "l" + "r" * len(body.columns),
            " & ".join([index_name] + [heads[c] for c in body.columns]) + r" \\",
        )
        out = _tabular(spec, head, lines)
    for c in notes:
        said = [
            f"{escape_text(k)}: {escape_text(v)}" for k, v in shown[c].items() if isinstance(v, str) and v
        ]
        if said:
            out += (
                "\n\\noindent\\parbox{\\linewidth}{\\footnotesize "
                + escape_text(c)
                + ". "
                + "; ".join(said)
                + "}\n"
            )
    if caption or label:
        out = (
            "\\begin{table}[ht]\n\\centering\n"
            + out
            + (f"\\caption{{{escape_text(caption)}}}\n" if caption else "")
            + (f"\\label{{{label}}}\n" if label else "")
            + "\\end{table}\n"
        )
    return out


_TEXT_PT = 5.0  # points per character of 10 pt roman text, a little generous
_FIRST_COLUMN = 110.0  # points for the metric's words in a transposed table


def _tabular(spec: str, head: str, lines: list) -> str:
    return (
        "\\begin{tabular}{"
        + spec
        + "}\n\\hline\n"
        + head
        + "\n\\hline\n"
        + "\n".join(lines)
        + "\n\\hline\n\\end{tabular}\n"
    )


def _parts(body, digits: int, width: float) -> list:
    """The rows (techniques) of ``body`` in groups whose columns fit beside the metric's words."""
    parts, current, used = [], [], _FIRST_COLUMN + 12
    for key in body.index:
        cells = [_cell(v, digits) for v in body.loc[key]]
        name = max((len(p) for p in str(key).split("_")), default=1) if len(str(key)) > 8 else len(str(key))
        need = _TEXT_PT * max([name] + [len(re.sub(r"\\[a-z]+|[{}$^]", "", c)) for c in cells]) + 12
        if current and used + need > width:
            parts.append(current)
            current, used = [], _FIRST_COLUMN + 12
        current.append(key)
        used += need
    return parts + [current] if current else parts


def _transposed(body, heads: dict, digits: int, width: float, keys: list) -> str:
    """The metrics as rows, the techniques ``keys`` as columns."""
    lines = [
        heads[c] + " & " + " & ".join(_cell(body.loc[k, c], digits) for k in keys) + r" \\"
        for c in body.columns
    ]
    head = " & ".join(["metric"] + [_stacked(k) for k in keys]) + r" \\"
    return _tabular(f"p{{{_FIRST_COLUMN:.0f}pt}}" + "r" * len(keys), head, lines)


def metric_names_of(table) -> list:
    """The columns of ``table`` that name a metric (the metric table or a percentile)."""
    from .units import is_metric

    return [c for c in table.columns.get_level_values(0) if is_metric(c)]


def _header(column: str, scales: dict) -> str:
    """A header cell: the words escaped, the unit with its powers as superscripts."""
    if column not in scales or "[" not in column:
        return escape_text(column)
    words, unit = column.rsplit(" [", 1)
    return f"{escape_text(words)} [{unit_latex(unit[:-1])}]"


def _stacked(name) -> str:
    r"""A column title split at its underscores over lines (``\shortstack``) when long."""
    parts = str(name).split("_")
    if len(str(name)) <= 8 or len(parts) == 1:
        return escape_text(name)
    return r"\shortstack[r]{" + r"\_\\".join(escape_text(p) for p in parts) + "}"


def _cell(value, digits: int) -> str:
    import math

    if isinstance(value, str):
        return escape_text(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return r"$\infty$" if value > 0 else r"$-\infty$"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:.{digits}g}"
        if "e" in text and 1e-3 <= abs(value) < 1e5:
            text = f"{float(text):g}"
        if "e" in text:
            mantissa, exp = text.split("e")
            return rf"${mantissa}\times 10^{{{int(exp)}}}$"
        return text
    return escape_text(value)


def latex_document(*bodies, title: str = "") -> str:
    """A complete ``article`` around LaTeX ``bodies`` (amsmath, display breaks allowed): what the tests
    compile and what a user can run through pdflatex as is."""
    for i, body in enumerate(bodies):
        text(f"bodies[{i}]", body)
    text("title", title)
    head = "\\documentclass{article}\n\\usepackage{amsmath}\n\\allowdisplaybreaks\n\\begin{document}\n"
    if title:
        head += f"\\section*{{{escape_text(title)}}}\n"
    return head + "\n\n".join(bodies) + "\n\\end{document}\n"


def save_latex(path, formulas: dict, glossary: bool = True, *, standalone: bool = False, **kwargs) -> Path:
    r"""Write :func:`latex_align` of ``formulas`` to ``path`` (a ``.tex`` to ``\input``, or with
    ``standalone=True`` a whole document for pdflatex); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = latex_align(formulas, glossary, **kwargs)
    text = (
        latex_document(body)
        if standalone
        else "% generated by virtmodel.latex; needs \\usepackage{amsmath}\n" + body
    )
    path.write_text(text, encoding="utf-8")
    return path


__all__ = [
    "ARTICLE_WIDTH",
    "ERLANG_C",
    "escape_text",
    "glossary_rows",
    "glossary_table",
    "latex_align",
    "latex_document",
    "latex_table",
    "save_latex",
    "unit_latex",
]
