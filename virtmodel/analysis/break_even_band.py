"""The break-even with its band: where two techniques tie, over the parameters' uncertainty.

For every draw of the uncertain costs (common random numbers across the two
techniques, :mod:`._draws`) the lowest root of g(x) = M_a(x) - M_b(x) in the
searched range is found: both metrics over a scan grid of x for all draws at
once (one compiled call per technique, an array draws x grid), the first sign
change of g per draw, then vectorized Illinois regula falsi on every bracket
together (:func:`._roots.illinois`). A draw without a sign change in the range
has no break-even (a tangential touch is missed, as in the numeric search of
:func:`.break_even.break_even`). Reported: the share of draws with a
break-even, the central interval of the roots among them, and the nominal
break-even (:class:`.break_even.BreakEven`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._common import evaluate
from ._draws import common_draws, spec
from ._roots import illinois, scan_grid

#: scan points of the parameter per draw (the draws x grid array is evaluated at once)
GRID_POINTS = 200


@dataclass(frozen=True)
class BreakEvenBand:
    """Outcome of ``break_even(..., uncertainty=...)``.

    Attributes
    ----------
    nominal : BreakEven
        The break-even at the presets' values.
    roots : numpy.ndarray
        The lowest break-even of every draw (NaN: none in the range).
    exists : float
        Share of draws with a break-even in the range.
    low, high : float
        The central ``level`` interval of the roots among the draws that have one (NaN if none).
    level : float
    bounds : tuple
        The range searched.
    """

    nominal: object
    roots: np.ndarray
    exists: float
    low: float
    high: float
    level: float
    bounds: tuple

    @property
    def value(self):
        """The nominal break-even (None when there is not exactly one)."""
        return self.nominal.value

    def __repr__(self):
        n = self.nominal
        return (f"BreakEvenBand({n.parameter} of {n.a} vs {n.b} on {n.metric}: nominal {n.value!r}; "
                f"{self.level:.0%} interval {self.low:.6g} .. {self.high:.6g}{' ' + n.unit if n.unit else ''}; "
                f"break-even in {self.exists:.1%} of {self.roots.size} draws)")

    def _repr_html_(self):
        from html import escape

        return f"<p>{escape(repr(self))}</p>"


def break_even_band(problem, nominal, uncertainty) -> BreakEvenBand:
    """The band of a :class:`.break_even.Problem` (see the module docstring)."""
    s = spec(uncertainty)
    models = (problem.ma, problem.mb)
    draws = common_draws(models, s["samples"], s["seed"], s["ranges"], exclude={problem.parameter, *problem.fixed})
    grid = scan_grid(*problem.bounds, GRID_POINTS, problem.typical, problem.integer)

    def g(x, rows):
        """M_a - M_b at x (one per row) for the draws ``rows`` (NaN where either is not finite)."""
        va, vb = (np.asarray(evaluate(m, problem.metric, {**problem.fixed, **{n: v[rows][:, None] for n, v in d.items()},
                                                          problem.parameter: x}), dtype=float)
                  for m, d in zip(models, draws))
        with np.errstate(invalid="ignore"):
            return np.where(np.isfinite(va) & np.isfinite(vb), va - vb, np.nan)

    every = np.ones(s["samples"], dtype=bool)
    values = np.broadcast_to(g(grid[None, :], every), (s["samples"], grid.size))
    sign = np.sign(values)
    change = (sign[:, :-1] * sign[:, 1:] < 0) | ((sign[:, :-1] == 0) & np.isfinite(values[:, 1:]))
    has = change.any(axis=1)
    first = np.argmax(change, axis=1)
    roots = np.full(s["samples"], np.nan)
    if has.any():
        rows = np.flatnonzero(has)
        i = first[rows]
        exact = values[rows, i] == 0
        a, b = grid[i], grid[i + 1]
        fa, fb = values[rows, i], values[rows, i + 1]
        found = np.where(exact, a, np.nan)
        todo = ~exact
        if todo.any():
            sub = rows[todo]
            found[todo] = illinois(lambda x, act: g(x[:, None], sub[act])[:, 0], a[todo], b[todo], fa[todo], fb[todo])
        roots[rows] = np.ceil(found) if problem.integer else found
    ok = roots[np.isfinite(roots)]
    q = (1 - s["level"]) / 2
    low, high = (np.quantile(ok, [q, 1 - q]) if ok.size else (np.nan, np.nan))
    return BreakEvenBand(nominal, roots, float(has.mean()), float(low), float(high), s["level"], problem.bounds)
