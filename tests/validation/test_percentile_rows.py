"""Percentile rows (``percentile_ratio``, ``shared_host_percentile_ratio``): tails compared out of sample.

Synthetic rows only (a copy of a published row with another kind or recipe): these tests check the
arithmetic of the comparison, not what the published tail rows come out at.
"""

import dataclasses

import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.validation import applications
from virtmodel.validation.app_records import app_results
from virtmodel.workloads import get as get_workload

_LONE = 1e-9
_NET_RECIPE = {
    "technique": "hardware_assist", "technique_params": {"io_path": "virtio"}, "workload": "small_packet_rr",
    "workload_overrides": {"io_ops": 4, "io_interrupts": 2, "syscalls": 2},
    "platform": {"clock_hz": 2.4e9, "cores": 10, "vms": 1, "vcpus": 2}, "reference": "native", "requires": [],
    "note": "synthetic", "percentile": "p99",
}


def _row(kind, row_id="synthetic.tail"):
    template = app_results()[0]
    return dataclasses.replace(template, id=row_id, kind=kind, published=1.5, tolerance=0.5)


@pytest.fixture
def synthetic(monkeypatch):
    """Install one synthetic row with ``kind`` and ``recipe``; returns a function doing so."""
    every = applications.recipes()

    def install(kind, recipe, row_id="synthetic.tail"):
        row = _row(kind, row_id)
        monkeypatch.setattr(applications, "app_results", lambda: (row,))
        monkeypatch.setattr(applications, "recipes", lambda: {**every, row_id: recipe})
        return row_id

    return install


def _models(recipe, technique=None):
    """The recipe's two models as the reported model takes them (its workload and platform settings on top)."""
    platform = Platform().replace(**recipe["platform"]).replace(**applications.REPORTED_PLATFORM)
    workload = get_workload(recipe["workload"]).replace(**recipe["workload_overrides"]).replace(
        **applications.REPORTED_WORKLOAD)
    tech = Model(recipe["technique"], workload, platform).technique.replace(**recipe["technique_params"])
    return Model(technique or tech, workload, platform), Model(recipe["reference"], workload, platform)


@pytest.mark.parametrize("percentile", ["p99", "p99.9", "p50"])
def test_the_ratio_is_the_lone_requests_percentile_over_the_references(synthetic, percentile):
    row_id = synthetic("percentile_ratio", {**_NET_RECIPE, "percentile": percentile})
    value, status = applications.predict(row_id)
    tech, ref = _models(_NET_RECIPE)
    by_hand = tech.evaluate(percentile, arrival_rate=_LONE) / ref.evaluate(percentile, arrival_rate=_LONE)
    assert status == "modelled" and value == pytest.approx(by_hand, rel=1e-12)
    assert value > 1.0  # the guest's round trip pays exits and the back-end on top of native's


def test_native_against_native_is_one_at_every_percentile(synthetic):
    for percentile in ("p50", "p99", "p99.9"):
        row_id = synthetic("percentile_ratio", {**_NET_RECIPE, "technique": "native", "technique_params": {},
                                                "percentile": percentile})
        assert applications.predict(row_id)[0] == pytest.approx(1.0, rel=1e-12)


def test_the_tail_ratio_is_not_the_mean_ratio(synthetic):
    """The row compares the fitted tail, not the mean scaled: p99's ratio differs from the mean's."""
    row_id = synthetic("percentile_ratio", _NET_RECIPE)
    value, _ = applications.predict(row_id)
    tech, ref = _models(_NET_RECIPE)
    mean_ratio = tech.evaluate("mean_latency", arrival_rate=_LONE) / ref.evaluate("mean_latency", arrival_rate=_LONE)
    assert value != pytest.approx(mean_ratio, rel=1e-3)
    # a percentile of a distribution lies above its median; the guest's p99 above its own p50
    assert tech.evaluate("p99", arrival_rate=_LONE) > tech.evaluate("p50", arrival_rate=_LONE)


@pytest.mark.parametrize("bad", [None, "p100", "99", "mean_latency", "p99.90"])
def test_a_percentile_row_without_a_valid_percentile_is_refused_naming_the_row(synthetic, bad):
    recipe = {k: v for k, v in _NET_RECIPE.items() if k != "percentile"}
    if bad is not None:
        recipe["percentile"] = bad
    row_id = synthetic("percentile_ratio", recipe)
    with pytest.raises(ParameterError, match="synthetic.tail: percentile"):
        applications.predict(row_id)


