"""EC2 generation presets: facts from the published record, sources, and what the model says."""

import math

import numpy as np
import pytest

from virtmodel import ParameterError
from virtmodel.model import Model
from virtmodel.presets import measurement
from virtmodel.lenses.ec2 import (
    EC2_GENERATIONS,
    EC2_INSTANCES,
    ec2_fact,
    ec2_facts_table,
    ec2_generation,
    ec2_generations_table,
    ec2_instances_table,
    ec2_model,
)
from virtmodel.references import cite, keys

GENERATIONS = list(EC2_GENERATIONS)
FIELDS = ("hypervisor", "examples", "network", "bandwidth_gbps", "host_threads", "vcpus_offered",
          "threads_kept")


def _all_facts():
    for g in EC2_GENERATIONS.values():
        for name, fact in g.all_facts().items():
            yield g.name, name, fact
    for instance, (_, fact) in EC2_INSTANCES.items():
        yield "instances", instance, fact


def test_generations_in_historical_order_with_their_techniques():
    assert GENERATIONS == ["xen_pv", "xen_hvm", "sriov_82599", "ena_xen", "nitro", "bare_metal"]
    techniques = {name: ec2_generation(name)[0].name for name in GENERATIONS}
    assert techniques == {"xen_pv": "paravirtual", "xen_hvm": "hardware_assist", "sriov_82599": "sriov",
                          "ena_xen": "sriov", "nitro": "nitro", "bare_metal": "native"}


@pytest.mark.parametrize("generation, field, fact", list(_all_facts()), ids=lambda x: str(x)[:30])
def test_every_fact_has_a_known_source(generation, field, fact):
    assert fact.source in keys(), f"{generation}.{field}: unknown source {fact.source!r}"
    assert fact.note, f"{generation}.{field}: no note saying what the value is"
    if fact.source == "assumption":
        assert fact.measurement is None


@pytest.mark.parametrize("generation, field, fact", [f for f in _all_facts() if f[2].measurement],
                         ids=lambda x: str(x)[:30])
def test_recorded_facts_equal_the_published_record(generation, field, fact):
    published = measurement(fact.measurement)
    assert fact.value == published.value
    assert fact.source == published.source


@pytest.mark.parametrize("name", GENERATIONS)
def test_every_generation_states_every_field(name):
    facts = EC2_GENERATIONS[name].facts
    assert set(facts) == set(FIELDS)
    assert facts["vcpus_offered"].value + facts["threads_kept"].value == facts["host_threads"].value


def test_published_host_threads_and_vcpus():
    assert ec2_fact("xen_hvm", "host_threads").value == 40
    assert ec2_fact("xen_hvm", "vcpus_offered").value == 36
    assert ec2_fact("ena_xen", "vcpus_offered").value == 64
    assert ec2_fact("ena_xen", "host_threads").value == 72
    assert ec2_fact("nitro", "vcpus_offered").value == ec2_fact("bare_metal", "vcpus_offered").value == 96
    assert ec2_fact("sriov_82599", "bandwidth_gbps").value == 10
    assert ec2_fact("ena_xen", "bandwidth_gbps").value == ec2_fact("nitro", "bandwidth_gbps").value == 100
    table = ec2_instances_table()
    assert table.loc["c5.18xlarge", "vcpus"] == 72
    assert table.loc["c4.8xlarge", "vcpus"] == 36
    assert table.loc["c5.24xlarge", "vcpus"] == table.loc["c5.metal", "vcpus"] == 96
    assert (table.loc["i3.16xlarge", "vcpus"], table.loc["i3.metal", "vcpus"]) == (64, 72)


def test_parameters_set_by_a_generation_are_the_ones_built():
    for name, g in EC2_GENERATIONS.items():
        technique, platform = ec2_generation(name)
        for param, fact in g.technique_parameters.items():
            assert getattr(technique, param) == fact.value, (name, param)
        for param, fact in g.platform_parameters.items():
            assert getattr(platform, param) == fact.value, (name, param)
        assert platform.cores == g.facts["host_threads"].value
        assert platform.device_bandwidth == pytest.approx(g.facts["bandwidth_gbps"].value * 1e9 / 8)


@pytest.mark.parametrize("name", GENERATIONS)
def test_every_model_parameter_has_a_source(name):
    model = ec2_model(name, "web_serving")
    assert set(model.parameter_sources().values()) <= set(keys()) | {"illustrative"}
    assert "@" in cite(EC2_GENERATIONS[name])


