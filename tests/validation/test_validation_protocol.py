"""The validation protocol: roles of every published figure, misses explained, the document current."""

import importlib.util
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


def test_validation_document_is_up_to_date():
    spec = importlib.util.spec_from_file_location("make_validation_table", ROOT / "docs" / "make_validation_table.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert script.render() == text, "run: python docs/make_validation_table.py"
    assert "## Part 1: in-sample" in text and "## Part 2: out-of-sample" in text
