"""Predict application rows with the *first model's own code*, for the baseline column.

    python tools/first_model_baseline.py            # print the first model's predictions of rows it lacks
    python tools/first_model_baseline.py --write    # add them to virtmodel/data/apps_baseline.json

The baseline of ``docs/validation.md`` is what the first model (virtmodel before the
issue-12 mechanisms) predicted. It was taken on the rows that existed then; rows
gathered later have no first-model prediction unless one is computed the same
way. This script does that without re-implementing anything: it extracts the
package as it was at the commit that took the baseline (``git archive``), puts
today's row and recipe files beside it, and runs *that* code's ``recompute``.

A recipe setting the first model did not have (a parameter such as ``host_switch``,
or a value such as ``io_path="virtio_user"``) is dropped, so the first model
predicts with its own default, as a user of it would have had to; a row whose
technique or mechanism it lacked stays unpredicted (``null``: "could not express
it"). As a check, the extracted code must reproduce every stored baseline value
to 1e-12 relative before anything is written; the script stops otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "virtmodel" / "data" / "apps_baseline.json"
DATA_FILES = ("published_apps.json", "app_workloads.json")

_DRIVER = r'''
import json, math, sys, warnings
warnings.simplefilter("ignore")
from virtmodel.errors import ParameterError
from virtmodel.validation import applications as app

original = app._technique
dropped = {}

def first_model_technique(name, params, flags, techniques):
    """The recipe's technique with only the settings (and values) the first model accepts."""
    tech = original(name, {}, flags, techniques)
    kept = {}
    for key, value in params.items():
        try:
            tech.replace(**{**kept, key: value})
            kept[key] = value
        except ParameterError:
            dropped.setdefault(name, set()).add(f"{key}={value!r}")
    return tech.replace(**kept) if kept else tech

app._technique = first_model_technique
table = app.recompute()
out = {r.row: (None if math.isnan(r.predicted) else float(r.predicted)) for r in table.itertuples()}
json.dump({"predicted": out, "dropped": {k: sorted(v) for k, v in dropped.items()}}, sys.stdout)
'''


def first_model_commit() -> str:
    """The commit that first stored ``apps_baseline.json``: the first model's code (needs the full history)."""
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
    if shallow != "false":
        sys.exit("a shallow clone (or no git): the first model's commit is not here; fetch the full history")
    out = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", str(BASELINE.relative_to(ROOT))],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    if not out:
        sys.exit("no git history of apps_baseline.json here: run from a full checkout")
    return out[-1]


def predict(commit: str) -> dict:
    """``{"predicted": {row: value or None}, "dropped": {...}}`` from the code at ``commit``."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "first.tar"
        subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), commit, "virtmodel"], cwd=ROOT,
                       check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        for name in DATA_FILES:
            shutil.copy(ROOT / "virtmodel" / "data" / name, Path(tmp) / "virtmodel" / "data" / name)
        done = subprocess.run([sys.executable, "-c", _DRIVER], cwd=tmp, capture_output=True, text=True,
                              env={"PYTHONPATH": tmp, "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
        if done.returncode:
            sys.exit(done.stderr)
        return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="add the missing rows to apps_baseline.json")
    args = parser.parse_args()
    commit = first_model_commit()
    result = predict(commit)
    stored = json.loads(BASELINE.read_text(encoding="utf-8"))
    for row, value in stored["predicted"].items():  # the extracted code must be the first model
        again = result["predicted"][row]
        same = value is None and again is None or (value is not None and again is not None and
                                                    math.isclose(value, again, rel_tol=1e-12, abs_tol=0.0))
        if not same:
            sys.exit(f"the code at {commit[:7]} does not reproduce the stored baseline of {row}: {value} vs {again}")
    new = {row: value for row, value in result["predicted"].items() if row not in stored["predicted"]}
    print(json.dumps({"commit": commit, "new rows": new, "settings dropped": result["dropped"]}, indent=1))
    if args.write and new:
        stored["predicted"].update(new)
        added = stored.setdefault("added_later", {"how": "predicted by tools/first_model_baseline.py: the "
                                                  "first model's own code (git archive of the commit that took "
                                                  "the baseline), recipe settings it lacked dropped",
                                                  "commit": commit, "rows": []})
        added["rows"] += sorted(new)
        BASELINE.write_text(json.dumps(stored, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
