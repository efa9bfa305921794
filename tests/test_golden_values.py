"""Every preset's results are those recorded before the "one engine" refactor (rel 1e-12).

``tests/data/golden_metrics.json`` was written by ``tests/golden_values.py`` from the code as
it stood before the model was rebuilt on the queueing core; this test recomputes every case
(technique variant x workload preset x metric, at a point, in a sweep with a saturated point,
and closed at 4 users) and compares. Regenerate the file only for a deliberate change of a
model's formulas, and say so in the commit.
"""

from __future__ import annotations

import json
import math

import pytest

from golden_values import PATH, record


def _same(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


@pytest.fixture(scope="module")
def current():
    return record()


def test_every_recorded_case_is_still_computed(current):
    golden = json.loads(PATH.read_text())
    assert set(golden) <= set(current), sorted(set(golden) - set(current))[:10]


def test_every_value_equals_the_recorded_one(current):
    golden = json.loads(PATH.read_text())
    bad = [(k, golden[k], current.get(k)) for k in golden if not _same(golden[k], current.get(k))]
    assert not bad, f"{len(bad)} of {len(golden)} differ, e.g. {bad[:5]}"
