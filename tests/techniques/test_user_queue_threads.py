"""A user-space back-end's threads per queue pair (techniques/user_queue_threads.py) and the recipes'
``reference_params`` (validation/applications.py).

Checks: ``user_queue_threads="one"`` (the default) and ``queues=1`` are the previous model exactly; the
per-queue I/O thread against a hand computation at q = 2 (arrivals lambda/2, the same work per request,
an M/G/1 station of the queueing core, capacity 2 / S_thr); monotone in ``queues`` up to the host's cores
and capped there; the same split and helper as the vhost workers; the wake-up of a queue pair's thread
at its own idle probability; other paths ignore the flag; the closed model; the station network against
the discrete-event oracle; bad values; the recipes' ``reference_params`` (passed to the reference, checked
as ``technique_params`` are) without computing the two rows they were written for.
"""

from __future__ import annotations

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.queueing import mg1, mva
from virtmodel.techniques import get
from virtmodel.techniques.io_paths import IOTHREAD, VHOST, back_end_thread, thread_of
from virtmodel.techniques.user_queue_threads import IOTHREAD_PER_QUEUE, LAYOUTS
from virtmodel.workload import Workload

METRICS = ("mean_latency", "latency_variance", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores",
           "overhead", "guest_cores_left")
#: a back-end slow enough that the I/O thread binds (100 us per I/O, four I/Os per request)
BOUND = dict(io_path="virtio_user", backend_time=100e-6, copy_time_per_byte=0.0)
W = Workload(arrival_rate=1e3, io_ops=4)


def _user(**kw):
    """virtio_user with the wake-up-free path (``wakeups="off"``) unless a test asks: the hand computations below
    add fixed costs per request; tests that compare with the default pass ``wakeups`` explicitly."""
    return get("hardware_assist", **{"io_path": "virtio_user", "wakeups": "off", **kw})


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("preset", ["bulk_transfer", "small_packet_rr", "web_serving"])
def test_one_thread_and_one_queue_are_the_previous_model(metric, preset):
    old = Model(_user(), preset, Platform(cores=8)).evaluate(metric)
    # the default layout whatever queues says (QEMU's main loop, Firecracker's VMM thread)
    assert Model(_user(queues=4), preset, Platform(cores=8)).evaluate(metric) == pytest.approx(old, rel=1e-12)
    # a thread per queue pair with one queue pair: the same station
    assert Model(_user(user_queue_threads="per_queue"), preset, Platform(cores=8)).evaluate(metric) == \
        pytest.approx(old, rel=1e-12)
    # with wake-ups on (the reported model's setting) too
    on = Model(_user(wakeups="on"), preset, Platform(cores=8)).evaluate(metric)
    assert Model(_user(wakeups="on", user_queue_threads="per_queue"), preset, Platform(cores=8)).evaluate(metric) == \
        pytest.approx(on, rel=1e-12)


def test_the_default_layout_keeps_the_class_resources():
    assert _user().user_queue_threads == "one" and set(LAYOUTS) == {"one", "per_queue"}
    assert _user().own_resources() == type(_user()).resources
    split = _user(user_queue_threads="per_queue").own_resources()
    assert IOTHREAD_PER_QUEUE in split and IOTHREAD not in split and VHOST in split
    # the same helper and split as the vhost workers: only the name and the description differ
    assert IOTHREAD_PER_QUEUE.splits == VHOST.splits == "queues"
    assert IOTHREAD_PER_QUEUE == back_end_thread("iothread", "queues", IOTHREAD_PER_QUEUE.description)
    assert thread_of(_user(user_queue_threads="per_queue"), "iothread") is IOTHREAD_PER_QUEUE
    assert thread_of(_user(), "iothread") is IOTHREAD and thread_of(_user(), "host") is None


