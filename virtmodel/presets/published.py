"""Published measurements, each with its source and machine, as data.

Every number in ``published.md`` (the project's record of the literature) is a
:class:`Measurement`: a name, the value, its unit, the citation key of its
source (see :mod:`virtmodel.references`), the machine it was measured on, a note,
and whether it is derived by arithmetic rather than printed in the source.
Qualitative results are :class:`Finding` records.

The values are data: three topic files of ``virtmodel/data/``
(``published_exits.json``, ``published_xen.json``, ``published_io.json``) and
``machines.json``, read by :mod:`virtmodel.data`; this module turns them into
records and offers the look-ups. pandas is imported only by the table functions.

Examples
--------
>>> measurement("exit_roundtrip.sandy_bridge").value
784
>>> measurement("xen.lmbench.fork.xen").unit
'us'
"""

from __future__ import annotations

from ..data import DataFileError, load_json
from ..errors import unknown_name
from ..references import reference
from .published_record import Finding, Machine, Measurement, launch_date

__all__ = [
    "GENERATIONS",
    "MACHINES",
    "NESTED_PAGING",
    "Finding",
    "Machine",
    "Measurement",
    "finding",
    "findings",
    "launch_date",
    "machine",
    "measurement",
    "measurements",
    "measurements_table",
    "processor_generations",
    "sources",
]

_TOPICS = tuple(load_json(f"published_{topic}.json") for topic in ("exits", "xen", "io", "nesting", "wakeups", "iopaths",
                                                                   "storage", "netstack", "veth", "softmmu"))



def _record(cls, fields: dict):
    """``cls(**fields)``; a missing or unknown field is a :class:`~virtmodel.data.DataFileError`."""
    try:
        return cls(**fields)
    except TypeError as error:
        raise DataFileError(f"{cls.__name__} {fields.get('name')!r} in virtmodel/data: {error}") from None


MEASUREMENTS = tuple(_record(Measurement, r) for topic in _TOPICS for r in topic["measurements"])
"""Every published measurement, in the order of the record."""

FINDINGS = tuple(_record(Finding, r) for topic in _TOPICS for r in topic["findings"])
"""Every qualitative published result."""

MACHINES = {r["name"]: _record(Machine, r) for r in load_json("machines.json")["machines"]}
"""Machines from the papers whose clock rate the record states, by name."""

_BY_NAME = {m.name: m for m in MEASUREMENTS}
NESTING_ROLES = tuple(_TOPICS[3]["roles"])
"""How the nesting and process-level techniques use published records (``published_nesting.json``):
name, technique, role ("calibration" or "prediction"), where in the source, checked, model."""
_GENERATION_RECORDS = _TOPICS[0]["generations"]
_GENERATION_MEASUREMENTS = tuple(_BY_NAME[g["exit_roundtrip"]] for g in _GENERATION_RECORDS)

GENERATIONS = tuple((g["microarchitecture"], g["launched"], m.value)
                    for g, m in zip(_GENERATION_RECORDS, _GENERATION_MEASUREMENTS))
"""Intel microarchitectures with launch quarter and exit round-trip cycles (agesen2012, Table 1):
the ``exit_roundtrip.*`` measurements."""

NESTED_PAGING = tuple((g["microarchitecture"], g["nested_paging"], g["nested_paging_source"],
                       g["nested_paging_note"]) for g in _GENERATION_RECORDS)
"""Which generation of :data:`GENERATIONS` had nested paging (Intel EPT): name, flag, source key
(or ``"assumption"``), note."""

_FINDINGS_BY_NAME = {f.name: f for f in FINDINGS}
if len(_BY_NAME) != len(MEASUREMENTS) or len(_FINDINGS_BY_NAME) != len(FINDINGS):  # pragma: no cover
    raise RuntimeError("duplicate measurement or finding names in virtmodel/data")


def measurement(name: str) -> Measurement:
    """The published measurement called ``name``.

    Parameters
    ----------
    name : str
        A dotted identifier, e.g. ``"exit_roundtrip.prescott"`` or
        ``"xen.ttcp.mtu500.vmware.tx"`` (see :func:`measurements_table`).

    Returns
    -------
    Measurement

    Raises
    ------
    ParameterError
        For an unknown name, listing close matches.

    Examples
    --------
    >>> measurement("xen.ttcp.mtu500.vmware.tx").value
    101
    """
    if isinstance(name, str) and name in _BY_NAME:
        return _BY_NAME[name]
    raise unknown_name("name", name, _BY_NAME, "the name of a published measurement")


def measurements(source: str | None = None) -> list:
    """All published measurements, or those of one source.

    Parameters
    ----------
    source : str, optional
        A citation key; an unknown key raises
        :class:`~virtmodel.errors.ParameterError`.

    Returns
    -------
    list of Measurement
        In the order of the record.
    """
    if source is None:
        return list(MEASUREMENTS)
    key = reference(source).key
    return [m for m in MEASUREMENTS if m.source == key]


def sources() -> tuple:
    """The citation keys used by the measurements and findings, sorted."""
    return tuple(sorted({m.source for m in MEASUREMENTS} | {f.source for f in FINDINGS}))


def finding(name: str) -> Finding:
    """The qualitative published result called ``name`` (e.g. ``"adams.result"``)."""
    if isinstance(name, str) and name in _FINDINGS_BY_NAME:
        return _FINDINGS_BY_NAME[name]
    raise unknown_name("name", name, _FINDINGS_BY_NAME, "the name of a published finding")


def findings(source: str | None = None) -> list:
    """All qualitative published results, or those of one source (a citation key)."""
    if source is None:
        return list(FINDINGS)
    key = reference(source).key
    return [f for f in FINDINGS if f.source == key]


def machine(name: str) -> Machine:
    """A machine from the papers by name (see :data:`MACHINES`)."""
    if isinstance(name, str) and name in MACHINES:
        return MACHINES[name]
    raise unknown_name("name", name, MACHINES, "the name of a machine from the papers")


_COLUMNS = ["name", "value", "unit", "source", "machine", "note", "derived"]


def measurements_table(source: str | None = None):
    """The published measurements as a table (the one shown in the docs).

    Parameters
    ----------
    source : str, optional
        Restrict to one citation key.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, value, unit, source, machine, note, derived``, in the
        order of the record.
    """
    import pandas as pd

    rows = [[getattr(m, c) for c in _COLUMNS] for m in measurements(source)]
    return pd.DataFrame(rows, columns=_COLUMNS)


def processor_generations():
    """VM exit round-trip cost by Intel microarchitecture, for timeline analysis.

    Returns
    -------
    pandas.DataFrame
        Columns ``microarchitecture``, ``launched`` (datetime64: the first day
        of the launch quarter, ``3Q2005`` -> 2005-07-01),
        ``exit_roundtrip_cycles`` and ``source``; ordered by launch date.
        Source: Agesen et al. 2012, Table 1.

    Examples
    --------
    >>> processor_generations().iloc[0]["microarchitecture"]
    'Prescott'
    """
    import pandas as pd

    rows = [(g["microarchitecture"], pd.Timestamp(launch_date(g["launched"])), m.value, m.source)
            for g, m in zip(_GENERATION_RECORDS, _GENERATION_MEASUREMENTS)]
    table = pd.DataFrame(rows, columns=["microarchitecture", "launched", "exit_roundtrip_cycles", "source"])
    return table.sort_values("launched", kind="stable").reset_index(drop=True)
