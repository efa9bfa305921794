"""Break-even: the value of one parameter where two techniques give the same metric.

For techniques :math:`a` and :math:`b`, a metric :math:`M` and a parameter
:math:`x` (everything else fixed), the break-even points are the roots of

.. math:: g(x) = M_a(x) - M_b(x) = 0.

Closed form first (:mod:`._symbolic`: SymPy on the two expressions, roots in
radicals, ``method = "closed form"``), otherwise a bracketed numeric root
(:mod:`._roots`: grid scan, then Brent; ``method = "numeric root"``). Only
roots where *both* techniques are unsaturated count. The outcome is a result,
never an exception: ``status`` is ``"one"``, ``"none"`` or ``"several"``.

With ``over={"name": values}`` the break-even becomes a curve over a second
parameter, computed for all values at once: the closed form's numerator
coefficients compiled over the second parameter (linear and quadratic roots
written out), else a vectorized Illinois search on every bracket together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError
from ._common import (
    HIGHER_IS_BETTER,
    check_metric,
    check_name,
    check_parameters,
    make_models,
    technique_names,
)

CLOSED, NUMERIC = "closed form", "numeric root"
SCAN_POINTS, CURVE_SCAN_POINTS = 2001, 96


@dataclass(frozen=True)
class BreakEven:
    """The break-even of ``parameter`` between techniques ``a`` and ``b`` on ``metric``.

    Attributes
    ----------
    roots : tuple of float
        Every crossing found (sorted); ``value`` is the single one (or None).
    status : str
        ``"one"``, ``"none"`` or ``"several"``.
    method : str
        ``"closed form"`` or ``"numeric root"``.
    below, above : str or None
        The technique that is better just below / above the root (one root), or
        the better one over the whole range (``below == above``, no root).
    expression : tuple of sympy.Expr
        The closed-form root(s) (with ``keep=`` parameters symbolic); empty for numeric roots.
    bounds : tuple
        The range searched (``None`` ends: the parameter's whole domain).
    saturated : tuple
        ``(lo, hi)`` of the scanned range where a technique is saturated or does
        not apply (masked), or ``()``.
    note : str
        What happened, in words.
    """

    a: str
    b: str
    parameter: str
    metric: str
    roots: tuple
    status: str
    method: str
    unit: str = ""
    below: str | None = None
    above: str | None = None
    expression: tuple = ()
    symbol: object = None
    bounds: tuple = (None, None)
    saturated: tuple = ()
    note: str = ""
    models: dict = field(default=None, repr=False, compare=False)

    @property
    def value(self):
        """The break-even value when there is exactly one, else None."""
        return self.roots[0] if self.status == "one" else None

    def latex(self) -> str:
        """The closed form as LaTeX (``x = ...``; several branches joined), or the number."""
        import sympy as sp

        from ..symbols import latex_names

        if not self.expression:
            return ", ".join(f"{r:.6g}" for r in self.roots) or r"\text{no crossing}"
        lhs = sp.latex(self.symbol, symbol_names=latex_names()) + r"^{*}"
        rhs = [sp.latex(e, symbol_names=latex_names()) for e in self.expression]
        return lhs + " = " + r",\quad ".join(rhs)

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"

    def __repr__(self):
        head = f"BreakEven({self.parameter} where {self.a} = {self.b} on {self.metric}: "
        if self.status == "none":
            body = "no crossing"
        else:
            body = ", ".join(f"{r:.6g}" for r in self.roots) + (f" {self.unit}" if self.unit else "")
        side = f"; {self.below} better below, {self.above} above" if self.status == "one" else ""
        return head + body + f" ({self.method}){side})" + (f"\n  note: {self.note}" if self.note else "")


def break_even(a, b, parameter, metric, *, workload, platform=None, bounds=None, over=None, keep=None,
               method="auto", **fixed):
    """The value of ``parameter`` where techniques ``a`` and ``b`` give the same ``metric``.

    Solves :math:`M_a(x) = M_b(x)` for :math:`x` = ``parameter`` with every
    other parameter at the model's value (or ``fixed``): in closed form when
    the difference is a rational function whose numerator is a polynomial of
    degree <= 4 in :math:`x` (SymPy, radicals), else by scanning ``bounds`` on
    a grid (2,001 points, linear and geometric) and refining each sign change
    with Brent's method. Roots where either technique is saturated (or past
    the SR-IOV VF limit) do not count; a tangential root without a sign change
    is missed by the numeric search.

    Parameters
    ----------
    a, b : str or Technique
        The two techniques (names of :func:`virtmodel.techniques.get` or objects).
    parameter : str
        The parameter solved for (any workload, platform or technique parameter).
    metric : str
        A numeric metric of :func:`virtmodel.model.metric_names`.
    workload : str or Workload
    platform : Platform, optional
    bounds : (float, float), optional
        Range to search. Default: the parameter's domain for a closed form;
        for a numeric root ``[0, 100 x the current value]`` (``[0, 1]`` for
        fractions; up to the larger throughput limit for ``arrival_rate``).
    over : dict, optional
        ``{name: 1-D values}`` of a second parameter: returns a curve (see Returns).
    keep : list of str, optional
        Parameters kept symbolic in the closed form (shown by ``latex()``);
        the roots are still evaluated at the model's values.
    method : {"auto", "closed form", "numeric root"}
        Force one method ("closed form" raises ParameterError when there is none).
    **fixed
        Other parameters set to scalars for both techniques (where they have them).

    Returns
    -------
    BreakEven or xarray.Dataset
        A :class:`BreakEven` result; with ``over``, an :class:`xarray.Dataset`
        over the second parameter with ``break_even`` (the lowest root, NaN
        where none), ``n_roots`` and ``status`` per value, and attrs
        ``parameter``, ``metric``, ``method``, ``below``, ``above``, ``unit``.

    Raises
    ------
    ParameterError
        Unknown names (with close matches), identical techniques, ``over`` on
        the solved parameter, or ``method="closed form"`` without one.

    Examples
    --------
    >>> r = break_even("hardware_assist", "binary_translation", "exit_cycles", "cpu_per_request",
    ...                workload="syscall_heavy")
    >>> r.method, r.status
    ('closed form', 'one')

    References
    ----------
    O. Agesen, J. Mattson, R. Rugina, J. Sheldon, "Software techniques for
    avoiding hardware virtualization exits", USENIX ATC 2012 (exit cost vs
    binary translation).
    """
    from ..techniques import get
    from ._break_even_solve import Problem

    ta, tb = (get(check_name("technique", t, technique_names())) if isinstance(t, str) else get(t) for t in (a, b))
    if ta == tb:
        raise ParameterError("b", b, f"a technique different from a = {a!r}",
                             "identical techniques: a break-even between them is everywhere or nowhere")
    models = make_models([ta, tb], workload, platform)
    metric = check_metric(metric, models)
    check_parameters([parameter, *(keep or []), *(over or {}), *fixed], models)
    if method not in ("auto", CLOSED, NUMERIC):
        raise ParameterError("method", method, f"'auto', {CLOSED!r} or {NUMERIC!r}")
    for name, value in fixed.items():
        if np.ndim(value):
            raise ParameterError(name, value, "a scalar", "use over= for a curve")
    problem = Problem(models, parameter, metric, fixed, bounds, list(keep or []), method)
    if over is None:
        return problem.point()
    if not isinstance(over, dict) or len(over) != 1:
        raise ParameterError("over", over, "a dict {parameter: 1-D values} with one entry")
    (name, values), = over.items()
    if name == parameter:
        raise ParameterError("over", name, f"a parameter other than {parameter!r}")
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ParameterError("over", f"shape {values.shape}", "1-D values")
    return problem.curve(name, values)


def better(metric, va, vb, a, b):
    """Which of ``a``/``b`` is better at values ``va``/``vb``, elementwise (NaN/inf: not served, worse)."""
    sign = -1.0 if metric in HIGHER_IS_BETTER else 1.0
    va, vb = (np.where(np.isfinite(v), sign * np.asarray(v, float), np.inf) for v in (va, vb))
    return np.where(va <= vb, a, b)


__all__ = ["CLOSED", "NUMERIC", "BreakEven", "better", "break_even"]