def test_two_queue_pairs_by_hand():
    platform = Platform(cores=8)
    tech = _user(user_queue_threads="per_queue", queues=2, **BOUND)
    t = tech
    # the thread's work per request: n_io (t_be + k_usys c_hsys / f), no switch, no copy
    s_thr = W.io_ops * (t.backend_time + t.userspace_syscalls_per_io * t.host_syscall_cycles / platform.clock_hz)
    model = Model(tech, W, platform)
    row = model.station_table().loc["iothread"]
    assert row["splits"] == 2 and row["servers"] == 1
    assert row["arrival_rate"] == pytest.approx(W.arrival_rate / 2, rel=1e-12)
    assert row["demand"] == pytest.approx(s_thr, rel=1e-12)
    want = mg1(W.arrival_rate / 2, s_thr, row["service_scv"])
    assert row["response_time"] == pytest.approx(float(want.response_time), rel=1e-12)
    assert row["utilization"] == pytest.approx(W.arrival_rate / 2 * s_thr, rel=1e-12)
    # the I/O thread binds: two threads double the VM's limit, 2 / S_thr
    one = Model(tech.replace(user_queue_threads="one"), W, platform)
    assert one.evaluate("throughput_limit") == pytest.approx(1 / s_thr, rel=1e-12)
    assert model.evaluate("throughput_limit") == pytest.approx(2 / s_thr, rel=1e-12)
    # the same host CPU per request: the work is split, not changed
    for metric in ("host_cores", "cpu_per_request", "guest_cores"):
        assert model.evaluate(metric) == pytest.approx(one.evaluate(metric), rel=1e-12), metric
    # the latency falls by the thread's queueing only: M/G/1 at lambda/2 in place of lambda
    lone = one.station_table().loc["iothread", "response_time"]
    assert one.evaluate("mean_latency") - model.evaluate("mean_latency") == pytest.approx(
        lone - float(want.response_time), rel=1e-9)


def test_monotone_in_queues_up_to_the_cores_and_capped_there():
    cores = 6
    model = Model(_user(user_queue_threads="per_queue", **BOUND), W.replace(arrival_rate=2e3), Platform(cores=cores))
    q = np.arange(1, cores + 4)
    limit = model.evaluate("throughput_limit", queues=q)
    latency = model.evaluate("mean_latency", queues=q)
    finite = latency[np.isfinite(latency)]
    assert np.all(np.diff(limit) >= -1e-9) and np.all(np.diff(finite) <= 1e-15)
    assert limit[1] > 1.9 * limit[0]  # while the thread binds, each queue pair adds a thread's capacity
    assert limit[-1] == pytest.approx(limit[cores - 1], rel=1e-12)  # no more threads run than the host's cores
    # the NumPy path is the scalar path
    for i, qi in enumerate(q):
        assert limit[i] == pytest.approx(model.evaluate("throughput_limit", queues=int(qi)), rel=1e-12)
    assert Model(model.technique.replace(queues=cores + 3), model.workload, model.platform).station_table().loc[
        "iothread", "splits"] == cores
    # the formula keeps queues symbolic, capped by the cores
    import sympy as sp

    expr = model.expression("throughput_limit").expr
    assert {"queues", "cores"} <= {str(x) for x in expr.free_symbols} and expr.has(sp.Min)
    # the one-thread layout ignores queues
    one = Model(_user(**BOUND), W.replace(arrival_rate=2e3), Platform(cores=cores)).evaluate("throughput_limit", queues=q)
    assert np.allclose(one, one[0], rtol=1e-12)


def test_the_thread_of_a_queue_pair_wakes_at_its_own_idle_probability():
    w = Workload(arrival_rate=4e3)
    for q in (1, 2, 3):
        on = _user(wakeups="on", user_queue_threads="per_queue", queues=q)
        off = on.replace(wakeups="off")
        thread = Model(off, w).station_table().loc["iothread"]
        lam, a, b = w.arrival_rate / q, thread["demand"], on.backend_wake_time
        p = (1 - lam * a) / (1 + lam * b)
        one_on = _user(wakeups="on")
        lam1 = w.arrival_rate
        p1 = (1 - lam1 * a) / (1 + lam1 * b)
        gap = Model(on, w).evaluate("cpu_per_request") - Model(one_on, w).evaluate("cpu_per_request")
        assert gap == pytest.approx(b * (p - p1), rel=1e-6, abs=1e-15), q
        assert (gap > 0) == (q > 1)  # a thread fed lambda/q is idle more often: more wake-ups


