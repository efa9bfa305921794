"""Which published figures set a cost (``calibration``) and which the model predicts (``prediction``).

Every :class:`~virtmodel.presets.Measurement` of the package has its role in
``virtmodel/data/published_roles.json``, with what it sets or where it is
compared. Agreement on a calibration figure is by construction; only
predictions test the model. The application rows of
:mod:`virtmodel.validation.app_records` are all predictions.

>>> role("exit_roundtrip.sandy_bridge")
'calibration'
>>> role("xen.lmbench.fork.xen")
'prediction'
"""

from __future__ import annotations

from ..data import DataFileError, load_json
from ..errors import unknown_name
from ..presets import measurements

ROLES = ("calibration", "prediction")


def roles() -> dict:
    """``{measurement name: {"role": ..., "sets": ...}}`` for every measurement of the package."""
    table = load_json("published_roles.json")["roles"]
    names = {m.name for m in measurements()}
    missing, unknown = names - set(table), set(table) - names
    if missing or unknown:
        raise DataFileError(f"published_roles.json: no role for {sorted(missing)}; unknown {sorted(unknown)}")
    bad = {k for k, v in table.items() if v["role"] not in ROLES}
    if bad:
        raise DataFileError(f"published_roles.json: role not one of {ROLES} for {sorted(bad)}")
    return table


def role(name: str) -> str:
    """``"calibration"`` or ``"prediction"`` for the measurement called ``name``."""
    table = roles()
    if name not in table:
        raise unknown_name("measurement", name, table, "a published measurement name")
    return table[name]["role"]


def roles_table():
    """Every measurement with its value, source, role and what it sets, as a pandas DataFrame."""
    import pandas as pd

    table = roles()
    return pd.DataFrame([{"name": m.name, "value": m.value, "unit": m.unit, "source": m.source,
                          "role": table[m.name]["role"], "sets": table[m.name]["sets"]} for m in measurements()])


__all__ = ["ROLES", "role", "roles", "roles_table"]
