"""The first model's predictions of the application rows, kept as a baseline.

``virtmodel/data/apps_baseline.json`` holds, for every row of
``published_apps.json``, what the first model (virtmodel before the interrupt,
I/O-path, storage, shared-host and nesting mechanisms of issue 12) predicted,
or ``null`` where it could not express the row. :func:`compare` puts it beside
:func:`~virtmodel.validation.applications.recompute`, so the validation table
shows what each mechanism bought. :func:`write` regenerates the file; it is run
once, when the baseline is taken, and never again.

>>> base = baseline()
>>> base["model"]
'first model (virtmodel 2026-12-04, before issue 12 mechanisms)'
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..data import load_json

PATH = Path(__file__).parent.parent / "data" / "apps_baseline.json"
MODEL = "first model (virtmodel 2026-12-04, before issue 12 mechanisms)"


def baseline() -> dict:
    """``{"model": text, "predicted": {row id: value or None}}``."""
    return load_json("apps_baseline.json")


def write(table) -> None:
    """Store ``table`` (a :func:`recompute` result) as the baseline (run once, when it is taken)."""
    predicted = {r.row: (None if math.isnan(r.predicted) else float(r.predicted)) for r in table.itertuples()}
    PATH.write_text(json.dumps({"model": MODEL, "predicted": predicted}, indent=1) + "\n", encoding="utf-8")


def compare(table):
    """``table`` with the baseline's ``baseline_predicted``, ``baseline_error`` and ``baseline_within`` beside it."""
    base = baseline()["predicted"]
    out = table.copy()
    values = [base.get(row) for row in out["row"]]
    out["baseline_predicted"] = [math.nan if v is None else v for v in values]
    out["baseline_error"] = (out["baseline_predicted"] - out["published"]) / out["published"]
    out["baseline_within"] = (out["baseline_error"].abs() <= out["tolerance"]).fillna(False).astype(bool)
    return out


__all__ = ["baseline", "compare", "write", "PATH", "MODEL"]
