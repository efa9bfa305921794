"""Numeric evaluation of several open-model metrics in one compiled pass.

:func:`evaluate_metrics` compiles, once per technique structure and set of
requested metrics, one fused bundle holding the symbolic metrics and the
station terms they need (utilizations, per-station response variances, the
queueing part of the mean latency, capacities); common subexpressions (the
stations' loads, Erlang C of the host, the response times) are computed once
(:mod:`._compile`). Then, numerically:

- saturation: ``inf`` where a station on the path (for ``overhead`` also the
  native path) has utilization >= 1 or NaN (the fused kernel writes it in its own
  pass where it checks every one of those utilizations; else a pass afterwards); with
  ``errors=True`` and scalar input an :class:`~virtmodel.errors.UnstableError` naming the most loaded
  station instead (the only place that station is looked up);
- ``latency_variance``: the per-station variances summed, a station with no
  work counting 0 (its expression is 0/0 there);
- ``p50``/``p95``/``p99`` and any other percentile (``p99.9``,
  :mod:`virtmodel.percentile_names`): one gamma fit of the queueing time for all of
  them (:func:`virtmodel.queueing._percentiles.gamma_quantiles`), plus the
  delay, in one numba pass for large arrays where the fused kernels are used
  (:mod:`virtmodel.queueing._percentile_kernel`); one compiled bundle serves every set of percentiles;
- ``bottleneck``: the station of smallest capacity.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..errors import ParameterError, UnstableError
from ..percentile_names import percentile_level
from . import kernels

#: how the fused bundle's key names "one or more percentiles" (one bundle for p50, p99.9, ...)
ANY_PERCENTILE = "p*"


class Fused:
    """A compiled bundle with named outputs (see :func:`fused`)."""

    def __init__(self, keys, exprs):
        from ._compile import compiled

        self.keys = tuple(keys)
        self.bundle = compiled(tuple(exprs))
        self.index = {k: i for i, k in enumerate(self.keys)}

    def run(self, values, checked=(), into=None, masked=None, flags=True) -> tuple:
        """``(outputs, owned, shape, done)`` by key, unbroadcast (:meth:`Compiled.run`).

        ``checked``: keys (utilizations) needed only compared with ``1 - RHO_EDGE``: when
        the fused kernel runs they are left out of ``outputs`` if every one is below it at
        every point, else they are boolean arrays ``rho < 1 - RHO_EDGE``; on the NumPy path
        they are in full (:func:`_stable` reads either).
        ``into``: ``{key: array}`` to write outputs into where the fused kernel can
        (:meth:`Compiled.run`'s ``out``).
        ``masked``: ``{key: [utilization keys]}``, outputs to be ``inf`` where one of those (all
        in ``checked``) is not below ``1 - RHO_EDGE``; ``done`` the keys the fused kernel so
        masked in its own pass (the caller masks the others, :func:`_masked`).
        ``flags``: False when ``checked`` is read only to mask ``masked`` (:meth:`Compiled.run`).
        """
        index = self.index
        guards = tuple((index[k], tuple(index[g] for g in gs)) for k, gs in (masked or {}).items()
                       if k in index and all(g in index for g in gs))
        out, owned, shape, done = self.bundle.run(values, frozenset(index[k] for k in checked if k in index),
                                                  1 - RHO_EDGE,
                                                  {index[k]: a for k, a in (into or {}).items() if k in index}, guards,
                                                  flags or len(guards) < len(masked or {}))
        return ({k: o for k, o in zip(self.keys, out) if o is not None}, dict(zip(self.keys, owned)), shape,
                {self.keys[i] for i in done})


@lru_cache(maxsize=None)
def fused(structure: tuple, metrics: tuple) -> Fused:
    """The fused bundle of ``metrics`` (sorted, unique; :data:`ANY_PERCENTILE` for percentiles).

    Output keys: a symbolic metric's name; ``("rho", i)`` / ``("native_rho", i)``
    utilizations; ``"var"`` the latency variance (:func:`variance_sum`);
    ``"queue"`` (sum of station response times); ``"delay"``; ``("cap", i)``.
    """
    from ._derive import SYMBOLIC_METRICS, derive

    d = derive(structure)
    wanted = set(metrics)
    pairs = [(m, d.metrics[m]) for m in metrics if m in SYMBOLIC_METRICS and m != "latency_variance"]
    percentiles = ANY_PERCENTILE in wanted
    if percentiles or wanted & {m for m, (_, _, sat) in SYMBOLIC_METRICS.items() if sat}:
        pairs += [(("rho", i), st.utilization) for i, st in enumerate(d.stations)]
    if "overhead" in wanted:
        pairs += [(("native_rho", i), st.utilization) for i, st in enumerate(d.native_stations)]
    if percentiles or "latency_variance" in wanted:
        pairs.append(("var", variance_sum(d.stations)))
    if percentiles:
        pairs += [("queue", sum(st.response for st in d.stations)), ("delay", d.delay)]
    if "bottleneck" in wanted:
        pairs += [(("cap", i), st.capacity) for i, st in enumerate(d.stations)]
    return Fused([k for k, _ in pairs], [e for _, e in pairs])


#: utilizations within this of 1 count as saturated: there the formulas' terms in 1 - rho and
#: c - a round differently (one exactly 0, the other not), and a latency would come out inf
#: while the utilization reads < 1, or a ratio of two such latencies NaN
RHO_EDGE = 1e-12


def _stable(out, keys):
    """Where every utilization ``out[k]`` is < 1 - RHO_EDGE (NaN counts as saturated): bool or bool array.

    One reduction per utilization first: when every maximum is below the edge
    (the usual sweep) no boolean array is built (a NaN makes the maximum NaN). A
    boolean ``out[k]`` is that comparison already made (by the fused kernel).
    """
    rhos = [out[k] for k in keys if k in out]
    if all(r.dtype != bool and np.max(r) < 1 - RHO_EDGE for r in rhos):
        return np.bool_(True)
    ok = np.bool_(True)
    for r in rhos:
        this = r if r.dtype == bool else r < 1 - RHO_EDGE
        if np.ndim(ok) and ok.shape == np.broadcast_shapes(ok.shape, this.shape):
            np.logical_and(ok, this, out=ok)  # (ok is our own array: the first & made it)
        else:
            ok = ok & this
    return ok


def _masked(value, ok, own: bool):
    """``value`` with ``inf`` where not ``ok`` (in place when ``own`` allows it)."""
    if ok.all():
        return value
    if own and isinstance(value, np.ndarray) and value.ndim and value.shape == np.broadcast_shapes(value.shape,
                                                                                                ok.shape):
        np.copyto(value, np.inf, where=~ok)
        return value
    return np.where(ok, value, np.inf)


def _raise_unstable(out, keys, names, values):
    rhos = np.array([float(out[k]) for k in keys])
    if np.isnan(rhos).any():  # a demand is inf or 0/0: some parameter is at a float extreme
        extreme = {k: v for k, v in values.items()
                   if np.ndim(v) == 0 and v != 0 and not 1e-300 < abs(float(v)) < 1e300}
        name, value = next(iter(extreme.items()), ("parameters", "their values"))
        raise ParameterError(name, value, "a value a double can compute with (between 1e-300 and 1e300)",
                             f"station {names[int(np.nanargmax(np.isnan(rhos)))]!r} has an undefined utilization")
    raise UnstableError(float(np.max(rhos)), f"station {names[int(np.argmax(rhos))]!r}")


def variance_sum(stations):
    r"""The latency variance :math:`\sum_i \mathrm{Var}(R_i)`, a station with no work counting 0
    (``S = 0``, or :math:`S^2` below the smallest double, where its formula reads 0/0): one
    expression of the fused bundle, so the fused kernel sums it per point (no array per station)."""
    import sympy as sp

    terms = [sp.Piecewise((st.response_variance, sp.StrictGreaterThan(st.demand ** 2, 0, evaluate=False)),
                          (0, True), evaluate=False) for st in stations]
    return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0] if terms else sp.Integer(0)


def broadcast_shape(values: dict) -> tuple:
    """The broadcast shape of the values (Python numbers, the usual parameter, skipped quickly)."""
    return np.broadcast_shapes(*(np.shape(v) for v in values.values() if not isinstance(v, (int, float))))


def _stacked(rows):
    """One ``(len(rows), ...)`` view whose ``j``-th row is ``rows[j]`` (equal shapes, one stride
    apart in one array, e.g. consecutive metrics of a sweep block), or None."""
    if not rows or any(r is None for r in rows):
        return None
    first = rows[0]
    step = rows[1].__array_interface__["data"][0] - first.__array_interface__["data"][0] if len(rows) > 1 else 0
    start = first.__array_interface__["data"][0]
    if any(r.shape != first.shape or r.strides != first.strides or r.dtype != first.dtype
           or r.__array_interface__["data"][0] != start + j * step for j, r in enumerate(rows)) \
            or (len(rows) > 1 and step <= 0):
        return None
    # row j of the view is exactly rows[j]'s memory (checked above): writing it writes them
    return np.lib.stride_tricks.as_strided(first, (len(rows),) + first.shape, (step,) + first.strides)


def evaluate_metrics(structure: tuple, metrics, values: dict, scalar: bool, errors: bool, into=None) -> dict:
    """``{metric: array}`` for open-model ``metrics`` at ``values`` (see the module docstring).

    Arrays have the arguments' broadcast shape (read-only views where a metric
    does not vary); ``errors`` with ``scalar`` raises for a saturated station.
    ``into``: ``{metric: array}``, writeable float arrays of the broadcast shape (rows of a
    sweep's result block) that a metric is computed straight into where the fused kernels
    can; the result is then that array, otherwise a new one (the caller copies it). For
    ``bottleneck`` a string array (``numpy.str_``): the names are written into it where the
    capacities vary at every point and it is as wide as the longest station name.
    """
    into = into or {}
    from ._derive import SYMBOLIC_METRICS, derive

    d = derive(structure)
    metrics = tuple(sorted(set(metrics)))
    levels = {m: q for m in metrics if (q := percentile_level(m)) is not None}
    key = tuple(sorted({ANY_PERCENTILE if m in levels else m for m in metrics}))
    path = [("rho", i) for i in range(len(d.stations))]
    native = [("native_rho", i) for i in range(len(d.native_stations))]
    rows = {**into, "var": into["latency_variance"]} if "latency_variance" in into else dict(into)
    shape = () if scalar else broadcast_shape(values)  # (scalar: Model._resolve found no array among them)
    if levels and not scalar:  # the percentiles' inputs, read once: the thread's scratch memory (no fresh pages)
        temps = [k for k in ("queue", "var") if k not in rows and (k == "queue" or "latency_variance" not in metrics)]
        rows.update(zip(temps, kernels.scratch("percentile inputs", shape, float, len(temps))))
    saturable = {m: path + native if m == "overhead" else path for m in metrics
                 if m in SYMBOLIC_METRICS and m != "latency_variance" and SYMBOLIC_METRICS[m][2]}
    if "latency_variance" in metrics:  # (the percentiles read it where no station saturates only)
        saturable["var"] = path
    # the utilizations read only to mask the latencies (no percentile, variance or error reads them):
    # a fused kernel that masks every one itself writes no boolean arrays for them
    masks_only = not scalar and not levels and "latency_variance" not in metrics
    out, owned, _, done = fused(structure, key).run(values, () if scalar else path + native, rows,
                                                    None if scalar else saturable, not masks_only)
    # a utilization left out: the fused kernel checked it below the edge everywhere (_stable: True)
    names = [st.name for st in d.stations]
    ok = _stable(out, path)
    result = {}
    for m in metrics:
        if m in done:  # inf where saturated already (the fused kernel's own pass)
            result[m] = out[m]
        elif m in SYMBOLIC_METRICS and m != "latency_variance" and SYMBOLIC_METRICS[m][2]:
            this = ok & _stable(out, native) if m == "overhead" else ok
            if scalar and errors and not this:
                extra = native if m == "overhead" else []
                _raise_unstable(out, path + extra, names + [f"native {st.name}" for st in d.native_stations], values)
            result[m] = _masked(out[m], this, owned[m])
        elif m in SYMBOLIC_METRICS:
            result[m] = out.get(m)
    spread = [m for m in metrics if m in levels or m == "latency_variance"]
    if spread and scalar and errors and not ok:
        _raise_unstable(out, path, names, values)
    if spread:
        var, row = out["var"], into.get("latency_variance")
        if var is not row:  # the NumPy stage's array: into the caller's row, else a copy of our own
            if isinstance(row, np.ndarray) and row.shape == shape:  # (masked in place below)
                var = np.add(var, 0.0, out=row)
            elif not owned["var"]:
                var = var + 0.0
        ps = list(levels)
        if ps:  # (imported here: a call without percentiles loads neither the gamma fit nor its kernel)
            from ..queueing._percentile_kernel import gamma_quantiles_plus
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            qs = gamma_quantiles_plus(out["queue"], var, list(levels.values()), out["delay"], ok,
                                      _stacked([into.get(m) for m in ps])) if ps else []
        for m, q in zip(ps, qs):  # (inf where not ok already: gamma_quantiles_plus's valid)
            result[m] = into[m] if m in into and np.may_share_memory(q, into[m]) else q  # the caller's row
        if "latency_variance" in metrics:  # var is a new array (a sum): masked in place, after the quantiles read it
            var = var if isinstance(var, np.ndarray) else np.array(var, dtype=float)
            result["latency_variance"] = var if "var" in done else _masked(var, ok, True)
    if "bottleneck" in metrics:
        caps = np.stack(np.broadcast_arrays(*(out[("cap", i)] for i in range(len(d.stations)))))
        row, labels, at = into.get("bottleneck"), np.array(names), np.argmin(caps, axis=0)
        if isinstance(row, np.ndarray) and row.shape == shape == at.shape and row.dtype.kind == "U" \
                and row.dtype.itemsize >= labels.dtype.itemsize and row.flags.writeable:
            # the names straight into the caller's row (a sweep's block: no array of names to copy there)
            result["bottleneck"] = np.take(labels.astype(row.dtype), at, out=row)
        else:  # (capacities that do not vary: one name, broadcast, its own width, as always)
            result["bottleneck"] = labels[at]
    return {m: result[m] if result[m].shape == shape else np.broadcast_to(result[m], shape) for m in metrics}