def test_a_closed_loops_percentile_is_the_closed_models_and_can_be_taken_away(synthetic):
    """closedtail: a closed loop's percentile row is the closed model's percentile (users, think time),
    technique over reference; without the mechanism it is not modelled and says why."""
    recipe = {**_NET_RECIPE, "requires": ["closed_loop", "closed_loop_percentiles"],
              "workload_overrides": {**_NET_RECIPE["workload_overrides"], "users": 32, "think_time": 0.0}}
    row_id = synthetic("percentile_ratio", recipe)
    value, status = applications.predict(row_id)
    tech, ref = _models(recipe)
    assert status == "modelled" and value == pytest.approx(tech.evaluate("p99") / ref.evaluate("p99"), rel=1e-12)
    assert "closed_loop_percentiles" in applications.SUPPORTED_MECHANISMS
    less = applications.SUPPORTED_MECHANISMS - {"closed_loop_percentiles"}
    value, status = applications.predict(row_id, mechanisms=less)
    assert value is None
    assert status == "not modelled: " + applications.MECHANISM_NAMES["closed_loop_percentiles"]


def test_a_percentile_row_with_users_but_no_requirement_is_refused(synthetic):
    recipe = {**_NET_RECIPE, "workload_overrides": {**_NET_RECIPE["workload_overrides"], "users": 4}}
    row_id = synthetic("percentile_ratio", recipe)
    with pytest.raises(ParameterError, match="users"):
        applications.predict(row_id)


def _host_recipe():
    """The recipe of a published shared-host row (its host and reference host)."""
    every = applications.recipes()
    host_rows = [r.id for r in app_results() if r.kind == "shared_host_latency_ratio"]
    assert host_rows, "a shared-host latency row to borrow a host from"
    return every[host_rows[0]]


def test_a_shared_host_percentile_is_the_first_groups_percentile_on_the_host_over_the_reference(synthetic):
    recipe = {**_host_recipe(), "percentile": "p99"}
    row_id = synthetic("shared_host_percentile_ratio", recipe)
    value, status = applications.predict(row_id)
    settings = (dict(applications.REPORTED_WORKLOAD), dict(applications.REPORTED_PLATFORM))
    host = applications._host(recipe["host"], {}, None, *settings)
    reference = applications._host(recipe["host"]["reference"], {}, None, *settings)
    by_hand = host.results()[0].percentile(0.99) / reference.results()[0].percentile(0.99)
    assert status == "modelled" and value == pytest.approx(by_hand, rel=1e-12)


def test_a_host_against_itself_is_one(synthetic):
    recipe = _host_recipe()
    same = {**recipe, "percentile": "p99.9", "host": {**recipe["host"], "reference": recipe["host"]}}
    row_id = synthetic("shared_host_percentile_ratio", same)
    assert applications.predict(row_id)[0] == pytest.approx(1.0, rel=1e-12)


def test_every_published_percentile_row_names_a_percentile_its_recipe_can_be_read_with():
    """Data check only (no prediction): each percentile row's recipe names a valid percentile."""
    from virtmodel.percentile_names import percentile_level

    every = applications.recipes()
    tails = [r for r in app_results() if r.kind in ("percentile_ratio", "shared_host_percentile_ratio")]
    assert len(tails) >= 7
    for row in tails:
        assert percentile_level(every[row.id].get("percentile")) is not None, row.id
        assert row.tolerance == 0.5, row.id  # the tail band declared before computing


def test_the_tails_section_counts_sides_and_carries_the_patterns_note():
    """docs/make_validation_table.py's tail summary on a made-up table (no prediction computed)."""
    import pandas as pd

    from repo_scripts import load_script

    script = load_script("docs/make_validation_table.py")
    table = pd.DataFrame({"kind": ["percentile_ratio"] * 3 + ["relative_throughput"],
                          "status": ["modelled", "modelled", "not modelled: x", "modelled"],
                          "error": [-0.2, 0.1, float("nan"), -0.9], "within": [True, True, False, False]})
    text = "\n".join(script._tails(table))
    assert "3 rows compare a percentile; 2 are modelled, 2 within tolerance; 1 of the 2 modelled" in text
    assert "tail ratios too close to 1" in text  # app_misses.json, patterns.percentile_ratio
    assert script._tails(table[table["kind"] != "percentile_ratio"]) == []
    # none modelled: no sides and no median of nothing ("+nan%")
    none = "\n".join(script._tails(table[table["status"] != "modelled"]))
    assert "1 rows compare a percentile; 0 are modelled, 0 within tolerance." in none and "nan" not in none


@pytest.mark.parametrize("kind", ["relative_speed", "relative_throughput", "shared_host_latency_ratio"])
def test_a_percentile_on_a_row_that_compares_none_is_refused_naming_the_row(synthetic, kind):
    """The key was silently ignored: a recipe author who set ``percentile`` on a mean row got the mean."""
    recipe = _host_recipe() if kind.startswith("shared_host") else _NET_RECIPE
    row_id = synthetic(kind, {**recipe, "percentile": "p99"})
    with pytest.raises(ParameterError, match=f"synthetic.tail: percentile.*{kind}"):
        applications.predict(row_id)
    without = {k: v for k, v in recipe.items() if k != "percentile"}
    assert applications.predict(synthetic(kind, without))[1] == "modelled"