@pytest.mark.parametrize("path", ["virtio", "emulated", "vhost_user", "virtio_pooled"])
def test_other_paths_ignore_the_layout(path):
    for metric in METRICS:
        a = Model(get("hardware_assist", io_path=path, queues=2), "bulk_transfer").evaluate(metric)
        b = Model(get("hardware_assist", io_path=path, queues=2, user_queue_threads="per_queue"),
                  "bulk_transfer").evaluate(metric)
        assert a == pytest.approx(b, rel=1e-12), metric


def test_nested_splits_l0_thread_only():
    tech = get("nested", io_path="virtio_user", user_queue_threads="per_queue", queues=2)
    table = Model(tech, "bulk_transfer", Platform(cores=8)).station_table()
    assert table.loc["iothread", "splits"] == 2
    assert table.loc["l1_iothread", "splits"] == 1


def test_the_closed_model_visits_one_thread_of_q_per_request():
    tech, w = _user(user_queue_threads="per_queue", queues=2, **BOUND), Workload(arrival_rate=1.0, io_ops=4)
    model = Model(tech, w, Platform(vms=1))
    table = model.station_table()
    result = model.closed(users=3, think_time=1e-3)
    demands = [table.loc[n, "demand"] / table.loc[n, "splits"] for n in table.index
               for _ in range(int(table.loc[n, "splits"])) if table.loc[n, "demand"] > 0]
    want = mva(demands, 3, think_time=1e-3 + table.attrs["delay"])
    assert float(result.metrics["throughput"]) == pytest.approx(float(want.system_throughput), rel=1e-9)


