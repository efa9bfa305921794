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
from ..symbols import info, latex_names, symbol
from ..techniques import get
from ._common import (
    HIGHER_IS_BETTER,
    check_metric,
    check_name,
    check_parameters,
    evaluate,
    make_models,
    technique_names,
)
from ._roots import TIE_RTOL, brackets, brent_roots, illinois, scan_grid, ties, touches
from ._symbolic import closed_form

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
    fixed: dict = field(default=None, repr=False, compare=False)

    @property
    def value(self):
        """The break-even value when there is exactly one, else None."""
        return self.roots[0] if self.status == "one" else None

    def latex(self) -> str:
        """The closed form as LaTeX (``x = ...``; several branches joined), or the number."""
        import sympy as sp

        if not self.expression:
            return ", ".join(f"{r:.6g}" for r in self.roots) or r"\text{no crossing}"
        lhs = sp.latex(self.symbol, symbol_names=latex_names()) + r"^{*}"
        rhs = [sp.latex(e, symbol_names=latex_names()) for e in self.expression]
        return lhs + " = " + r",\quad ".join(rhs)

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex()}$"

    def curves(self, points: int = 400):
        """Both techniques' metric over the parameter around the crossing (what :meth:`plot` draws).

        Returns ``(x, {label: values})``: ``points`` values of the parameter over the
        searched range (0 to twice the largest root when the range is open), the
        metric of each technique there (NaN where saturated or not applicable).
        """
        lo, hi = self.bounds
        top = max(self.roots) * 2 if self.roots else None
        lo = 0.0 if lo is None or not np.isfinite(lo) else float(lo)
        hi = float(hi) if hi is not None and np.isfinite(hi) else (top or 1.0)
        x = np.linspace(lo, hi, int(points))
        out = {}
        for label, model in self.models.items():
            values = np.asarray(evaluate(model, self.metric, {**(self.fixed or {}), self.parameter: x}), float)
            out[label] = np.where(np.isfinite(values), values, np.nan)
        return x, out

    def plot(self, ax=None, **kwargs):
        """The two techniques' metric against the parameter, the break-even marked
        (:func:`virtmodel.plotting.break_even_point_plot`)."""
        from ..plotting.breakeven import break_even_point_plot

        return break_even_point_plot(self, ax, **kwargs)

    def __repr__(self):
        head = f"BreakEven({self.parameter} where {self.a} = {self.b} on {self.metric}: "
        if self.status == "none":
            body = "no crossing"
        else:
            body = ", ".join(f"{r:.6g}" for r in self.roots) + (f" {self.unit}" if self.unit else "")
        side = f"; {self.below} better below, {self.above} above" if self.status == "one" else ""
        return head + body + f" ({self.method}){side})" + (f"\n  note: {self.note}" if self.note else "")


def break_even(a, b, parameter, metric, *, workload, platform=None, bounds=None, over=None, keep=None,
               method="auto", uncertainty=None, **fixed):
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
    uncertainty : True, int or dict, optional
        Also the break-even over the costs' uncertainty (True; a number of
        samples; or ``{"samples", "seed", "ranges", "level"}``): returns a
        :class:`~virtmodel.analysis.break_even_band.BreakEvenBand` (the interval
        and the share of draws where the break-even exists; not with ``over``).
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
    if uncertainty is not None:
        if over is not None:
            raise ParameterError("uncertainty", uncertainty, "None with over= (a band of one break-even only)")
        from .break_even_band import break_even_band

        return break_even_band(problem, problem.point(), uncertainty)
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



# -- the search: two models, the difference g = M_a - M_b, bounds, roots -----------------------
#: lowest value searched by default; a ``real`` parameter (a saving, as binary translation's
#: register writes) is searched from 0 unless the caller gives bounds below it
_LOWER = {"positive": 0.0, "nonnegative": 0.0, "fraction": 0.0, "count": 1.0, "count0": 0.0, "real": 0.0}
_FLOOR = {**_LOWER, "real": -np.inf}


