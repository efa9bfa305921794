"""Closed-form break-even points: solve :math:`M_a(x) = M_b(x)` with SymPy.

Both metric expressions (:meth:`virtmodel.model.Model.expression`) get every
parameter except the unknown :math:`x` (and any parameters kept symbolic) put
in as *exact* rationals, each model its own values. Subexpressions that no
longer depend on a free symbol (Erlang C of the host cores at a fixed load) are
evaluated. The difference is brought over a common denominator,
:math:`M_a - M_b = N(x)/D(x)`; when :math:`N` is a polynomial in :math:`x` of
degree <= 4 (<= 2 when other parameters stay symbolic) its roots come from
:func:`sympy.roots` in radicals: that is the closed form. Anything else
(``Min`` of capacities that depend on :math:`x`, Erlang C of a load that
depends on :math:`x`, percentiles) has none here, and the caller falls back to
a bracketed numeric root, as does a substitution SymPy cannot carry through
(an infinite capacity inside ``Min``). The rational form knows nothing about saturation: a
root where either technique is saturated is discarded by the caller. An idle probability
clamped at 0 (:math:`\\max(0, p)`, the wake-up terms) is solved unclamped and the closed form kept
only if every :math:`p` is positive at a real root (kept parameters at the model's values; else the
numeric root).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..symbols import symbol

MAX_DEGREE = 4          # radicals exist up to quartics
MAX_DEGREE_SYMBOLIC = 2  # with symbolic coefficients keep the formula readable and branch-stable


@dataclass(frozen=True)
class ClosedForm:
    """The solved break-even: ``roots`` (SymPy expressions in the ``free`` symbols),
    ``coefficients`` of the numerator polynomial (highest degree first),
    ``denominator``, and ``identical`` (the difference vanishes for every x)."""

    x: object
    free: tuple
    roots: tuple
    coefficients: tuple
    denominator: object
    identical: bool = False


def _exact(value):
    import sympy as sp

    value = float(value)
    return sp.Integer(int(value)) if value.is_integer() else sp.Rational(repr(value))


def _substituted(structure, metric, keep, values):
    import sympy as sp

    from ..model._derive import derive

    expr = derive(structure).metrics[metric]
    repl = {s: _exact(values[s.name]) for s in expr.free_symbols if s.name not in keep}
    expr = expr.xreplace(repl)
    floats = {f: _exact(f) for f in expr.atoms(sp.Float)}
    return expr.xreplace(floats) if floats else expr


def _evaluate_constants(expr, keep_symbols):
    """Replace applied functions free of the kept symbols by their (rational) numeric value."""
    import sympy as sp

    repl = {}
    for f in expr.atoms(sp.Function):
        if not (f.free_symbols & keep_symbols):
            repl[f] = sp.Rational(float(f.evalf(30)))
    return expr.xreplace(repl) if repl else expr


def _unclamped(expr, x):
    """``(expr, args)``: ``expr`` with each :math:`\\max(0, p(x))` (an idle probability clamped at 0 past
    saturation, :func:`virtmodel.techniques.interrupt_window.never_negative`) replaced by :math:`p(x)`, and
    those :math:`p(x)`; the caller keeps a root only where none of them is negative."""
    import sympy as sp

    args = []

    def strip(node):
        rest = [a for a in node.args if a != 0]
        if len(rest) == 1 and len(node.args) == 2 and rest[0].has(x):
            args.append(rest[0])
            return rest[0]
        return node

    expr = expr.replace(lambda e: isinstance(e, sp.Max) and 0 in e.args, strip)
    return expr, tuple(args)


@lru_cache(maxsize=256)
def _solve(structure_a, values_a, structure_b, values_b, metric, parameter, free):
    import sympy as sp

    keep = {parameter, *free}
    exprs = [_substituted(structure, metric, keep, dict(values))
             for structure, values in ((structure_a, values_a), (structure_b, values_b))]
    x = symbol(parameter)
    kept = {x, *(symbol(n) for n in free)}
    diff, clamped = _unclamped(_evaluate_constants(exprs[0] - exprs[1], kept), x)
    num, den = sp.fraction(sp.cancel(sp.together(diff)))
    if num == 0:
        return ClosedForm(x, free, (), (), den, identical=True)
    if not num.is_polynomial(x) or not den.is_polynomial(x):
        return None
    poly = sp.Poly(num, x)
    limit = MAX_DEGREE_SYMBOLIC if free else MAX_DEGREE
    if poly.degree() > limit:
        return None
    if poly.free_symbols - kept or any(c.has(sp.Min, sp.Max) for c in poly.all_coeffs()):
        return None
    found = sp.roots(poly, multiple=True) if poly.degree() > 0 else []
    if len(found) != poly.degree():
        return None
    # the clamp max(0, p) must not bind at a real root (else the form is not the model's); kept
    # parameters at the first model's values (the closed form is the model's around them)
    at = {symbol(n): _exact(dict(values_a)[n]) for n in free}
    for root in found:
        if not clamped:
            break
        here = complex(sp.N(root.xreplace(at), 30))   # radicals of a real root may carry a rounding imaginary part
        if abs(here.imag) <= 1e-9 * abs(here.real) and any(
                float(sp.re(arg.xreplace({**at, x: _exact(here.real)}).evalf(30))) < 1e-9 for arg in clamped):
            # negative, or 0 (a root at the clamp's corner: the saturation point, where p = 0)
            return None
    return ClosedForm(x, tuple(free), tuple(found), tuple(poly.all_coeffs()), den)


def closed_form(model_a, model_b, metric, parameter, free=(), fixed=None):
    """The :class:`ClosedForm` of the break-even, or None when there is none (see module)."""
    from ..model._derive import SYMBOLIC_METRICS
    from ._common import own

    if metric not in SYMBOLIC_METRICS or any(m.workload.users > 0 for m in (model_a, model_b)):
        return None  # percentiles and closed-load (MVA) metrics: numeric only
    fixed = fixed or {}
    values = [tuple(sorted({**m.values(), **own(m, fixed)}.items())) for m in (model_a, model_b)]
    try:
        return _solve(model_a.key, values[0], model_b.key, values[1],
                      metric, parameter, tuple(free))
    except (ValueError, TypeError, ZeroDivisionError):
        # SymPy cannot carry the substitution through, e.g. Min(zoo, ...) when a station
        # has no demand (capacity 1/0): no closed form, the caller's numeric root decides
        return None
