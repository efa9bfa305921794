"""The result object of a queueing network (open Jackson networks and closed MVA).

A :class:`NetworkResult` holds per-station values (a NumPy array for numeric
calls, a SymPy ``Matrix`` for symbolic ones; one entry per station, or a
stations x classes table for multi-class models) and system totals:

==========================  ====================================================
``visits``                  visit ratio :math:`V_k` (visits per job)
``throughput``              station throughput :math:`X_k = V_k X` (1/s)
``utilization``             per-server utilization :math:`U_k`
``number_in_system``        mean number at the station :math:`L_k`
``response_time``           mean response time *per visit* :math:`R_k` (s)
``residence_time``          time per job at the station :math:`V_k R_k` (s)
``system_throughput``       jobs completed per second :math:`X`
``system_response_time``    end-to-end response time :math:`\\sum_k V_k R_k` (s)
``system_number_in_system`` mean number of jobs in the network :math:`\\sum_k L_k`
==========================  ====================================================

``response_time`` is per visit and ``residence_time`` per job; they differ by
the visit ratio and are never confused. ``details`` holds model-specific extras
(for example the population, the think time, or convergence information).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .._backend import SYMBOLIC

PER_STATION = ("visits", "throughput", "utilization", "number_in_system", "response_time", "residence_time")
TOTALS = ("system_throughput", "system_response_time", "system_number_in_system")

_LATEX_NAMES = {
    "visits": "V",
    "throughput": "X_k",
    "utilization": "U",
    "number_in_system": "L",
    "response_time": "R_k",
    "residence_time": r"R'_k = V_k R_k",
    "system_throughput": "X",
    "system_response_time": "R",
    "system_number_in_system": "N",
}


@dataclass(frozen=True, eq=False)
class NetworkResult:
    """Per-station metrics and system totals of a queueing network.

    See the module docstring for the fields. Numeric per-station fields are
    float arrays, symbolic ones SymPy matrices; totals are floats or SymPy
    expressions.
    """

    model: str
    kind: str
    visits: Any
    throughput: Any
    utilization: Any
    number_in_system: Any
    response_time: Any
    residence_time: Any
    system_throughput: Any
    system_response_time: Any
    system_number_in_system: Any = None
    details: dict = field(default_factory=dict)

    @property
    def stations(self) -> int:
        """The number of stations."""
        return int(np.shape(self.visits)[0]) if self.kind != SYMBOLIC else self.visits.shape[0]

    def as_dict(self) -> dict:
        """Per-station fields and totals as a plain dict."""
        return {name: getattr(self, name) for name in PER_STATION + TOTALS if getattr(self, name) is not None}

    def _repr_latex_(self):
        if self.kind != SYMBOLIC:
            return None
        import sympy as sp

        rows = [rf"{_LATEX_NAMES[name]} &= {sp.latex(value)}" for name, value in self.as_dict().items()]
        body = r" \\ ".join(rows)
        return rf"$\text{{{self.model}}}:\quad\begin{{aligned}} {body} \end{{aligned}}$"

    def __repr__(self):
        parts = []
        for f in fields(self):
            if f.name in ("kind", "details"):
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, np.ndarray):
                value = f"array(shape={value.shape})" if value.size > 8 else np.array2string(value, precision=6)
            parts.append(f"{f.name}={value}")
        return f"NetworkResult({', '.join(parts)})"
