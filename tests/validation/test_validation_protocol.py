"""The validation protocol: roles of every published figure, misses explained, the document current."""

from pathlib import Path

import pytest

from virtmodel.presets import measurements
from virtmodel.validation.app_records import app_results
from virtmodel.validation.applications import miss_notes, recompute
from virtmodel.validation.roles import ROLES, role, roles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table():
    return recompute()


def test_every_published_measurement_has_a_role_and_says_what_it_sets():
    table = roles()
    assert set(table) == {m.name for m in measurements()}
    for name, entry in table.items():
        assert entry["role"] in ROLES and entry["sets"], name
    assert role("xen.lmbench.ctx_switch_2p_0k.vmware") == "calibration"
    assert role("xen.lmbench.exec.vmware") == "prediction"


def test_every_application_row_has_source_tolerance_and_role():
    for row in app_results():
        assert row.source and row.tolerance > 0 and row.role == "prediction", row.id


def test_every_modelled_miss_is_explained_by_a_mechanism_with_a_direction(table):
    notes = miss_notes()
    missed = table[(table["status"] == "modelled") & ~table["within"]]
    for row in missed["row"]:
        assert row in notes, f"{row} misses its tolerance: explain it in app_misses.json"
        assert notes[row]["mechanism"] and notes[row]["direction"] and notes[row]["why"], row


def test_every_not_modelled_row_names_the_missing_mechanism(table):
    for status in table.loc[table["status"] != "modelled", "status"]:
        assert status.startswith("not modelled: ") and len(status) > len("not modelled: ")


def _first_commit(path):
    import subprocess

    try:
        out = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", path], cwd=ROOT,
                             capture_output=True, text=True, check=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return out[-1] if out else None


def test_rows_and_recipes_were_committed_before_the_predictions():
    """The git history is the proof that tolerances and recipes came first (do not squash these commits)."""
    import subprocess

    rows = _first_commit("virtmodel/data/published_apps.json")
    recipes = _first_commit("virtmodel/data/app_workloads.json")
    predictions = _first_commit("virtmodel/data/apps_baseline.json")
    if None in (rows, recipes, predictions):
        pytest.skip("no git history of the validation files here (not a checkout, or a shallow one)")
    for earlier in (rows, recipes):
        assert earlier != predictions, "rows/recipes and predictions landed in one commit"
        ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", earlier, predictions], cwd=ROOT)
        assert ancestor.returncode == 0, "rows/recipes must be committed before the predictions"


def _git(*args):
    import subprocess

    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def _first_commit_with(text, path):
    """The first commit (oldest first, on the history of HEAD) whose change to ``path`` adds ``text``; None if none."""
    out = _git("log", f"-S{text}", "--reverse", "--format=%H", "--", path)
    return out.split()[0] if out and out.split() else None


def test_every_row_was_committed_before_its_prediction_was_published():
    """Row by row: the commit that first added the row to published_apps.json is an ancestor of, and not equal to,
    the first commit whose docs/validation.md shows the row (its prediction). Rows not in any committed
    docs/validation.md yet have no published prediction to order against (the document's freshness test catches
    a stale document)."""
    if _git("rev-parse", "--is-shallow-repository") != "false\n":
        pytest.skip("no full git history here (not a checkout, or a shallow one)")
    checked = 0
    for row in app_results():
        shown = _first_commit_with(row.id, "docs/validation.md")
        if shown is None:
            continue
        added = _first_commit_with(f'"{row.id}"', "virtmodel/data/published_apps.json")
        assert added is not None, f"{row.id} is in docs/validation.md but was never committed to published_apps.json"
        assert added != shown, f"{row.id}: the row and its prediction landed in one commit ({added[:10]})"
        assert _git("merge-base", "--is-ancestor", added, shown) is not None, \
            f"{row.id}: the row ({added[:10]}) must be committed before its prediction ({shown[:10]})"
        checked += 1
    assert checked >= 34  # the first 34 rows were published with the first model


def test_the_first_model_baseline_is_reproduced_by_the_first_models_own_code():
    """tools/first_model_baseline.py extracts the first model's package from git and re-runs it: it must
    reproduce every stored baseline value (it exits non-zero otherwise) and find no row without one."""
    import json
    import subprocess
    import sys

    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
    if shallow != "false" or _first_commit("virtmodel/data/apps_baseline.json") is None:
        pytest.skip("no full git history here (not a checkout, or a shallow one)")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "first_model_baseline.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["new rows"] == {}
