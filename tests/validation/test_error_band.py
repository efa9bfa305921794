"""error_band / held_out_coverage: the band by hand on made-up tables, its laws, the rows it leaves out, bad input."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from virtmodel.errors import ParameterError
from virtmodel.validation.applications import recipes, recompute
from virtmodel.validation.error_band import (ALL_KINDS, HELD_OUT_COLUMNS, coverage_on, error_band, held_out_coverage,
                                             weighted_quantile)
from virtmodel.validation.post_hoc import CHANGED_AFTER_COMPARING, clean


def _rows_of(technique, count):
    """Real recipe names (so the technique column is real) of one technique, none changed after comparing."""
    names = [name for name, recipe in recipes().items()
             if recipe["technique"] == technique and name not in CHANGED_AFTER_COMPARING]
    assert len(names) >= count
    return names[:count]


def _table(ratios, kinds=None, sources=None, names=None, status=None):
    """A recompute()-shaped table whose model / published ratios are ``ratios`` (published 2, model 2 x ratio)."""
    n = len(ratios)
    names = names or [f"made.{i}" for i in range(n)]
    return pd.DataFrame({
        "row": names,
        "source": sources or [f"s{i}" for i in range(n)],
        "kind": kinds or ["relative_throughput"] * n,
        "published": [2.0] * n,
        "predicted": [2.0 * r for r in ratios],
        "status": status or ["modelled"] * n,
    })


RATIOS = [0.5, 0.8, 0.9, 1.0, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0]


def test_band_by_hand():
    band = error_band(0.6, "relative_throughput", coverage=0.8, table=_table(RATIOS))
    r = np.log(RATIOS)
    low_q, high_q = np.quantile(r, 0.1), np.quantile(r, 0.9)          # linear interpolation, by hand below
    s = np.sort(r)
    assert low_q == pytest.approx(s[0] + 0.9 * (s[1] - s[0]))
    assert high_q == pytest.approx(s[8] + 0.1 * (s[9] - s[8]))
    assert band.low == pytest.approx(0.6 * math.exp(-high_q))
    assert band.high == pytest.approx(0.6 * math.exp(-low_q))
    assert (band.rows, band.sources, band.group, band.coverage) == (10, 10, "relative_throughput", 0.8)
    # the model is mostly optimistic here (ratios > 1), so the band reaches further below 0.6 than above
    assert 0.6 - band.low > band.high - 0.6
    assert "0.6 (measured values of like questions" in str(band)


def test_a_model_that_was_always_right_gives_a_band_of_one_point():
    band = error_band(0.7, "relative_throughput", table=_table([1.0] * 12))
    assert band.low == pytest.approx(0.7) and band.high == pytest.approx(0.7)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.05, 0.9), st.floats(0.05, 0.9), st.floats(1e-3, 1e3))
def test_band_widens_with_coverage_and_scales_with_the_value(c1, c2, value):
    table = _table(RATIOS)
    narrow, wide = sorted((c1, c2))
    a = error_band(value, "relative_throughput", coverage=narrow, table=table)
    b = error_band(value, "relative_throughput", coverage=wide, table=table)
    assert b.low <= a.low * (1 + 1e-12) and a.high <= b.high * (1 + 1e-12)
    one = error_band(1.0, "relative_throughput", coverage=narrow, table=table)
    assert a.low == pytest.approx(value * one.low) and a.high == pytest.approx(value * one.high)


def test_rows_changed_after_comparing_not_modelled_or_not_positive_are_left_out():
    post_hoc = sorted(CHANGED_AFTER_COMPARING)[:2]
    base = _table(RATIOS)
    extra = _table([40.0, 0.01, 5.0, 7.0], names=post_hoc + ["made.x", "made.y"],
                   status=["modelled", "modelled", "not modelled: something", "modelled"])
    extra.loc[3, "published"] = 0.0                     # no log ratio: left out, not a NaN band
    with_extra = error_band(1.0, "relative_throughput", table=pd.concat([base, extra], ignore_index=True))
    assert with_extra == error_band(1.0, "relative_throughput", table=base)


def test_falls_back_from_technique_to_kind_to_all_kinds():
    names = _rows_of("sriov", 3) + _rows_of("container", 9)
    kinds = ["relative_throughput"] * 10 + ["added_latency"] * 2
    table = _table(RATIOS + [4.0, 5.0], kinds=kinds, names=names)
    assert error_band(1.0, "relative_throughput", "sriov", table=table).group == "relative_throughput"
    assert error_band(1.0, "relative_throughput", "sriov", table=table, min_rows=3).group == \
        "relative_throughput, sriov"
    assert error_band(1.0, "relative_throughput", "sriov", table=table, min_rows=3).rows == 3
    latency = error_band(1.0, "added_latency", table=table)
    assert (latency.group, latency.rows) == (ALL_KINDS, 12)          # its family has 2 rows: all kinds


def test_a_small_kind_falls_back_to_its_family_not_to_the_opposite_sign():
    """Latency kinds pool with latency kinds: there the model's misses come out low (ratios < 1),
    in the throughput family high; the family's band follows the latencies."""
    kinds = ["relative_throughput"] * 10 + ["relative_speed"] * 2 + ["added_latency"] * 6 + ["percentile_ratio"] * 6
    ratios = [1.5] * 12 + [0.5] * 12
    table = _table(ratios, kinds=kinds)
    band = error_band(1.0, "percentile_ratio", table=table)
    assert (band.group, band.rows) == ("latencies and latency ratios", 12)
    assert band.low == pytest.approx(2.0) and band.high == pytest.approx(2.0)    # measured = model / 0.5
    assert error_band(1.0, "relative_speed", table=table).group == "throughput and speed ratios"


