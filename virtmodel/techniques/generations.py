"""VM exit cost by Intel processor generation (for the exit-cost timeline).

Hardware round trip of one VM exit + VM entry in cycles, Agesen, Mattson,
Rugina, Sheldon, USENIX ATC 2012, Table 1 (source key ``agesen2012``). The
same paper takes about 3000 cycles for an exit including software handling.

>>> from virtmodel.techniques import get
>>> from virtmodel.techniques.generations import with_generation
>>> with_generation(get("hardware_assist"), "Prescott").exit_cycles
3963
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParameterError
from ..presets.published_exits import GENERATIONS as _PUBLISHED


@dataclass(frozen=True)
class Generation:
    """One microarchitecture: its name, launch quarter and exit round trip."""

    name: str
    launched: str      # quarter, e.g. "3Q2005"
    year: float        # launch as a decimal year (mid-quarter)
    exit_cycles: int
    source: str = "agesen2012"


def _year(quarter: str) -> float:
    return int(quarter[2:]) + (int(quarter[0]) - 0.5) / 4


#: name -> Generation, from the published record (virtmodel.presets.published_exits)
GENERATIONS = {name: Generation(name, launched, _year(launched), cycles)
               for name, launched, cycles in _PUBLISHED}


def generation(name: str) -> Generation:
    """The :class:`Generation` of that name (ParameterError listing the valid ones)."""
    if name not in GENERATIONS:
        raise ParameterError("generation", name, "one of " + ", ".join(GENERATIONS))
    return GENERATIONS[name]


def with_generation(technique, name: str):
    """A copy of a hardware-assisted technique with that generation's exit cost."""
    if not hasattr(technique, "exit_cycles"):
        raise ParameterError("technique", technique.name, "a hardware-assisted technique (has exit_cycles)")
    return technique.replace(exit_cycles=generation(name).exit_cycles)
