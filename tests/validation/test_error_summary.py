"""error_summary / wilson_interval: against the closed form, a hand-made table, and the real table."""

import math

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import norm

from virtmodel.errors import ParameterError
from virtmodel.validation.applications import hit_rate, recompute
from virtmodel.validation.error_summary import COLUMNS, error_summary, wilson_interval


def _wilson_by_hand(k, n, level):
    """The Wilson score interval written out (Wilson 1927; Agresti & Coull 1998, eq. 2)."""
    z = norm.ppf((1 + level) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize("k,n,level", [(39, 65, 0.9), (46, 77, 0.95), (0, 5, 0.9), (8, 8, 0.8), (1, 1, 0.5)])
def test_wilson_matches_the_closed_form(k, n, level):
    low, high = wilson_interval(k, n, level)
    want = _wilson_by_hand(k, n, level)
    assert low == pytest.approx(max(want[0], 0.0), abs=1e-12)
    assert high == pytest.approx(min(want[1], 1.0), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400), st.floats(0.0, 1.0), st.floats(0.5, 0.99))
def test_wilson_contains_the_estimate_and_narrows_with_more_rows(n, share, level):
    k = round(share * n)
    low, high = wilson_interval(k, n, level)
    assert 0.0 <= low <= k / n <= high <= 1.0
    low4, high4 = wilson_interval(4 * k, 4 * n, level)
    assert high4 - low4 < high - low


def _table():
    return pd.DataFrame({
        "row": ["a", "b", "c", "d", "e"],
        "source": ["s1", "s1", "s2", "s2", "s3"],
        "kind": ["relative_throughput", "relative_throughput", "relative_throughput", "added_latency", "added_latency"],
        "error": [0.10, -0.30, math.nan, -0.50, 0.20],
        "within": [True, False, False, False, True],
        "status": ["modelled", "modelled", "not modelled: x", "modelled", "modelled"],
    })


def test_summary_of_a_hand_made_table():
    s = error_summary("kind", _table()).set_index("group")
    assert list(s.reset_index().columns) == list(COLUMNS)
    tp = s.loc["relative_throughput"]
    assert (tp["rows"], tp["modelled"], tp["within"]) == (3, 2, 1)      # not modelled = a miss
    assert tp["hit_rate"] == pytest.approx(1 / 3)
    assert tp["median_error"] == pytest.approx(-0.10)                 # median of 0.10, -0.30
    assert tp["median_abs_error"] == pytest.approx(0.20)
    assert tp["p80_abs_error"] == pytest.approx(0.10 + 0.8 * 0.20)    # linear between 0.10 and 0.30
    assert tp["optimistic_share"] == pytest.approx(0.5)               # throughput too high in 'a' only
    lat = s.loc["added_latency"]
    assert lat["optimistic_share"] == pytest.approx(0.5)              # latency too low in 'd' only
    everything = s.loc["all rows"]
    assert everything["rows"] == 5 and everything["within"] == 2
    assert everything["optimistic_share"] == pytest.approx(2 / 4)
    by_source = error_summary("source", _table())
    assert list(by_source["group"]) == ["s1", "s2", "s3", "all rows"]


def test_summary_of_the_real_table_adds_up():
    table = recompute()
    for by in ("kind", "technique", "source"):
        s = error_summary(by, table)
        groups, total = s.iloc[:-1], s.iloc[-1]
        assert total["group"] == "all rows"
        assert groups["rows"].sum() == total["rows"] == len(table)
        assert groups["within"].sum() == total["within"]
        assert total["hit_rate"] == pytest.approx(hit_rate(table)["all"])
        assert (s["hit_rate_low"] <= s["hit_rate"]).all() and (s["hit_rate"] <= s["hit_rate_high"]).all()


@pytest.mark.parametrize("kwargs,needle", [
    ({"by": "vendor"}, "by = .vendor. is invalid: by must be one of"),
    ({"level": 1.0}, "level"),
    ({"level": True}, "level"),
    ({"level": float("nan")}, "level"),
    ({"table": pd.DataFrame({"row": []})}, "without error, kind"),
    ({"table": _table().iloc[:0]}, "empty table"),
])
def test_bad_input_is_named(kwargs, needle):
    with pytest.raises(ParameterError, match=needle):
        error_summary(**{"table": _table(), **kwargs})


@pytest.mark.parametrize("args,needle", [((3, 2), "hits"), ((1, 0), "rows"), ((-1, 4), "hits"),
                                         ((1.5, 4), "hits"), ((1, 4, 0.0), "level"), (("1", 4), "hits")])
def test_wilson_bad_input(args, needle):
    with pytest.raises(ParameterError, match=needle):
        wilson_interval(*args)
