"""The in-kernel vhost back-end as one worker station per queue (techniques/io_paths.py, VHOST).

Checks: the first model's pooled back-end is this model with the workers' work moved onto the
host's cores (exactly, every preset and metric recorded before the change); the single-queue
limit; ``queues`` = host cores on one VM against the pool; low load; bad ``queues``; the wake-up
of a worker at its own idle probability (and of the I/O thread); the closed model and a shared
host with split workers; and the simulation oracle (random routing over one-server FCFS workers).
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.host import Host, VMGroup
from virtmodel.model import Model
from virtmodel.model.simulation import simulate_model
from virtmodel.platform import Platform
from virtmodel.queueing import mg1, mva
from virtmodel.techniques import get
from virtmodel.techniques.pooled_backend import PooledHardwareAssist
from virtmodel.workload import Workload

GOLDEN = pathlib.Path(__file__).parents[1] / "data" / "golden_pooled_vhost.json"


def _pooled(tech):
    """``tech`` with its back-end pooled on the host's cores: the first model's virtio (``virtio_pooled``)."""
    return tech.replace(io_path="virtio_pooled")


def _per_packet(tech, platform=Platform(), workload=Workload()):
    """The worker's seconds per packet: back-end, switch and one copy of the payload (messages of one packet)."""
    switch = {"none": 0.0, "bridge_nat": tech.bridge_cycles + tech.nat_cycles}[tech.host_switch]
    return tech.backend_time + switch / platform.clock_hz + tech.copy_time_per_byte * workload.io_bytes


def test_the_pooled_back_end_is_the_first_model_exactly():
    # tests/data/golden_pooled_vhost.json: the two virtio variants of tests/data/golden_metrics.json as
    # recorded before the vhost worker station (every preset, metric, sweep and closed point)
    sys.path.insert(0, str(GOLDEN.parents[1]))
    import golden_values as gv
    from test_golden_values import _same

    golden = json.loads(GOLDEN.read_text())
    original, variants = gv._technique, gv.VARIANTS
    try:
        # the first model: interrupts without halts or wake-ups (the default until the switch to "on")
        gv._technique = lambda name, flags: PooledHardwareAssist(**{"wakeups": "off", **flags})
        gv.VARIANTS = (("hardware_assist", {}), ("hardware_assist", {"nested_paging": False}))
        pooled = gv.record()
    finally:
        gv._technique, gv.VARIANTS = original, variants
    assert set(golden) <= set(pooled)
    bad = [k for k in golden if not _same(golden[k], pooled[k])]
    assert not bad, bad[:5]


@pytest.mark.parametrize("bad", [0, -1, 1.5, 2.0000001])
def test_queues_must_be_a_whole_number_of_at_least_one(bad):
    with pytest.raises(ParameterError, match="queues"):
        get("hardware_assist", queues=bad)
    with pytest.raises(ParameterError, match="queues"):
        Model("hardware_assist", "bulk_transfer").evaluate("mean_latency", queues=bad)


@pytest.mark.parametrize("vms, cores", [(1, 4), (1, 72), (8, 32)])
def test_one_queue_caps_the_vm_at_one_worker_whatever_the_idle_cores(vms, cores):
    w, platform = Workload(arrival_rate=1e3, io_ops=4), Platform(vms=vms, cores=cores)
    tech = get("hardware_assist", backend_time=100e-6, host_switch="bridge_nat")
    table = Model(tech, w, platform).station_table()
    assert table.loc["vhost", "servers"] == 1 and table.loc["vhost", "splits"] == 1
    limit = 1 / (w.io_ops * _per_packet(tech, platform, w))
    assert Model(tech, w, platform).evaluate("throughput_limit") == pytest.approx(limit, rel=1e-12)
    assert Model(_pooled(tech), w, platform).evaluate("throughput_limit") > 1.5 * limit
    # more queues, more workers: the cap grows with them, up to the host's cores
    for q in (2, 3):
        got = Model(tech.replace(queues=q), w, platform).evaluate("throughput_limit")
        assert got == pytest.approx(min(q, cores) * limit, rel=1e-12)
    capped = Model(tech.replace(queues=cores + 5), w, platform)
    assert capped.station_table().loc["vhost", "splits"] == cores


def test_queues_as_many_as_the_cores_on_one_vm_is_the_pool_when_the_pool_is_not_the_bottleneck():
    platform = Platform(vms=1, cores=4)
    tech = get("hardware_assist", queues=4, backend_time=100e-6)
    pooled = _pooled(tech)
    w = Workload(arrival_rate=1e3, io_ops=4)
    split, pool = Model(tech, w, platform), Model(pooled, w, platform)
    # the same capacity (4 workers of one server = 4 cores) and the same CPU at every load
    assert split.evaluate("throughput_limit") == pytest.approx(pool.evaluate("throughput_limit"), rel=1e-12)
    for rate in (1.0, 1e3, 2e3):
        for metric in ("host_cores", "cpu_per_request", "guest_cores"):
            assert split.evaluate(metric, arrival_rate=rate) == pytest.approx(
                pool.evaluate(metric, arrival_rate=rate), rel=1e-12), (rate, metric)
    # at low load, the same latency: the workers' service, no queueing
    lone = dict(arrival_rate=1e-6)
    assert split.evaluate("mean_latency", **lone) == pytest.approx(pool.evaluate("mean_latency", **lone), rel=1e-9)
    # loaded, q separate queues wait longer than one pooled queue of q servers (not shorter)
    assert split.evaluate("mean_latency", arrival_rate=2e3) > pool.evaluate("mean_latency", arrival_rate=2e3)


