"""Application-level published results, kept apart from the ones the presets were calibrated on.

The records are data (``virtmodel/data/published_apps.json``): each is a result
a paper, a vendor or a hypervisor's documentation reports for a whole
application (compile time, database or web throughput, bulk transfer, a round
trip, a tail under consolidation), with

- ``source`` (a key of ``references.bib``) and ``where`` (table, figure, section);
- ``published`` in ``unit``, relative to native where the source gives that;
- ``kind``: which model quantity it is compared with (see
  :mod:`virtmodel.validation.applications`);
- ``workload`` and ``platform``: the descriptions the source gives, the only
  inputs a prediction may use;
- ``checked``: whether the number was re-read in stored text or is from memory;
- ``tolerance``: the relative error the row is held to, declared (and committed)
  before the model was ever compared with it;
- ``role``: always ``"prediction"`` here (none of these set a parameter).

>>> rows = app_results()
>>> len(rows) >= 30 and all(r.role == "prediction" for r in rows)
True
>>> len({r.source for r in rows}) >= 8
True
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data import DataFileError, load_json

#: the only role an application row may have: none of them set a parameter
ROLES = ("calibration", "prediction")
#: declared tolerances must lie in this closed range (relative error)
TOLERANCE_RANGE = (0.10, 0.50)


@dataclass(frozen=True)
class AppResult:
    """One published application-level result (see the module docstring)."""

    id: str
    source: str
    where: str
    quantity: str
    kind: str
    published: float
    unit: str
    system: str
    workload: str
    platform: str
    checked: str
    tolerance: float
    role: str

    @property
    def from_memory(self) -> bool:
        """True when the value was not re-read in stored text (``checked`` says so)."""
        return self.checked.startswith("from memory")


def _record(fields: dict) -> AppResult:
    try:
        row = AppResult(**fields)
    except TypeError as error:
        raise DataFileError(f"published_apps.json row {fields.get('id')!r}: {error}") from None
    low, high = TOLERANCE_RANGE
    if not low <= row.tolerance <= high:
        raise DataFileError(f"published_apps.json row {row.id!r}: tolerance {row.tolerance} outside "
                            f"[{low}, {high}]")
    if row.role not in ROLES:
        raise DataFileError(f"published_apps.json row {row.id!r}: role {row.role!r} not one of {ROLES}")
    return row


def app_results() -> tuple:
    """Every :class:`AppResult` of ``published_apps.json``, in file order (ids unique)."""
    rows = tuple(_record(r) for r in load_json("published_apps.json")["rows"])
    ids = [r.id for r in rows]
    if len(set(ids)) != len(ids):
        raise DataFileError("published_apps.json: duplicate row ids")
    return rows


__all__ = ["AppResult", "app_results", "ROLES", "TOLERANCE_RANGE"]
