"""Latency curves with their uncertainty: a band per technique over the costs' spread.

For every draw of the uncertain costs (common random numbers across the
techniques, :mod:`._draws`: two techniques that share a cost see the same
value draw by draw) each technique's metric is evaluated over the whole load
grid at once (one compiled call per technique, an array draws x grid, whose
first row holds the nominal values: the technique's curve). The band
at a load is the central ``level`` interval of the draws there
(:func:`._draws.central_interval`, sample quantiles without interpolation).

Assumptions: the laws are the presets' ranges (:mod:`.parameter_ranges`) or
the ``ranges`` given, independent per parameter; the load axis is not drawn
(on the utilization axis each technique's arrival rates are its *nominal*
throughput limit times the utilization, so draws with a lower limit saturate
before :math:`\\rho = 1`). A saturated draw is ``inf``: the upper bound is
``inf`` where more than :math:`(1 - \\text{level})/2` of the draws saturate
(the band then reaches the top of the plot), and the band ends (NaN) where
even the lower bound saturates. ``band_saturated`` is the share of draws
saturated at each point. Loads above every draw's throughput limit are not
evaluated: every draw is ``inf`` there (:func:`_below_every_limit`).
"""

from __future__ import annotations

import numpy as np

from .._remember import remember
from ._common import evaluate, own
from ._draws import central_interval, common_draws, spec


def drawn_rows(models, overrides, uncertainty):
    """``(spec, rows, limits)``: the band's draws of each model and their throughput limits.

    ``rows[k]`` is ``{parameter: array}`` of model ``k``'s drawn parameters with the nominal
    value as row 0 and the draws as rows 1 to n (:func:`.spec`'s ``samples``); ``limits[k]`` is
    its ``throughput_limit`` on every row (one call per model): row 0 is the nominal limit, the
    curve's own (every operation is element-wise), so a caller needs no second call for it.
    """
    s = spec(uncertainty)
    exclude = frozenset({"arrival_rate", *overrides})
    draws = _preset_draws(tuple(models), s["samples"], s["seed"], exclude) if s["ranges"] is None else \
        common_draws(models, s["samples"], s["seed"], s["ranges"], exclude=exclude)
    rows, limits = [], []
    for model, d in zip(models, draws):
        nominal = model.values()
        own_rows = {name: np.concatenate(([nominal[name]], v)) for name, v in d.items()}   # row 0: the curve
        rows.append(own_rows)
        limit = np.asarray(evaluate(model, "throughput_limit", {**overrides, **own_rows}), dtype=float)
        limits.append(np.broadcast_to(limit, (s["samples"] + 1,)))
    return s, rows, limits


def curves_and_bands(models, metric, rates, drawn, overrides, dims):
    """``(values, {name: (dims, values, attrs)}, attrs)``: each technique's curve (technique, x), as
    :func:`.curves._curve` gives it, and ``band_low``, ``band_high`` and ``band_saturated`` over
    ``dims`` (technique, x) for a :func:`.curves.latency_curves` Dataset, with its attrs
    ``band_level``, ``band_samples``, ``band_seed``.

    ``rates`` is the (technique, x) array of arrival rates, ``drawn`` what :func:`drawn_rows`
    gives. A technique's curve and its draws are one evaluation: the nominal values are row 0 of
    the drawn parameters, the draws rows 1 to n (every operation is element-wise, so row 0 is the
    curve's own numbers; one call per technique instead of two). Row 0 is kept where the curve is
    evaluated (:func:`.curves.curve_live`), ``inf`` past it as on its own.
    """
    from .curves import curve_live

    s, drawn_params, drawn_limits = drawn
    n = s["samples"]
    curves = np.full(rates.shape, np.inf)
    low, high = np.full(rates.shape, np.inf), np.full(rates.shape, np.inf)
    saturated = np.ones(rates.shape)
    for k, (model, rows, limits) in enumerate(zip(models, drawn_params, drawn_limits)):
        on_curve = curve_live(model, overrides, rates[k], limits[0])
        live = _below_every_limit(model, limits, overrides, rates[k], n + 1) | on_curve
        if not live.any():      # every load past every draw's limit: the band is known
            continue
        values = {**overrides, **{name: v[:, None] for name, v in rows.items()}, "arrival_rate": rates[k][live][None, :]}
        v = np.broadcast_to(np.asarray(evaluate(model, metric, values), dtype=float), (n + 1, int(live.sum())))
        curves[k, on_curve] = v[0, on_curve[live]]
        low[k, live], high[k, live] = central_interval(v[1:], s["level"])
        saturated[k, live] = np.isinf(v[1:]).mean(axis=0)
    level = f"{s['level']:.0%}"
    return (curves,
            {"band_low": (dims, np.where(np.isinf(low), np.nan, low),
                          {"long_name": f"lower end of the central {level} interval over the draws"}),
             "band_high": (dims, np.where(np.isnan(low) | np.isinf(low), np.nan, high),
                           {"long_name": f"upper end of the central {level} interval (inf: beyond every finite value)"}),
             "band_saturated": (dims, saturated, {"long_name": "share of draws saturated", "units": "1"})},
            {"band_level": s["level"], "band_samples": n, "band_seed": s["seed"]})


@remember(maxsize=8)
def _preset_draws(models, samples, seed, exclude):
    """:func:`._draws.common_draws` over the presets' ranges, remembered for the last few model sets
    (a slider move of the dashboard draws the same numbers again: same models, seed and names);
    read-only arrays, shared between calls."""
    return tuple({name: _frozen(v) for name, v in d.items()}
                 for d in common_draws(models, samples, seed, None, exclude=exclude))


def _frozen(array):
    array.flags.writeable = False      # shared between calls: nobody may change it
    return array


def _below_every_limit(model, limits, overrides, rates, samples):
    """Mask of the ``rates`` (ascending) not above every draw's throughput limit (the columns worth
    evaluating); ``limits``: the draws' limits (:func:`drawn_rows`), ``samples``: their number.

    Past its throughput limit :math:`X_{\\max}` a draw is saturated (``inf``) at every load, so
    where ``rates`` exceed the largest drawn limit (:func:`.curves.below_limit`) every draw is
    ``inf``: the band there is known (both ends ``inf``, share saturated 1). A NaN limit (a
    technique that does not apply) or a closed model (no throughput limit in the load) evaluates all.
    The mask keeps at least the first ``FAST_MIN_SIZE / samples`` columns when the whole grid has
    that many points: percentiles then take the same (interpolated) inverse as on the whole grid,
    so the band's numbers do not depend on the cut (and a smaller array would take the exact
    inverse, which costs more per point than the columns saved).
    """
    from ..model.closed import is_closed
    from ..queueing._percentiles import FAST_MIN_SIZE
    from .curves import below_limit

    everywhere = np.ones(rates.shape, dtype=bool)
    if is_closed({**model.values(), **own(model, overrides)}):
        return everywhere
    live = below_limit(rates, np.max(limits))
    if live.sum() * samples < FAST_MIN_SIZE <= rates.size * samples:
        live[:-(-FAST_MIN_SIZE // samples)] = True
    return live