@pytest.mark.parametrize("queues", [1, 2, 8])
def test_the_worker_is_an_mg1_station_fed_lambda_over_q(queues):
    w, platform = Workload(arrival_rate=3e3), Platform()
    tech = get("hardware_assist", queues=queues, backend_time=50e-6)
    model = Model(tech, w, platform)
    row = model.station_table().loc["vhost"]
    assert row["arrival_rate"] == pytest.approx(w.arrival_rate / queues, rel=1e-12)
    assert row["demand"] == pytest.approx(w.io_ops * _per_packet(tech, platform, w), rel=1e-12)
    want = mg1(w.arrival_rate / queues, row["demand"], row["service_scv"])
    assert row["response_time"] == pytest.approx(float(want.response_time), rel=1e-12)


def test_low_load_latency_changes_only_by_the_worker_service_and_cpu_not_at_all():
    for tech in (get("hardware_assist"), get("hardware_assist", host_switch="bridge_nat", queues=3),
                 get("hardware_assist", nested_paging=False, wakeups="on"), get("nested")):  # wake-ups: lone latency
        pooled = _pooled(tech)
        for preset in ("small_packet_rr", "bulk_transfer", "web_serving"):
            new, old = Model(tech, preset), Model(pooled, preset)
            assert new.evaluate("mean_latency", arrival_rate=1e-9) == pytest.approx(
                old.evaluate("mean_latency", arrival_rate=1e-9), rel=1e-9)
            for metric in ("host_cores", "cpu_per_request", "guest_cores_left") if tech.wakeups == "off" else ():
                assert new.evaluate(metric) == pytest.approx(old.evaluate(metric), rel=1e-12), metric


def test_a_busy_worker_wakes_less_often_than_an_idle_one():
    # wake-ups on: the back-end wake-up is paid with the worker's idle probability
    # p = (1 - lambda/q a) / (1 + lambda/q b), a its work per request, b the wake-up
    w, platform = Workload(arrival_rate=4e3, io_ops=4), Platform()
    for q in (1, 2):
        tech = get("hardware_assist", wakeups="on", queues=q, backend_time=20e-6)
        lam = w.arrival_rate / q
        a, b = w.io_ops * _per_packet(tech, platform, w), tech.backend_wake_time
        p = (1 - lam * a) / (1 + lam * b)
        pooled = _pooled(tech)
        lam_core = platform.vms * w.arrival_rate / platform.cores
        p_core = (1 - lam_core * a) / (1 + lam_core * b)
        gap = Model(tech, w, platform).evaluate("cpu_per_request") - Model(pooled, w, platform).evaluate(
            "cpu_per_request")
        assert gap == pytest.approx(b * (p - p_core), rel=1e-9, abs=1e-15)
        assert p < p_core  # one worker per queue is busier than any one of 32 pooled cores


def test_the_io_thread_wakes_at_its_own_idle_probability_too():
    w = Workload(arrival_rate=4e3)
    on = get("hardware_assist", io_path="virtio_user", wakeups="on")
    off = on.replace(wakeups="off")
    thread = Model(off, w).station_table().loc["iothread"]
    lam, a, b = w.arrival_rate, thread["demand"], on.backend_wake_time
    p = (1 - lam * a) / (1 + lam * b)
    first = get("hardware_assist", wakeups="off")  # the in-kernel vhost worker without wake-ups
    vcpu_only = Model(get("hardware_assist", wakeups="on"), w).evaluate("cpu_per_request") - \
        Model(first, w).evaluate("cpu_per_request")
    vhost = Model(first, w).station_table().loc["vhost"]
    p_vhost = (1 - lam * vhost["demand"]) / (1 + lam * b)
    gap = Model(on, w).evaluate("cpu_per_request") - Model(off, w).evaluate("cpu_per_request")
    assert gap - vcpu_only == pytest.approx(b * (p - p_vhost), rel=1e-6, abs=1e-15)
    assert gap > 0


