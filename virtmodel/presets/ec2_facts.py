"""The facts of Amazon EC2's instance generations, as data (``virtmodel/data/ec2.json``).

Each fact is a :class:`Fact`: a value, the citation key of its source
(``aws_nitro``, ``aws_ec2_ug``, ``dong2010`` ...) or ``"assumption"``, a note,
and the published measurement it repeats when the project's record holds it
(then its value and source are that measurement's, so the two cannot drift). A
fact the record lacks names, in its note, the page or section of its source
that states it. The lens :mod:`virtmodel.lenses.ec2` maps these facts onto the
model's techniques and platforms.

In the data file a fact is ``{"value", "source", "note"}``, or
``{"measurement", "note"?}`` for a recorded one, or ``"@name"`` for a fact of
``shared_facts`` used by several generations.

Examples
--------
>>> EC2_RECORDS[1].name, EC2_RECORDS[1].facts["vcpus_offered"].value
('xen_hvm', 36)
>>> EC2_INSTANCES["c5.18xlarge"]
('nitro', Fact(value=72, source='aws_ec2_ug', note='c5.18xlarge (Nitro)', measurement='ec2.c5_18xlarge.vcpus'))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..data import DataFileError, load_json
from .published import measurement

__all__ = ["EC2_FACT_FIELDS", "EC2_INSTANCES", "EC2_PLATFORM_FACTS", "EC2_RECORDS", "EC2Record", "Fact"]

EC2_FACT_FIELDS = ("hypervisor", "examples", "network", "bandwidth_gbps", "host_threads", "vcpus_offered",
                   "threads_kept")
"""The facts every generation states, in this order."""


@dataclass(frozen=True)
class Fact:
    """One fact: ``value``, ``source`` (a citation key or ``"assumption"``), ``note``, and
    ``measurement``, the published measurement it repeats (None if not in the record)."""

    value: Any
    source: str
    note: str = ""
    measurement: str | None = None

    def sources(self) -> tuple:
        """The citation key behind this fact (for :func:`virtmodel.references.cite`)."""
        return (self.source,)


@dataclass(frozen=True)
class EC2Record:
    """One EC2 generation as the data file states it.

    ``technique`` names a technique of :func:`virtmodel.techniques.get`;
    ``summary`` says what the step changed; ``facts`` maps
    :data:`EC2_FACT_FIELDS` to :class:`Fact`; ``technique_parameters`` and
    ``platform_parameters`` map parameters set on the technique and the
    platform to :class:`Fact` (the platform's cores and device bandwidth come
    from the facts, see :mod:`virtmodel.lenses.ec2`).
    """

    name: str
    label: str
    technique: str
    summary: str
    facts: dict
    technique_parameters: dict
    platform_parameters: dict


_FACT_KEYS = ({"value", "source", "note"}, {"measurement"}, {"measurement", "note"})


def _fact(record, shared: dict) -> Fact:
    if isinstance(record, str):
        if not (record.startswith("@") and record[1:] in shared):
            raise DataFileError(f"ec2.json: {record!r} is not '@' and a name of shared_facts")
        record = shared[record[1:]]
    if set(record) not in _FACT_KEYS:
        raise DataFileError(f"ec2.json: a fact has keys {sorted(record)}, not value/source/note or measurement")
    if "measurement" in record:
        m = measurement(record["measurement"])
        return Fact(m.value, m.source, record.get("note") or m.note or m.machine, m.name)
    value = record["value"]
    return Fact(tuple(value) if isinstance(value, list) else value, record["source"], record["note"])


def _facts(records: dict, shared: dict) -> dict:
    return {name: _fact(record, shared) for name, record in records.items()}


def _record(g: dict, shared: dict) -> EC2Record:
    facts = _facts(g["facts"], shared)
    if tuple(facts) != EC2_FACT_FIELDS:
        raise DataFileError(f"ec2.json: {g['name']} states {tuple(facts)}, not {EC2_FACT_FIELDS}")
    return EC2Record(g["name"], g["label"], g["technique"], g["summary"], facts,
                     _facts(g["technique_parameters"], shared), _facts(g["platform_parameters"], shared))


_DATA = load_json("ec2.json")
_SHARED = _DATA["shared_facts"]

EC2_RECORDS = tuple(_record(g, _SHARED) for g in _DATA["generations"])
"""The generations in historical order."""

EC2_PLATFORM_FACTS = _facts(_DATA["platform_parameters"], _SHARED)
"""Platform parameters every generation shares (the host clock)."""

EC2_INSTANCES = {i["instance"]: (i["generation"], _fact(i["vcpus"], _SHARED)) for i in _DATA["instances"]}
"""instance type -> (generation, vCPUs offered): the sizes the record gives."""