@pytest.mark.parametrize("name", GENERATIONS)
@pytest.mark.parametrize("workload", ["small_packet_rr", "web_serving", "bulk_transfer", "oltp"])
def test_models_build_and_evaluate(name, workload):
    model = ec2_model(name, workload)
    assert isinstance(model, Model)
    values = model.evaluate_all()
    for metric in ("mean_latency", "p99", "overhead", "host_cores", "guest_cores_left"):
        assert math.isfinite(values[metric]) and values[metric] >= 0, (metric, values[metric])
    assert values["overhead"] >= 1 - 1e-12


@pytest.mark.parametrize("workload", ["small_packet_rr", "web_serving", "bulk_transfer", "oltp"])
def test_nitro_leaves_more_host_cores_for_guests_than_xen_hvm(workload):
    _, c4_host = ec2_generation("xen_hvm")
    nitro = ec2_model("nitro", workload, c4_host)
    xen = ec2_model("xen_hvm", workload, c4_host)
    # the default: the host only wakes Nitro's halted vCPUs; the first model (wakeups="off"): nothing
    assert 0 < nitro.evaluate("host_cores") < xen.evaluate("host_cores")
    assert Model(nitro.technique.replace(wakeups="off"), nitro.workload, nitro.platform).evaluate("host_cores") == 0
    assert nitro.evaluate("guest_cores_left") > xen.evaluate("guest_cores_left")
    # and on their own hosts: the whole server against 36 of 40 threads
    share = {g: ec2_fact(g, "vcpus_offered").value / ec2_fact(g, "host_threads").value
             for g in ("nitro", "xen_hvm")}
    assert share["nitro"] == 1 > share["xen_hvm"]


@pytest.mark.parametrize("sriov", ["sriov_82599", "ena_xen"])
@pytest.mark.parametrize("workload, rates", [("bulk_transfer", [100.0, 500.0, 1000.0, 1500.0]),
                                             ("small_packet_rr", [1e3, 1e4, 2e4])])
def test_sriov_p99_below_xen_pv_netfront_at_the_same_load(sriov, workload, rates):
    _, host = ec2_generation("xen_pv")          # one host, one NIC: only the I/O path differs
    rates = np.array(rates)
    pv = ec2_model("xen_pv", workload, host).evaluate("p99", arrival_rate=rates)
    vf = ec2_model(sriov, workload, host).evaluate("p99", arrival_rate=rates)
    assert np.all(np.isfinite(pv)) and np.all(vf < pv)


def test_netback_on_dom0_threads_saturates_where_sriov_does_not():
    pv = ec2_model("xen_pv", "small_packet_rr", dom0_only=True)
    vf = ec2_model("sriov_82599", "small_packet_rr", dom0_only=True)
    assert pv.platform.cores == 4 and vf.platform.cores == 4
    p99_pv = pv.evaluate("p99", vms=np.array([8, 32, 60]))
    p99_vf = vf.evaluate("p99", vms=np.array([8, 32, 60]))
    assert np.all(p99_vf < p99_pv) and np.isinf(p99_pv[-1]) and np.all(np.isfinite(p99_vf))
    assert ec2_model("nitro", dom0_only=True).platform.cores == 96      # nothing kept: ignored


def test_tables():
    table = ec2_generations_table("small_packet_rr")
    assert list(table.index) == GENERATIONS
    for column in ("label", "technique", "host_threads", "vcpus_offered", "threads_kept", "assumptions",
                   "sources", "overhead", "p99", "host_cores", "guest_cores_left", "dom0_utilization"):
        assert column in table.columns
    assert table.loc["bare_metal", "overhead"] == pytest.approx(1.0)
    assert math.isnan(table.loc["nitro", "dom0_utilization"])
    # Nitro's host cores are the default's wake-ups of halted vCPUs only: below every Xen generation's
    assert 0 < table.loc["nitro", "host_cores"] < table.loc[["xen_pv", "xen_hvm"], "host_cores"].min()
    assert "host_threads" in table.loc["xen_pv", "assumptions"]
    facts = ec2_facts_table()
    assert set(facts["generation"]) == set(GENERATIONS)
    assert (facts["source"] != "").all()
    assert len(ec2_facts_table("nitro")) == len(EC2_GENERATIONS["nitro"].all_facts())


def test_unknown_names_are_rejected():
    with pytest.raises(ParameterError, match="generation"):
        ec2_generation("nitr0")
    with pytest.raises(ParameterError, match="field_name"):
        ec2_fact("nitro", "cores")