@pytest.mark.slow
def test_per_queue_threads_agree_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    tech = _user(user_queue_threads="per_queue", queues=2, backend_time=20e-6)
    base = Model(tech, "small_packet_rr", Platform(cores=4))
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, base.workload.replace(arrival_rate=rate), base.platform)
    row = model.station_table().loc["iothread"]
    assert row["splits"] == 2 and row["utilization"] > 0.3  # two threads, each queueing visibly
    sim, delay = simulate_model(model, customers=40_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


@pytest.mark.parametrize("kw, named", [
    (dict(user_queue_threads="two"), "user_queue_threads"), (dict(user_queue_threads=2), "user_queue_threads"),
    (dict(user_queue_threads="per_queue", queues=0), "queues"),
    (dict(user_queue_threads="per_queue", queues=1.5), "queues"),
])
def test_bad_values_are_named(kw, named):
    with pytest.raises(ParameterError, match=named):
        _user(**kw)


# --- the recipes' reference_params (validation/applications.py) ---------------------------------------------

ROWS = ("chv_netmq_pr2019.iperf_2q_run1", "chv_netmq_pr2019.iperf_2q_run2")
ANOTHER = "netkvm_mq_issue2018.iperf_centos_32q"  # a modelled row whose reference is hardware_assist


def _with_recipe(monkeypatch, **extra):
    """ANOTHER's recipe with ``extra`` keys put in (``reference_params``, ``reference_platform``)."""
    from virtmodel.validation import applications

    base = applications.recipes()
    recipe = {**base[ANOTHER], **extra}
    monkeypatch.setattr(applications, "recipes", lambda: {**base, ANOTHER: recipe})
    return recipe


def _with_reference(monkeypatch, params):
    return _with_recipe(monkeypatch, reference_params=params)


def test_reference_params_reach_the_reference(monkeypatch):
    from virtmodel.validation.applications import predict

    recipe = _with_reference(monkeypatch, {})
    default, status = predict(ANOTHER)
    assert status == "modelled"
    # the reference given the technique's own settings: the same model, a ratio of exactly one
    _with_reference(monkeypatch, dict(recipe["technique_params"]))
    same, _ = predict(ANOTHER)
    assert same == pytest.approx(1.0, rel=1e-12) and recipe["technique_params"]["queues"] > 1
    # the reference's defaults named explicitly: the row without reference_params
    _with_reference(monkeypatch, {"io_path": "virtio", "queues": 1})
    assert predict(ANOTHER)[0] == pytest.approx(default, rel=1e-12)


@pytest.mark.parametrize("params, named", [({"no_such_setting": 1}, "no_such_setting"), (["queues"], "reference_params"),
                                           ({"queues": 0}, "queues")])
def test_bad_reference_params_are_named(monkeypatch, params, named):
    from virtmodel.validation.applications import predict

    _with_reference(monkeypatch, params)
    with pytest.raises(ParameterError, match=named):
        predict(ANOTHER)


def test_the_two_multiqueue_recipes_name_the_same_vmm_with_one_queue_pair():
    # read without computing either row (pre-registration: no prediction of them before it)
    from virtmodel.validation.applications import (SUPPORTED_MECHANISMS, _missing, _recipe_settings,
                                                   _reference_settings, recipes)

    assert "user_space_multiqueue_backend" in SUPPORTED_MECHANISMS
    needing = [r for r, recipe in recipes().items() if "user_space_multiqueue_backend" in recipe["requires"]]
    assert sorted(needing) == list(ROWS)
    with_reference = [r for r, recipe in recipes().items() if "reference_params" in recipe
                      and "vmm_device_model_implementation" not in recipe["requires"]]  # vmmimpl's (block_handoff)
    assert sorted(with_reference) == list(ROWS)  # no other recipe changed
    for row in ROWS:
        recipe = recipes()[row]
        assert _missing(recipe, None) is None
        assert _recipe_settings(recipe) == {"user_queue_threads": "per_queue", "io_path": "virtio_user", "queues": 2}
        assert _reference_settings(recipe) == {"io_path": "virtio_user", "queues": 1, "user_queue_threads": "per_queue"}
        assert recipe["reference"] == recipe["technique"] == "hardware_assist"
        assert "[mquser, set before any prediction of this row was computed]" in recipe["note"]


def _with_reference_platform(monkeypatch, settings):
    return _with_recipe(monkeypatch, reference_platform=settings)


def test_reference_platform_reaches_the_reference_side_only(monkeypatch):
    from virtmodel.model import Model
    from virtmodel.platform import Platform
    from virtmodel.validation.applications import predict, recipes

    recipe = recipes()[ANOTHER]
    default, _ = predict(ANOTHER)
    # the recipe's own platform named again: the row as it was
    _with_reference_platform(monkeypatch, {})
    assert predict(ANOTHER)[0] == pytest.approx(default, rel=1e-15)
    # a thousandth of the device's bandwidth for the reference only: the reference's throughput limit falls
    # and the technique's side is unchanged, so the ratio grows by the reference's loss, by hand
    slow = {**recipe["platform"], "device_bandwidth": recipe["platform"]["device_bandwidth"] / 1000}
    _with_reference_platform(monkeypatch, {"device_bandwidth": slow["device_bandwidth"]})
    moved, status = predict(ANOTHER)
    before = Model("hardware_assist", recipe["workload"], Platform(**recipe["platform"])).evaluate("throughput_limit")
    after = Model("hardware_assist", recipe["workload"], Platform(**slow)).evaluate("throughput_limit")
    assert status == "modelled" and after < before
    assert moved == pytest.approx(default * before / after, rel=1e-9)


@pytest.mark.parametrize("settings, named", [(["cores"], "reference_platform"), ({"no_such": 1}, "no_such"),
                                             ({"cores": -1}, "cores")])
def test_bad_reference_platform_is_named(monkeypatch, settings, named):
    from virtmodel.validation.applications import predict

    _with_reference_platform(monkeypatch, settings)
    with pytest.raises(ParameterError, match=named):
        predict(ANOTHER)
