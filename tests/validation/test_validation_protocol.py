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
