"""The records that hold published values: :class:`Measurement` and :class:`Finding`."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ..errors import ParameterError

__all__ = ["NOT_STATED", "Finding", "Machine", "Measurement", "launch_date"]

NOT_STATED = "machine not stated in the record"
"""The ``machine`` of a value whose source (as recorded) does not name one."""


@dataclass(frozen=True)
class Measurement:
    """One published number, with where it comes from.

    Attributes
    ----------
    name : str
        A stable dotted identifier, e.g. ``"exit_roundtrip.prescott"``.
    value : float
        The number as published (for a range: one record per end).
    unit : str
        Its unit (``"cycles"``, ``"us"``, ``"Mb/s"``, ``"%"``, ...).
    source : str
        Citation key in :mod:`virtmodel.references`.
    machine : str
        The machine / setup it was measured on, as far as the source states.
    note : str
        What exactly was measured, and any caveat.
    derived : bool
        True when the value is derived by arithmetic (or reading) from the
        source rather than printed in it (marked "(approx.)" in the record).
    """

    name: str
    value: float
    unit: str
    source: str
    machine: str
    note: str = ""
    derived: bool = False

    def sources(self) -> tuple:
        """The citation keys behind this value (for :func:`virtmodel.references.cite`)."""
        return (self.source,)


@dataclass(frozen=True)
class Finding:
    """A qualitative published result (what wins, what limits), with its source.

    Attributes
    ----------
    name : str
        A stable dotted identifier.
    statement : str
        The result in one or two sentences.
    source : str
        Citation key in :mod:`virtmodel.references`.
    """

    name: str
    statement: str
    source: str

    def sources(self) -> tuple:
        """The citation keys behind this finding."""
        return (self.source,)


@dataclass(frozen=True)
class Machine:
    """A machine from the papers, for turning published cycles into time.

    Attributes
    ----------
    name : str
        Short identifier.
    description : str
        The machine as the source states it.
    clock_hz : float
        Clock rate in Hz.
    source : str
        Citation key.
    """

    name: str
    description: str
    clock_hz: float
    source: str

    def sources(self) -> tuple:
        """The citation keys behind this machine."""
        return (self.source,)


_QUARTER = re.compile(r"^([1-4])Q(\d{4})$")


def launch_date(quarter: str) -> datetime.date:
    """The first day of a launch quarter written as in Intel's tables.

    Parameters
    ----------
    quarter : str
        ``"<q>Q<year>"``, e.g. ``"3Q2005"``.

    Returns
    -------
    datetime.date
        The first day of that quarter (``3Q2005`` -> 2005-07-01).

    Examples
    --------
    >>> launch_date("1Q2011")
    datetime.date(2011, 1, 1)
    """
    match = _QUARTER.match(quarter) if isinstance(quarter, str) else None
    if match is None:
        raise ParameterError("quarter", quarter, "of the form '<1-4>Q<year>', e.g. '3Q2005'")
    q, year = int(match.group(1)), int(match.group(2))
    return datetime.date(year, 3 * (q - 1) + 1, 1)