def test_the_closed_model_visits_one_worker_of_q_per_request():
    # the split's structure on the first model (wakeups='off': demands free of the load; under the default
    # the closed model takes them at its own throughput and adds the wake-up work, tests/test_model_closed.py)
    tech, w = get("hardware_assist", queues=2, backend_time=200e-6, wakeups="off"), Workload(arrival_rate=1.0)
    model = Model(tech, w, Platform(vms=1))
    table = model.station_table()
    result = model.closed(users=3, think_time=1e-3)
    demands = [table.loc["guest", "demand"], table.loc["vhost", "demand"] / 2, table.loc["vhost", "demand"] / 2,
               table.loc["device", "demand"]]
    want = mva(demands, 3, think_time=1e-3 + table.attrs["delay"])  # the path's delay: a delay station
    assert float(result.metrics["throughput"]) == pytest.approx(float(want.system_throughput), rel=1e-9)
    # the CPU split keeps the workers' demand whole
    assert float(result.metrics["host_cores"]) == pytest.approx(
        float(want.system_throughput) * table.loc["vhost", "demand"], rel=1e-9)


def test_one_group_host_with_split_workers_is_the_model():
    tech, w = get("hardware_assist", queues=3, backend_time=100e-6), Workload(arrival_rate=2e3)
    platform = Platform(vms=2)
    got = Host([VMGroup(tech, w, 2)], platform).results()[0]
    model = Model(tech, w, platform)
    assert got.mean_latency == pytest.approx(model.evaluate("mean_latency"), rel=1e-9)
    assert got.throughput_limit == pytest.approx(model.evaluate("throughput_limit"), rel=1e-9)
    # beside SR-IOV neighbours, the SymPy composition gives the numbers' latency
    host = Host([VMGroup(tech, w, 2), VMGroup("sriov", Workload(arrival_rate=1e3), 3)], Platform(vms=5))
    values = {k: v for k, v in host.expression_values().items()}
    for expr, result in zip(host.expression(), host.results()):
        got = float(expr.subs({s: values[str(s)] for s in expr.free_symbols}))
        assert got == pytest.approx(result.mean_latency, rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("queues, vms", [(1, 1), (2, 2)])
def test_split_workers_agree_with_the_simulation(queues, vms):
    tech = get("hardware_assist", queues=queues, backend_time=20e-6)
    base = Model(tech, "small_packet_rr", Platform(vms=vms, cores=4))
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, base.workload.replace(arrival_rate=rate), base.platform)
    assert model.station_table().loc["vhost", "utilization"] > 0.3  # the workers queue visibly
    sim, delay = simulate_model(model, customers=40_000, seed=5)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)
    assert not math.isnan(model.evaluate("p99"))
    assert np.isfinite(model.evaluate("p99"))


def test_more_queues_never_hurt_and_the_formula_keeps_queues_symbolic():
    import sympy as sp

    model = Model(get("hardware_assist", backend_time=30e-6), "bulk_transfer", Platform(vms=2, cores=8))
    q = np.arange(1, 12)
    latency = model.evaluate("mean_latency", queues=q)
    limit = model.evaluate("throughput_limit", queues=q)
    assert np.all(np.diff(latency[np.isfinite(latency)]) <= 1e-15) and np.all(np.diff(limit) >= -1e-9)
    assert limit[-1] == pytest.approx(limit[7], rel=1e-12)  # capped at the host's 8 cores
    expr = model.expression("throughput_limit").expr
    names = {str(x) for x in expr.free_symbols}
    assert {"queues", "cores"} <= names and expr.has(sp.Min)


def test_time_sliced_vcpus_are_preempted_by_the_workers_as_by_the_pooled_back_end():
    # the workers' busy time is host work on the cores: a time-sliced vCPU waits behind it as it did
    # behind the pooled back-end, so the vCPU's response and the slice wait are the first model's; the
    # host's cores are the first model's too without wake-ups, and under the default (wakeups="on") they
    # differ by the back-end's wake-ups only: a worker is woken at its own idle probability p (one queue's
    # load), a pooled core at p_core (the 3 VMs' back-end work spread over the 2 cores)
    from virtmodel.timeslices import TimeSlices

    w, platform = Workload(arrival_rate=2e3), Platform(cores=2, vcpus=1)
    for queues in (1, 2):
        for wakeups in ("off", "on"):
            tech = get("hardware_assist", queues=queues, backend_time=40e-6, wakeups=wakeups)
            new = Host([VMGroup(tech, w, 3), VMGroup("native", w, 1)], platform, TimeSlices()).results()[0]
            old = Host([VMGroup(_pooled(tech), w, 3), VMGroup("native", w, 1)], platform, TimeSlices()).results()[0]
            assert new.stations["guest"][0] == pytest.approx(old.stations["guest"][0], rel=1e-9)
            assert new.vacation_wait == pytest.approx(old.vacation_wait, rel=1e-9)
            assert "vhost" in new.stations and "host" in old.stations
            a, b = w.io_ops * _per_packet(tech, platform, w), tech.backend_wake_time
            lam, lam_core = w.arrival_rate / queues, 3 * w.arrival_rate / platform.cores
            p, p_core = (1 - lam * a) / (1 + lam * b), (1 - lam_core * a) / (1 + lam_core * b)
            wakes = 3 * w.arrival_rate * b * (p - p_core) if wakeups == "on" else 0.0
            assert new.host_cores - old.host_cores == pytest.approx(wakes, rel=1e-9, abs=1e-15)
            assert wakeups == "off" or new.host_cores > old.host_cores  # here a worker idles more than a core
