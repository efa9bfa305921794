"""The row every validation check returns, and the arithmetic shared by the checks.

A check compares one published value with what the model says in the same
situation. Quantitative rows carry the relative error
:math:`(\\text{model} - \\text{measured}) / \\text{measured}`; qualitative rows
(a winner, a bottleneck, a generation) carry ``error = NaN`` and a verdict
``"agrees"`` or ``"differs"``; a row whose ``measured`` is ``None`` states what
the model says where the record has no value (verdict ``"no published value"``). ``kind`` says whether the published value was
used to set a parameter (``"calibration"``: agreement by construction) or is
predicted (``"prediction"``). ``tolerance`` is the relative error the test suite
holds the model to for that row; ``None`` where the model is known to miss (the
note says by how much and why).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from ..model import Model

COLUMNS = ("check", "situation", "quantity", "measured", "model", "unit", "error", "tolerance",
           "verdict", "kind", "source", "note")


@dataclass(frozen=True)
class Row:
    """One comparison of the model with a published value (see the module docstring)."""

    check: str
    situation: str
    quantity: str
    measured: Any
    model: Any
    unit: str
    source: str
    note: str = ""
    kind: str = "prediction"
    tolerance: float | None = None

    @property
    def qualitative(self) -> bool:
        """True for a winner/bottleneck/generation row (strings compared, or no published value)."""
        return self.measured is None or isinstance(self.measured, str)

    @property
    def error(self) -> float:
        """Relative error (model - measured) / measured; NaN for qualitative rows."""
        if self.qualitative:
            return math.nan
        if self.measured == 0:
            return 0.0 if self.model == 0 else math.inf
        return (float(self.model) - float(self.measured)) / float(self.measured)

    @property
    def verdict(self) -> str:
        """``agrees``/``differs`` (qualitative), ``within``/``outside`` tolerance, or ``miss (noted)``."""
        if self.measured is None:
            return "no published value"
        if self.qualitative:
            return "agrees" if self.measured == self.model else "differs"
        if self.tolerance is None:
            return "miss (noted)" if abs(self.error) > 0.25 else "no tolerance set"
        return "within" if abs(self.error) <= self.tolerance else "outside"

    def record(self) -> dict:
        """The row as a plain dict in :data:`COLUMNS` order."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(error=self.error, verdict=self.verdict)
        if self.qualitative:
            values["kind"] = "qualitative"
        return {c: values[c] for c in COLUMNS}


def guest_demand(technique, workload, platform) -> float:
    """Seconds of guest-vCPU time per request (the model's ``guest_cores`` at one request/s, one VM)."""
    return Model(technique, workload, platform).evaluate("guest_cores", arrival_rate=1.0, vms=1)


def winner(costs: dict) -> str:
    """The name with the smallest cost; ``"tie"`` when the two smallest are within 1e-9 relative."""
    ranked = sorted(costs, key=costs.get)
    best, second = costs[ranked[0]], costs[ranked[1]]
    return "tie" if abs(second - best) <= 1e-9 * max(abs(best), 1e-300) else ranked[0]


def cycles(seconds: float, clock_hz: float) -> float:
    """Seconds to cycles at ``clock_hz``, rounded to 0.1 cycle (hides float dust in tables)."""
    return round(seconds * clock_hz, 1)