class Problem:
    """Two models, a metric, the unknown parameter and the fixed values."""

    def __init__(self, models, parameter, metric, fixed, bounds, keep, method):
        (self.la, self.ma), (self.lb, self.mb) = models.items()
        self.models, self.parameter, self.metric, self.fixed = models, parameter, metric, dict(fixed)
        self.keep, self.method, self.info = keep, method, info(parameter)
        self.integer = self.info.domain in ("count", "count0")
        owner = self.ma if parameter in self.ma.values() else self.mb
        self.typical = float(fixed.get(parameter, owner.values()[parameter]))
        self.user_bounds = bounds is not None
        self.bounds = self._bounds(bounds)

    # -- evaluation ---------------------------------------------------------
    def values(self, model, x, extra=None):
        """The metric of one model at ``parameter = x`` (arrays broadcast with ``extra``)."""
        return evaluate(model, self.metric, {**self.fixed, **(extra or {}), self.parameter: x})

    def g(self, x, extra=None):
        """:math:`M_a - M_b` (NaN where either is not finite; 0 where they are equal to rounding)."""
        va, vb = self.values(self.ma, x, extra), self.values(self.mb, x, extra)
        with np.errstate(invalid="ignore"):
            d = np.where(np.isfinite(va) & np.isfinite(vb), va - vb, np.nan)
            return np.where(np.abs(d) <= TIE_RTOL * np.maximum(np.abs(va), np.abs(vb)), 0.0, d)

    def _bounds(self, bounds):
        if bounds is not None:
            try:
                lo, hi = (float(v) for v in bounds)
            except (TypeError, ValueError):
                raise ParameterError("bounds", bounds, "a pair (lo, hi) of numbers") from None
            if not lo < hi:
                raise ParameterError("bounds", bounds, "(lo, hi) with lo < hi")
            if lo < _FLOOR[self.info.domain] or (self.info.domain == "fraction" and hi > 1):
                raise ParameterError("bounds", bounds, f"inside the domain of {self.parameter} ({self.info.domain})")
            return lo, hi
        lo = _LOWER[self.info.domain]
        if self.info.domain == "fraction":
            return lo, 1.0
        hi = 100 * abs(self.typical) if self.typical != 0 else 1.0
        if self.parameter == "arrival_rate":
            hi = max(float(np.max(evaluate(m, "throughput_limit", self.fixed))) for m in (self.ma, self.mb))
        return lo, max(hi, lo + 1)

    def in_range(self, r):
        lo, hi = self.bounds if self.user_bounds else (_FLOOR[self.info.domain], np.inf)
        if self.info.domain == "fraction":
            hi = min(hi, 1.0)
        ok = (r >= lo) & (r <= hi)
        return ok & (r > 0) if self.info.domain == "positive" else ok

    def _at(self, r):
        """A valid parameter value near ``r`` (integers for counts)."""
        return np.ceil(r) if self.integer else r

    def sides(self, root, extra=None):
        """``(below, above)``: the better technique just below and above ``root``
        (``below`` is None at the lower edge of the parameter's domain: nothing lies below)."""
        edge = root <= _LOWER[self.info.domain] if self.info.domain != "real" else False
        if self.integer:
            lo, hi = np.floor(root), np.ceil(root)
            lo, hi = (lo - 1, hi + 1) if lo == hi else (lo, hi)
            lo = max(lo, _LOWER[self.info.domain])
        else:
            h = 1e-4 * max(abs(root), 1e-6 * (self.bounds[1] - self.bounds[0]))
            lo, hi = max(root - h, min(_FLOOR[self.info.domain], 0.0)), root + h
        out = [str(better(self.metric, self.values(self.ma, x, extra), self.values(self.mb, x, extra),
                          self.la, self.lb)) for x in (lo, hi)]
        return (None if edge else out[0]), out[1]

    def _probe(self):
        """Where to say which technique is better when they never cross: the finite grid point
        nearest the middle of the range (or the current value)."""
        grid = scan_grid(*self.bounds, 201, self.typical, self.integer)
        values = self.g(grid)
        ok = grid[np.isfinite(values) & (values != 0)]
        if not ok.size and (values == 0).any():
            return None  # equal wherever both are finite
        return float(ok[np.argmin(np.abs(ok - 0.5 * sum(self.bounds)))]) if ok.size else self.typical

    # -- one point ----------------------------------------------------------
    def point(self) -> BreakEven:
        cf = None if self.method == NUMERIC else closed_form(self.ma, self.mb, self.metric, self.parameter,
                                                             tuple(self.keep), self.fixed)
        if cf is None and self.method == CLOSED:
            raise ParameterError("method", CLOSED, "possible only when SymPy finds a closed form",
                                 f"{self.metric} is not a low-degree rational function of {self.parameter}")
        if cf is not None:
            return self._closed_point(cf)
        return self._numeric_point()

    def _closed_point(self, cf):
        import sympy as sp

        if cf.identical:
            return self._result((), CLOSED, note=f"{self.la} and {self.lb} give the same {self.metric} "
                                "for every value (no isolated crossing)")
        subs = {symbol(n): v for n, v in ((n, self.fixed.get(n, {**self.mb.values(), **self.ma.values()}[n]))
                                          for n in self.keep)}
        den = sp.lambdify(cf.x, cf.denominator.xreplace(subs), "numpy")
        roots = []
        for expr in cf.roots:
            z = complex(sp.N(expr.xreplace(subs), 30))
            r = z.real
            if abs(z.imag) > 1e-9 * max(abs(r), 1e-300) or not self.in_range(r) or den(r) == 0:
                continue
            if np.isfinite(self.values(self.ma, self._at(r))) and np.isfinite(self.values(self.mb, self._at(r))):
                roots.append(float(r))
        roots = sorted(set(roots))
        return self._result(roots, CLOSED, expression=cf.roots, symbol=cf.x,
                            bounds=self.bounds if self.user_bounds else (_LOWER[self.info.domain], None))

    def _numeric_point(self):
        grid = scan_grid(*self.bounds, SCAN_POINTS, self.typical, self.integer)
        values = self.g(grid)
        if self.integer:
            roots = sorted(interpolated(grid[:, None], values[:, None], *brackets(values[:, None])))
            note = "integer parameter: crossing interpolated between neighbouring integers" if roots else ""
        else:
            roots = brent_roots(lambda x: float(self.g(x)), grid, values)
            note = ""
        touched = grid[touches(values[:, None])[:, 0]]
        if touched.size:
            note = self._touch_note(note, touched)
        tied = grid[ties(values)]
        if tied.size:
            note = (note + "; " if note else "") + (f"equal (to {TIE_RTOL:g} relative) for {self.parameter} "
                                                    f"in [{tied.min():.6g}, {tied.max():.6g}]: a tie, not a crossing")
        masked = grid[~np.isfinite(values)]
        saturated = (float(masked.min()), float(masked.max())) if masked.size else ()
        if saturated:
            note = (note + "; " if note else "") + (f"{self.parameter} in [{saturated[0]:.6g}, {saturated[1]:.6g}] "
                                                    "masked: a technique is saturated or does not apply there")
        return self._result(roots, NUMERIC, bounds=self.bounds, saturated=saturated, note=note)

    def _touch_note(self, note, xs):
        return (note + "; " if note else "") + ("equal at " + ", ".join(f"{self.parameter} = {x:.6g}" for x in xs)
                                                + " without a change of winner (a touch, not a crossing)")

    def _result(self, roots, method, note="", **kw):
        sides = {r: self.sides(r) for r in roots}
        touched = [r for r, (below, above) in sides.items() if below is None or below == above]
        if touched:  # equal there, but the same technique is better on both sides (or on the only side)
            roots = [r for r in roots if r not in touched]
            note = self._touch_note(note, touched)
        status = {0: "none", 1: "one"}.get(len(roots), "several")
        below = above = None
        if status == "one":
            below, above = sides[roots[0]]
        elif status == "none" and "for every value" not in note:
            mid = self._probe()
            if mid is None:
                note = (note + "; " if note else "") + "no crossing: the two are equal wherever both are finite"
            else:
                below = above = str(better(self.metric, self.values(self.ma, mid), self.values(self.mb, mid),
                                           self.la, self.lb))
                note = (note + "; " if note else "") + (f"no crossing in the range: {below} is better at "
                                                        f"{self.parameter} = {mid:.6g}")
        return BreakEven(self.la, self.lb, self.parameter, self.metric, tuple(float(r) for r in roots), status,
                         method, self.info.unit, below, above, note=note, models=self.models, fixed=self.fixed,
                         **kw)

    # -- a curve over a second parameter --------------------------------------
    def curve(self, name, ys):
        cf = None if self.method == NUMERIC else closed_form(self.ma, self.mb, self.metric, self.parameter,
                                                             (name,), self.fixed)
        if cf is None and self.method == CLOSED:
            raise ParameterError("method", CLOSED, "possible only when SymPy finds a closed form")
        if cf is not None and not cf.identical:
            roots, method = self._closed_curve(cf, name, ys), CLOSED
        else:
            roots, method = self._numeric_curve(name, ys), NUMERIC
        return self._dataset(name, ys, roots, method)

    def _closed_curve(self, cf, name, ys):
        import sympy as sp

        from ..model._numeric_modules import numeric_modules

        y = symbol(name)
        modules = numeric_modules((*cf.coefficients, cf.denominator))
        fns = [sp.lambdify(y, c, modules) for c in cf.coefficients]
        with np.errstate(all="ignore"):
            c = [np.broadcast_to(np.asarray(f(ys), dtype=float), ys.shape) for f in fns]
            if len(c) == 1:  # the numerator does not depend on the parameter: no crossing
                cand = [np.full(ys.shape, np.nan)]
            elif len(c) == 2:
                cand = [-c[1] / c[0]]
            else:
                disc = c[1] ** 2 - 4 * c[0] * c[2]
                q = -0.5 * (c[1] + np.copysign(np.sqrt(np.where(disc >= 0, disc, np.nan)), c[1]))
                cand = [q / c[0], c[2] / q]
            den = sp.lambdify((cf.x, y), cf.denominator, modules)
            rows = []
            for r in cand:
                ok = np.isfinite(r) & self.in_range(r)
                ok &= np.asarray(den(np.where(ok, r, 1.0), ys)) != 0
                safe = np.where(ok, self._at(r), self.typical)
                ok &= np.isfinite(self.g(safe, {name: ys}))
                rows.append(np.where(ok, r, np.nan))
        return np.sort(np.stack(rows), axis=0)

    def _numeric_curve(self, name, ys):
        grid = scan_grid(*self.bounds, CURVE_SCAN_POINTS, self.typical, self.integer)
        values = self.g(grid[:, None], {name: ys[None, :]})
        i, j, zero = brackets(values)
        if self.integer:
            found = interpolated(np.broadcast_to(grid[:, None], values.shape), values, i, j, zero)
        else:
            found = illinois(lambda c, act: self.g(c, {name: ys[j[act]]}), grid[i], grid[i + 1],
                             values[i, j], values[i + 1, j])
        cols = np.concatenate([j, np.nonzero(zero)[1]])
        found = np.concatenate([np.asarray(found, float)[:len(i)], np.broadcast_to(grid[:, None], values.shape)[zero]])
        depth = np.bincount(cols, minlength=ys.size).max(initial=0)
        out = np.full((max(depth, 1), ys.size), np.nan)
        order = np.lexsort((found, cols))
        cols, found = cols[order], found[order]
        rank = np.arange(cols.size) - np.searchsorted(cols, cols)
        out[rank, cols] = found
        return out

    def _dataset(self, name, ys, roots, method):
        import xarray as xr

        n = np.sum(np.isfinite(roots), axis=0)
        status = np.array(["none", "one", "several"])[np.minimum(n, 2)]
        first = roots[0]
        k = np.flatnonzero(n == 1)
        below, above = self.sides(first[k[0]], {name: ys[k[0]]}) if k.size else (None, None)
        attrs = {"parameter": self.parameter, "metric": self.metric, "method": method, "a": self.la, "b": self.lb,
                     "unit": self.info.unit, "long_name": f"break-even {self.parameter}",
                     "bounds": str(self.bounds)}
        attrs.update({k2: v for k2, v in (("below", below), ("above", above)) if v is not None})
        coords = {name: xr.Variable(name, ys, {"units": info(name).unit, "long_name": info(name).description})}
        ds = xr.Dataset({"break_even": (name, first, attrs),
                         "n_roots": (name, n), "status": (name, status),
                         "roots": (("root", name), roots)}, coords=coords, attrs=attrs)
        return ds


def interpolated(grid, values, i, j, zero):
    """Crossings between integer grid neighbours by linear interpolation (plus exact zeros)."""
    xa, xb, fa, fb = grid[i, j], grid[i + 1, j], values[i, j], values[i + 1, j]
    return list(xa - fa * (xb - xa) / (fb - fa)) + list(grid[zero])


__all__ = ["CLOSED", "NUMERIC", "BreakEven", "better", "break_even"]
