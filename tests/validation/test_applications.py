"""Out-of-sample validation: recompute, the baseline, flags and techniques re-run every row."""

import math

import pytest

from virtmodel.errors import ParameterError
from virtmodel.validation import app_baseline
from virtmodel.validation.applications import (COLUMNS, MIX_PLATFORM, MIX_WORKLOAD, ONE_TYPE_PLATFORM,
                                               ONE_TYPE_WORKLOAD, SUPPORTED_MECHANISMS, hit_rate, predict, recompute)


@pytest.fixture(scope="module")
def table():
    return recompute()


@pytest.fixture(scope="module")
def without_boost():
    """Every row is modelled now: the table without the wake-up boost keeps one that is not."""
    return recompute(mechanisms=SUPPORTED_MECHANISMS - {"wakeup_boost"})


def test_columns_and_one_row_per_published_result(table):
    assert tuple(table.columns) == COLUMNS
    assert table["row"].is_unique and len(table) >= 30


def test_not_modelled_rows_are_kept_and_count_as_misses(without_boost):
    missing = without_boost[without_boost["status"] != "modelled"]
    assert len(missing) > 0
    assert missing["status"].str.startswith("not modelled: ").all()
    assert not missing["within"].any() and missing["predicted"].isna().all()


def test_within_is_the_declared_tolerance(table):
    modelled = table[table["status"] == "modelled"]
    assert ((modelled["error"].abs() <= modelled["tolerance"]) == modelled["within"]).all()


def test_hit_rates_of_all_and_of_modelled_rows(table, without_boost):
    for t in (table, without_boost):
        rates = hit_rate(t)
        assert rates["all"] == pytest.approx(rates["within"] / rates["rows"])
        assert rates["modelled"] == pytest.approx(rates["within"] / rates["modelled_rows"])
    assert hit_rate(without_boost)["all"] < hit_rate(without_boost)["modelled"]


def test_baseline_covers_the_first_rows_and_matches_where_the_model_is_unchanged(table):
    base = app_baseline.baseline()["predicted"]
    assert list(table["row"])[:len(base)] == list(base)  # taken on the first rows; later rows are appended after
    for row in table.itertuples():
        if base.get(row.row, 0.0) is None:
            assert math.isnan(row.predicted) or row.status == "modelled"
    compared = app_baseline.compare(table)
    assert {"baseline_predicted", "baseline_error", "baseline_within"} <= set(compared.columns)


def test_flags_reach_every_row_that_has_the_setting(table):
    """Exitless (posted) interrupts on every SR-IOV row change the ELI baseline row to the exitless one."""
    before = dict(zip(table["row"], table["predicted"]))
    after, status = predict("gordon2012_eli.assigned_baseline", flags={"posted_interrupts": True})
    assert status == "modelled"
    assert after == pytest.approx(before["gordon2012_eli.exitless"])


def test_per_technique_flags_and_technique_substitution():
    virtio, _ = predict("barham2003.osdb_oltp.xen")
    same, _ = predict("barham2003.osdb_oltp.xen", flags={"hardware_assist": {"io_path": "emulated"}})
    assert same == virtio  # a setting of another technique leaves a Xen row alone
    swapped, _ = predict("barham2003.osdb_oltp.xen", techniques={"paravirtual": "native"})
    assert swapped == pytest.approx(1.0)


def test_a_registered_technique_makes_a_not_modelled_row_modelled():
    value, status = predict("serverdev_bench.mysql_docker", techniques={"container": "native"})
    assert status == "modelled" and value == pytest.approx(1.0)


def test_limiting_case_native_everywhere_predicts_one():
    for row in ("barham2003.specint.xen", "vmware_oracle2009.oltp", "serverdev_bench.iperf_virtio"):
        value, _ = predict(row, techniques={"paravirtual": "native", "hardware_assist": "native"})
        assert value == pytest.approx(1.0)
    added, _ = predict("firecracker_netperf_doc.ping_added", techniques={"hardware_assist": "native"})
    assert added == pytest.approx(0.0, abs=1e-12)


def test_unknown_row_is_named():
    with pytest.raises(ParameterError, match="no_such_row"):
        predict("no_such_row")


@pytest.mark.parametrize("flags, techniques, named", [
    ("posted", None, "flags"), ({"no_such_setting": 1}, None, "no_such_setting"),
    ({"no_such_technique": {"x": 1}}, None, "no_such_technique"), (None, ["sriov"], "techniques"),
    (None, {"paravirtual": "no_such_technique"}, "no_such_technique"),
])
def test_bad_flags_and_techniques_are_named(flags, techniques, named):
    with pytest.raises(ParameterError, match=named):
        recompute(flags=flags, techniques=techniques)


@pytest.mark.parametrize("workload, platform, named", [
    ("cpu_scv", None, "workload"), ({"no_such_parameter": 1}, None, "no_such_parameter"),
    (None, "disk_access_scv", "platform"), (None, {"no_such_platform_parameter": 1}, "no_such_platform_parameter"),
])
def test_bad_workload_and_platform_settings_are_named(workload, platform, named):
    with pytest.raises(ParameterError, match=named):
        recompute(workload=workload, platform=platform)


