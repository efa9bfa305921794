"""Win regions with their uncertainty: where the winner changes within the costs' spread.

For every draw of the uncertain costs (common random numbers across the
techniques, :mod:`._draws`) the winner is found at every grid point as in
:func:`.regions.win_regions` (the feasible technique with the best metric;
saturated, not applicable or constraint-violating techniques are not feasible):
each technique is evaluated once over an array draws x y x x. A grid cell is
*uncertain* when the nominal winner wins in fewer than ``level`` of the draws
(by default 90%): within the uncertainty, another technique (or none) wins
there often enough to matter.
"""

from __future__ import annotations

import numpy as np

from ._common import evaluate
from ._draws import common_draws, spec


def add_band(ds, models, metric, grid, rules, minimize, uncertainty, fixed):
    """``ds`` (a :func:`.regions.win_regions` Dataset) with ``win_share`` and ``uncertain`` added.

    ``win_share`` (technique, y, x): share of draws each technique wins;
    ``none_share`` (y, x): share of draws no technique is feasible; ``uncertain``
    (y, x): the nominal winner's share (or, where none wins nominally, the
    share with no winner) below ``level``. Attrs ``samples``, ``level``, ``seed``.
    """
    s = spec(uncertainty)
    n = s["samples"]
    draws = common_draws(list(models.values()), n, s["seed"], s["ranges"], exclude=set(grid) | set(fixed))
    shape = (n,) + ds["winner"].shape
    score = np.empty((len(models),) + shape)
    for k, (model, d) in enumerate(zip(models.values(), draws)):
        values = {**grid, **{name: v[:, None, None] for name, v in d.items()}}
        v = np.broadcast_to(np.asarray(evaluate(model, metric, values), dtype=float), shape)
        ok = np.isfinite(v)
        for name, op, bound in rules:
            w = v if name == metric else np.broadcast_to(np.asarray(evaluate(model, name, values), float), shape)
            with np.errstate(invalid="ignore"):
                ok &= op(w, bound)
        score[k] = np.where(ok, v if minimize else -v, np.inf)
    best = np.argmin(score, axis=0)
    feasible = np.isfinite(np.min(score, axis=0))
    winner = np.where(feasible, best, -1)
    share = np.stack([(winner == k).mean(axis=0) for k in range(len(models))])
    none = (winner == -1).mean(axis=0)
    nominal = ds["winner"].values
    own = np.where(nominal >= 0, np.take_along_axis(share, np.maximum(nominal, 0)[None], 0)[0], none)
    dims, tdims = ds["winner"].dims, ("technique",) + ds["winner"].dims
    return ds.assign(
        win_share=(tdims, share, {"long_name": "share of draws each technique wins", "units": "1"}),
        none_share=(dims, none, {"long_name": "share of draws no technique is feasible", "units": "1"}),
        uncertain=(dims, own < s["level"], {"long_name": f"nominal winner wins in fewer than {s['level']:.0%} of draws"}),
    ).assign_attrs(samples=n, level=s["level"], seed=s["seed"])
