"""Compiling the derived expressions to NumPy functions (once, cached).

``lambdify`` with the NumPy and SciPy modules and ``cse=True``; the Erlang
function compiles to its numeric twin. Each compiled bundle returns a tuple of
arrays for a tuple of expressions that share subexpressions (a metric and the
utilizations that decide where it saturates), so a sweep computes them in one
pass. Compiled functions are cached by ``(structure, bundle)``: after the first
use no symbolic work happens on the evaluation path.
"""

from __future__ import annotations

from functools import lru_cache

PER_STATION = ("demand", "response_time", "response_variance", "utilization", "capacity",
               "service_variance", "servers", "arrival_rate")

import numpy as np
import sympy as sp

from ._derive import derive
from ._erlang import NUMERIC


class Compiled:
    """A compiled bundle: ``names`` (argument order) and ``__call__(values)``."""

    def __init__(self, exprs):
        exprs = tuple(sp.sympify(e) for e in exprs)
        symbols = sorted(set().union(*(e.free_symbols for e in exprs)), key=lambda s: s.name)
        self.names = tuple(s.name for s in symbols)
        self.size = len(exprs)
        self._fn = sp.lambdify(symbols, exprs, modules=[NUMERIC, "numpy", "scipy"], cse=True)

    def __call__(self, values: dict) -> list:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # NumPy scalars, never Python floats: 0/0 must give nan/inf, not raise
            out = self._fn(*(np.asarray(values[n], dtype=float) for n in self.names))
        shape = np.broadcast_shapes(*(np.shape(values[n]) for n in self.names)) if self.names else ()
        return [np.broadcast_to(np.asarray(o, dtype=float), shape) for o in out]


def _utilizations(stations):
    return tuple(st.utilization for st in stations)


@lru_cache(maxsize=None)
def metric_bundle(structure: tuple, metric: str) -> Compiled:
    """``(metric, rho_1, ..., rho_k)`` with the utilizations that saturate it.

    For ``overhead`` the native path's utilizations are included too.
    """
    d = derive(structure)
    rhos = _utilizations(d.stations)
    if metric == "overhead":
        rhos += _utilizations(d.native_stations)
    return Compiled((d.metrics[metric],) + rhos)


@lru_cache(maxsize=None)
def station_bundle(structure: tuple) -> Compiled:
    """Per station ``(S_i, R_i, Var(R_i), rho_i, capacity_i, Var(S_i), servers_i, arrivals_i)``,
    then the path delay."""
    d = derive(structure)
    exprs = []
    for st in d.stations:
        exprs += [st.demand, st.response, st.response_variance, st.utilization, st.capacity,
                  st.variance, st.servers, st.arrivals]
    return Compiled(tuple(exprs) + (d.delay,))
