"""The application-level published rows: sourced, described, tolerances declared."""

from virtmodel.references import keys
from virtmodel.validation.app_records import TOLERANCE_RANGE, app_results


def test_at_least_30_rows_from_at_least_8_sources():
    rows = app_results()
    assert len(rows) >= 30
    assert len({r.source for r in rows}) >= 8


def test_every_row_has_a_known_source_a_description_and_a_role():
    known = set(keys())
    for row in app_results():
        assert row.source in known, row.id
        assert row.where and row.workload and row.platform and row.checked, row.id
        assert row.role == "prediction", row.id


def test_every_row_declares_a_tolerance_in_range():
    low, high = TOLERANCE_RANGE
    assert (low, high) == (0.10, 0.50)
    for row in app_results():
        assert low <= row.tolerance <= high, row.id


def test_checked_says_stored_text_or_memory():
    for row in app_results():
        assert row.checked.startswith(("checked", "from memory", "derived from the stored")), row.id
    assert any(r.from_memory for r in app_results())


def test_every_row_has_exactly_one_recipe():
    from virtmodel.data import load_json

    recipes = load_json("app_workloads.json")["recipes"]
    assert set(recipes) == {r.id for r in app_results()}
    for name, recipe in recipes.items():
        assert recipe["note"], name
