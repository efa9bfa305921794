"""VM exit cost and nested paging by Intel processor generation (for the exit-cost timeline).

Hardware round trip of one VM exit + VM entry in cycles, Agesen, Mattson,
Rugina, Sheldon, USENIX ATC 2012, Table 1 (source key ``agesen2012``). The
same paper takes about 3000 cycles for an exit including software handling.

Whether a generation had nested paging (Intel EPT) is recorded with its own
source: Intel's statement that EPT is in all Nehalem-based CPUs with
virtualization support and in no Core 2-based or earlier one (as reported by
``wikipedia_ept``) covers Prescott, Merom, Penryn (no) and Nehalem (yes);
Westmere and Sandy Bridge having it is the model's ``assumption``
(:data:`virtmodel.presets.published.NESTED_PAGING`). AMD's first nested
paging (AMD64 Quad-Core processors, ``amd_npt2008``) is in the published
findings; the generations here are Intel's only.

>>> GENERATIONS["Nehalem"].nested_paging, GENERATIONS["Nehalem"].nested_paging_source
(True, 'wikipedia_ept')

>>> from virtmodel.techniques import get
>>> from virtmodel.techniques.generations import with_generation
>>> with_generation(get("hardware_assist"), "Prescott").exit_cycles
3963
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParameterError
from ..presets.published import GENERATIONS as _PUBLISHED
from ..presets.published import NESTED_PAGING as _NESTED


@dataclass(frozen=True)
class Generation:
    """One microarchitecture: its name, launch quarter, exit round trip and nested paging.

    Attributes
    ----------
    name : str
    launched : str
        Launch quarter, e.g. ``"3Q2005"`` (Agesen et al. 2012, Table 1).
    year : float
        The launch as a decimal year (mid-quarter).
    exit_cycles : int
        Hardware VM exit + entry round trip (Agesen et al. 2012, Table 1).
    source : str
        Citation key of the exit cost and launch quarter.
    nested_paging : bool
        Whether the generation has nested paging (Intel EPT).
    nested_paging_source : str
        Citation key behind ``nested_paging``, or ``"assumption"``.
    nested_paging_note : str
        What the source says, or why it is an assumption.
    """

    name: str
    launched: str      # quarter, e.g. "3Q2005"
    year: float        # launch as a decimal year (mid-quarter)
    exit_cycles: int
    source: str = "agesen2012"
    nested_paging: bool = False
    nested_paging_source: str = "assumption"
    nested_paging_note: str = ""


def _year(quarter: str) -> float:
    return int(quarter[2:]) + (int(quarter[0]) - 0.5) / 4


_NESTED_BY_NAME = {name: (flag, source, note) for name, flag, source, note in _NESTED}

#: name -> Generation, from the published record (virtmodel.presets.published)
GENERATIONS = {name: Generation(name, launched, _year(launched), cycles, "agesen2012", *_NESTED_BY_NAME[name])
               for name, launched, cycles in _PUBLISHED}


def generation(name: str) -> Generation:
    """The :class:`Generation` of that name (ParameterError listing the valid ones)."""
    if name not in GENERATIONS:
        raise ParameterError("generation", name, "one of " + ", ".join(GENERATIONS))
    return GENERATIONS[name]


def with_generation(technique, name: str, *, nested_paging=None):
    """A copy of a hardware-assisted technique with that generation's exit cost.

    Parameters
    ----------
    technique : Technique or str
        A hardware-assisted technique (one with ``exit_cycles``), or its name.
    name : str
        A generation of :data:`GENERATIONS`.
    nested_paging : None or "by_generation"
        ``None`` (default) keeps the technique's own ``nested_paging``;
        ``"by_generation"`` sets the generation's recorded one
        (:attr:`Generation.nested_paging`), as
        :func:`virtmodel.analysis.exit_cost_history` does.

    Examples
    --------
    >>> from virtmodel.techniques import get
    >>> with_generation(get("hardware_assist"), "Penryn", nested_paging="by_generation").nested_paging
    False
    """
    from . import get

    technique = get(technique)
    if not hasattr(technique, "exit_cycles"):
        raise ParameterError("technique", technique.name, "a hardware-assisted technique (has exit_cycles)")
    if nested_paging is not None and not (isinstance(nested_paging, str) and nested_paging == "by_generation"):
        raise ParameterError("nested_paging", nested_paging, 'None or "by_generation"')
    g = generation(name)
    if nested_paging is None:
        return technique.replace(exit_cycles=g.exit_cycles)
    return technique.replace(exit_cycles=g.exit_cycles, nested_paging=g.nested_paging)