MIX = dict(workload=dict(MIX_WORKLOAD), platform=dict(MIX_PLATFORM))


def test_the_reported_model_takes_the_one_type_settings():
    """Decision 4 (docs/preregistered.md), adopted: every row is predicted with a request of one type, both
    sides, unless the caller's settings say otherwise."""
    for row in ("fc_nsdi2020.p99_randread_4k_qd1", "microvm_net.p99_rr_kvm_vhost", "barham2003.isolation.specweb"):
        assert predict(row) == predict(row, workload=dict(ONE_TYPE_WORKLOAD), platform=dict(ONE_TYPE_PLATFORM))
    assert predict("microvm_net.p99_rr_kvm_vhost", **MIX)[0] != pytest.approx(
        predict("microvm_net.p99_rr_kvm_vhost")[0], rel=1e-3)


def test_platform_settings_reach_a_storage_row():
    """At the package's defaults the spread parameters give the mix model; a flash access's SCV with fixed
    counts moves a QD1 tail row."""
    row = "fc_nsdi2020.p99_randread_4k_qd1"
    mix = predict(row, **MIX)
    assert predict(row, workload={**MIX_WORKLOAD, "count_dispersion": 1.0}, platform={"disk_access_scv": 0.0}) == mix
    moved = predict(row, workload={**MIX_WORKLOAD, "count_dispersion": 0.0}, platform={"disk_access_scv": 0.0165})[0]
    assert moved != pytest.approx(mix[0], rel=1e-3)


def test_workload_settings_reach_both_sides_of_a_row():
    """A trial of the CPU time's SCV: at the mix's (1) nothing moves from the mix model (a tail row, a lone
    request's mean, a shared-host row, whose groups the setting reaches too); smaller, the tail ratio moves
    (both sides' spread narrows) and the lone request's mean does not (it has no SCV in it)."""
    for row in ("microvm_net.p99_rr_kvm_vhost", "firecracker_netperf_doc.ping_added",
                "barham2003.isolation.specweb"):
        assert predict(row, workload={**MIX_WORKLOAD, "cpu_scv": 1.0}, platform=dict(MIX_PLATFORM)) == \
            predict(row, **MIX)
    tail = predict("microvm_net.p99_rr_kvm_vhost", **MIX)[0]
    narrow = predict("microvm_net.p99_rr_kvm_vhost", workload={**MIX_WORKLOAD, "cpu_scv": 0.035},
                     platform=dict(MIX_PLATFORM))[0]
    assert narrow != pytest.approx(tail, rel=1e-3)
    assert predict("firecracker_netperf_doc.ping_added", workload={"cpu_scv": 0.035})[0] == \
        pytest.approx(predict("firecracker_netperf_doc.ping_added", **MIX)[0], rel=1e-12)


def test_a_closed_benchmark_loop_compares_mva_throughputs(monkeypatch):
    """A recipe with users (a closed loop) is compared by X(N) of the closed model: one user, the ratio of
    the lone latencies (X(1) = 1/R(1)); many users, the open recipe's throughput_limit ratio."""
    from virtmodel.validation import applications

    row_id = "percona_docker.host_network"
    base = applications.recipes()
    open_value, _ = predict(row_id)

    def closed(users, requires=("closed_loop",)):
        recipe = {**base[row_id], "requires": [*base[row_id]["requires"], *requires],
                  "workload_overrides": {**base[row_id]["workload_overrides"], "users": users, "think_time": 0.0}}
        recipe["technique_params"] = {"network": "bridge_nat"}  # a technique that adds latency per request
        monkeypatch.setattr(applications, "recipes", lambda: {**base, row_id: recipe})
        return recipe

    recipe = closed(1)
    one, status = predict(row_id)
    assert status == "modelled"
    from virtmodel.model import Model
    from virtmodel.platform import Platform
    from virtmodel.workloads import get as get_workload
    platform = Platform().replace(**recipe["platform"])
    workload = get_workload(recipe["workload"]).replace(**recipe["workload_overrides"])
    tech = Model("container", workload, platform).technique.replace(network="bridge_nat")
    x_tech = Model(tech, workload, platform)
    x_ref = Model("native", workload, platform)
    # one user: the ratio of the lone latencies (X(1) = 1 / R(1) with no think time)
    assert one == pytest.approx(x_ref.evaluate("mean_latency") / x_tech.evaluate("mean_latency"), rel=1e-9)
    closed(10_000)
    many, _ = predict(row_id)
    open_bridge = (x_tech.evaluate("throughput_limit", users=0) / x_ref.evaluate("throughput_limit", users=0))
    assert many == pytest.approx(open_bridge, rel=1e-3)
    # the mechanism can be taken away (not modelled), and must be declared
    assert predict(row_id, mechanisms=SUPPORTED_MECHANISMS - {"closed_loop"})[0] is None
    closed(4, requires=())
    with pytest.raises(ParameterError, match="users"):
        predict(row_id)
    assert open_value is not None