@pytest.mark.parametrize("kwargs,name", [
    ({"value": math.nan}, "value"), ({"value": -1.0}, "value"), ({"value": 0.0}, "value"),
    ({"value": True}, "value"), ({"value": "0.9"}, "value"), ({"value": math.inf}, "value"),
    ({"kind": "throughput"}, "kind"), ({"kind": 3}, "kind"),
    ({"technique": "xen"}, "technique"),
    ({"coverage": 1.0}, "coverage"), ({"coverage": 0}, "coverage"), ({"coverage": math.nan}, "coverage"),
    ({"min_rows": 1}, "min_rows"), ({"min_rows": 2.5}, "min_rows"),
    ({"table": "rows"}, "table"), ({"table": pd.DataFrame({"row": []})}, "table"),
    ({"weights": "votes"}, "weights"), ({"weights": None}, "weights"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    args = {"value": 0.9, "kind": "relative_throughput", "table": _table(RATIOS)} | kwargs
    with pytest.raises(ParameterError) as err:
        error_band(**args)
    assert err.value.parameter == name


def test_too_few_rows_is_refused_not_a_band_of_nothing():
    with pytest.raises(ParameterError, match="min_rows"):
        error_band(1.0, "relative_throughput", table=_table([1.0, 1.2, 0.9]))


def test_held_out_coverage_by_hand():
    # two sources of 10 rows: a band built on one source's rows is checked on the other's
    a = [0.5, 0.8, 0.9, 1.0, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0]
    b = [1.0] * 5 + [10.0] * 5
    table = _table(a + b, sources=["a"] * 10 + ["b"] * 10)
    held = held_out_coverage(0.8, table=table).set_index("group")
    assert list(held.reset_index().columns) == list(HELD_OUT_COLUMNS)
    lo_a, hi_a = np.quantile(np.log(a), [0.1, 0.9])
    lo_b, hi_b = np.quantile(np.log(b), [0.1, 0.9])
    want = sum(lo_b <= math.log(x) <= hi_b for x in a) + sum(lo_a <= math.log(x) <= hi_a for x in b)
    # b's band is ratios 1..10 (7 of a inside); a's is about 0.76..2.08 (the five 1.0s of b inside)
    assert held.loc[ALL_KINDS, "inside"] == want == 12
    assert held.loc[ALL_KINDS, "held_out_coverage"] == pytest.approx(12 / 20)


def test_held_out_coverage_refuses_a_single_source():
    with pytest.raises(ParameterError, match="outside source"):
        held_out_coverage(table=_table(RATIOS, sources=["one"] * 10))


@pytest.fixture(scope="module")
def apps():
    return recompute()


def test_on_the_real_table_in_sample_coverage_is_the_asked_coverage(apps):
    rows = clean(apps)
    rows = rows[(rows["status"] == "modelled") & (rows["kind"] == "relative_throughput")]
    band = error_band(1.0, "relative_throughput", coverage=0.8, table=apps)
    assert band.rows == len(rows)
    ratio = rows["predicted"].astype(float) / rows["published"].astype(float)
    # a row is inside when its published value lies in the band around its model value
    inside = ((1 / ratio >= band.low) & (1 / ratio <= band.high)).mean()
    assert abs(inside - 0.8) <= 2 / len(rows) + 1e-12


def test_on_the_real_table_held_out_coverage_is_reported_and_consistent(apps):
    held = held_out_coverage(0.8, table=apps).set_index("group")
    parts = held.drop(index=ALL_KINDS)
    assert held.loc[ALL_KINDS, "rows"] == parts["rows"].sum() == len(
        clean(apps)[clean(apps)["status"] == "modelled"])
    assert held.loc[ALL_KINDS, "inside"] == parts["inside"].sum()
    wider = held_out_coverage(0.95, table=apps).set_index("group")
    assert (wider["inside"] >= held["inside"]).all()


# -- weights: every row one vote, or every source one ------------------------------------------------

@given(st.lists(st.floats(-50, 50), min_size=2, max_size=40), st.floats(0, 1))
def test_equal_weights_are_numpys_quantile(values, q):
    assert weighted_quantile(values, [1.0] * len(values), q) == pytest.approx(np.quantile(values, q), abs=1e-9)


@given(st.lists(st.tuples(st.floats(-50, 50), st.floats(0.01, 100)), min_size=1, max_size=30),
       st.floats(0, 1), st.floats(0, 1), st.floats(0.1, 10))
def test_weighted_quantile_laws(pairs, q1, q2, scale):
    values, weights = [v for v, _ in pairs], [w for _, w in pairs]
    a, b = sorted((q1, q2))
    lo, hi = weighted_quantile(values, weights, [a, b])
    assert min(values) <= lo <= hi <= max(values)                                  # monotone in q, inside the range
    assert weighted_quantile(values, weights, [0, 1]).tolist() == [min(values), max(values)]
    assert weighted_quantile(values, [w * scale for w in weights], a) == pytest.approx(lo, abs=1e-9)


def test_weighted_quantile_by_hand():
    # positions u = S_{j-1} / S_{n-1}: weights 1, 1, 2 put 0, 1, 2 at 0, 1/2, 1
    assert weighted_quantile([2.0, 0.0, 1.0], [2.0, 1.0, 1.0], [0.25, 0.5, 0.75]).tolist() == [0.5, 1.0, 1.5]
    assert weighted_quantile([3.0], [5.0], 0.3) == 3.0


@pytest.mark.parametrize("values,weights", [([1.0, 2.0], [1.0]), ([1.0, 2.0], [1.0, -1.0]),
                                            ([1.0, 2.0], [1.0, math.nan]), ([], [])])
def test_weighted_quantile_refuses_bad_weights(values, weights):
    with pytest.raises(ParameterError) as err:
        weighted_quantile(values, weights, 0.5)
    assert err.value.parameter == "weights"


def test_one_row_per_source_gives_the_same_band_either_way():
    table = _table(RATIOS)
    a, b = (error_band(0.6, "relative_throughput", table=table, weights=w) for w in ("rows", "sources"))
    assert (a.low, a.high) == pytest.approx((b.low, b.high), rel=1e-12)


def test_a_source_with_many_rows_has_one_vote_by_hand():
    # source "big": ten rows at ratio 1; sources s0..s9: one row each at the RATIOS
    table = _table([1.0] * 10 + RATIOS, sources=["big"] * 10 + [f"s{i}" for i in range(10)])
    by_rows = error_band(1.0, "relative_throughput", table=table, weights="rows")
    by_sources = error_band(1.0, "relative_throughput", table=table, weights="sources")
    r = np.log([1.0] * 10 + RATIOS)
    w = np.array([0.1] * 10 + [1.0] * 10)
    order = np.argsort(r, kind="stable")
    before = np.cumsum(w[order]) - w[order]
    lo, hi = np.interp([0.1, 0.9], before / before[-1], r[order])
    assert by_sources.low == pytest.approx(math.exp(-hi)) and by_sources.high == pytest.approx(math.exp(-lo))
    # the big source's ten 1.0s crowd the row-weighted band around 1; one vote each, the band is wider
    assert by_sources.high - by_sources.low > by_rows.high - by_rows.low


def test_held_out_coverage_takes_the_weights():
    a = [0.5, 0.8, 0.9, 1.0, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0]
    table = _table(a + [1.0] * 10 + [4.0], sources=[f"s{i}" for i in range(10)] + ["big"] * 10 + ["odd"])
    rows = held_out_coverage(0.8, table=table, weights="rows").set_index("group")
    sources = held_out_coverage(0.8, table=table, weights="sources").set_index("group")
    assert rows.loc[ALL_KINDS, "rows"] == sources.loc[ALL_KINDS, "rows"] == 21
    assert rows.loc[ALL_KINDS, "inside"] != sources.loc[ALL_KINDS, "inside"]


def test_coverage_on_by_hand():
    old = _table(RATIOS, names=[f"old.{i}" for i in range(10)])
    new = _table([0.6, 1.0, 2.5, 5.0], names=[f"new.{i}" for i in range(4)], sources=["n1", "n1", "n2", "n3"])
    table = pd.concat([old, new], ignore_index=True)
    got = coverage_on(table, list(old["row"]), list(new["row"]))
    lo, hi = np.quantile(np.log(RATIOS), [0.1, 0.9])
    want_out = [n for n, x in zip(new["row"], [0.6, 1.0, 2.5, 5.0]) if not lo <= math.log(x) <= hi]
    # the old rows' 80% band is ratios of about 0.77 to 2.1: only 1.0 lies inside
    assert got["outside"] == want_out == ["new.0", "new.2", "new.3"]
    assert (got["rows"], got["sources"], got["inside"]) == (4, 3, 1) and got["coverage"] == 0.25
    with pytest.raises(ParameterError) as err:
        coverage_on(table, ["old.0", "old.1"], list(new["row"]))
    assert err.value.parameter == "built_from"


def test_weighted_quantile_refuses_values_that_are_not_finite():
    with pytest.raises(ParameterError) as err:
        weighted_quantile([1.0, math.nan], [1.0, 1.0], 0.5)
    assert err.value.parameter == "values"
