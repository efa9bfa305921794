"""The host's user-space switch daemon and its flooding (techniques/switch_daemon.py) on hardware_assist.

Checks: a kernel switch (the default ``none``, ``bridge``) is the previous model and has no daemon station;
the daemon's demand per request by hand (wire frames; a read's copy and N writes per frame); flooding with one
VM on the daemon is the learning daemon to the last digit; more VMs on a flooding daemon never help (laws);
on a Host an idle neighbour on the daemon costs the measured group its writes, one off the daemon nothing; the
Host's symbolic formula agrees with its numbers; the station network against the discrete-event oracle, one
Model and a two-class host; a disk block request does not cross the switch; bad values named; the requirement's
settings on its three recipes, read without computing them.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from virtmodel.errors import ParameterError
from virtmodel.host import Host, VMGroup
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.switch_daemon import DAEMON_SWITCHES, SWITCH_DAEMON, on_one_daemon, uses_daemon
from virtmodel.workload import Workload

METRICS = ("mean_latency", "latency_variance", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores",
           "overhead", "guest_cores_left")
PLATFORM = Platform(cores=8, clock_hz=3.2e9, device_bandwidth=1e11)
#: a made-up stream: 30 frames of 1200 bytes per request (segments on the VM's own path, wire frames at the daemon)
STREAM = Workload(arrival_rate=1e3, cpu_time=5e-6, io_ops=30, io_bytes=1200, message_packets=30, io_interrupts=2)
#: a neighbour that offers (almost) no load and no I/O
IDLE = Workload(arrival_rate=1e-3, cpu_time=1e-3, io_ops=0, io_interrupts=0)


def _ha(**kw):
    return get("hardware_assist", **kw)


def test_the_values_and_the_station():
    assert set(DAEMON_SWITCHES) == {"user_switch", "user_switch_flood"}
    assert SWITCH_DAEMON.shared and SWITCH_DAEMON.servers == 1 and SWITCH_DAEMON.cores_of == "host"
    assert not uses_daemon(_ha()) and uses_daemon(_ha(host_switch="user_switch_flood"))
    assert SWITCH_DAEMON not in _ha(host_switch="bridge").own_resources()
    assert SWITCH_DAEMON in _ha(host_switch="user_switch").own_resources()


@pytest.mark.parametrize("switch", ["none", "bridge"])
@pytest.mark.parametrize("preset", ["bulk_transfer", "small_packet_rr", "web_serving"])
def test_a_kernel_switch_is_the_previous_model(switch, preset):
    base = _ha(host_switch=switch)
    model = Model(base, preset, PLATFORM)
    assert "switch_daemon" not in model.station_table().index
    for metric in METRICS:  # the neighbours count only on the daemon
        assert Model(base.replace(switch_neighbours=5), preset, PLATFORM).evaluate(metric) == \
            model.evaluate(metric), metric


def test_the_daemon_demand_by_hand():
    t_cp, c_sys = _ha().copy_time_per_byte, _ha().host_syscall_cycles
    write = c_sys / 3.2e9 + t_cp * 1200
    for switch, vms, nb, n in (("user_switch", 3, 2, 1), ("user_switch_flood", 1, 0, 1),
                               ("user_switch_flood", 3, 0, 3), ("user_switch_flood", 2, 4, 6)):
        table = Model(_ha(host_switch=switch, switch_neighbours=nb), STREAM, PLATFORM.replace(vms=vms)).station_table()
        # 30 wire frames whatever the VM's own path segments: a read's copy and n writes each
        assert table.loc["switch_daemon", "demand"] == pytest.approx(30 * (t_cp * 1200 + n * write), rel=1e-12)
        assert table.loc["switch_daemon", "arrival_rate"] == pytest.approx(vms * 1e3, rel=1e-12)
    # the VM's own vhost worker keeps its per-segment work (no switch time there)
    plain = Model(_ha(), STREAM, PLATFORM).station_table()
    flood = Model(_ha(host_switch="user_switch_flood"), STREAM, PLATFORM).station_table()
    assert flood.loc["vhost", "demand"] == plain.loc["vhost", "demand"]


@pytest.mark.parametrize("path", ["virtio", "virtio_user", "emulated"])
def test_flooding_one_vm_is_the_learning_daemon(path):
    platform = PLATFORM.replace(vms=1)
    flood, learn = _ha(io_path=path, host_switch="user_switch_flood"), _ha(io_path=path, host_switch="user_switch")
    for metric in METRICS + ("p99",):
        assert Model(flood, STREAM, platform).evaluate(metric) == Model(learn, STREAM, platform).evaluate(metric)
    # on a host: one VM alone on the daemon, and the learning daemon with any neighbours
    alone = Host([VMGroup(flood, STREAM)], platform).results()[0]
    learning = Host([VMGroup(learn, STREAM), VMGroup(learn, IDLE, 3)], platform).results()[0]
    assert alone.throughput_limit == learning.throughput_limit
    assert alone.mean_latency == pytest.approx(learning.mean_latency, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(n=st.lists(st.integers(0, 12), min_size=2, max_size=2), vms=st.integers(1, 4),
       rate=st.floats(1.0, 2e3))
def test_more_vms_on_a_flooding_daemon_never_help(n, vms, rate):
    lo, hi = sorted(n)
    work = STREAM.replace(arrival_rate=rate)
    a = Model(_ha(host_switch="user_switch_flood", switch_neighbours=lo), work, PLATFORM.replace(vms=vms))
    b = Model(_ha(host_switch="user_switch_flood", switch_neighbours=hi), work, PLATFORM.replace(vms=vms))
    assert b.evaluate("throughput_limit") <= a.evaluate("throughput_limit")
    if rate < 0.99 * b.evaluate("throughput_limit"):  # both stable
        assert b.evaluate("mean_latency") >= a.evaluate("mean_latency")
    learn = Model(_ha(host_switch="user_switch"), work, PLATFORM.replace(vms=vms))
    assert a.evaluate("throughput_limit") <= learn.evaluate("throughput_limit")


def test_idle_neighbours_on_the_daemon_cost_the_measured_vm_their_writes():
    flood = _ha(host_switch="user_switch_flood")
    for idle in (1, 2, 3):
        host = Host([VMGroup(flood, STREAM), VMGroup(flood, IDLE, idle)], PLATFORM)
        mine = host.results()[0]
        # the measured group's daemon demand: N = 1 + idle writes per frame, as a Model with those neighbours
        alone = Model(flood.replace(switch_neighbours=idle), STREAM, PLATFORM.replace(vms=1))
        table = alone.station_table()
        assert mine.throughput_limit == pytest.approx(min(table["capacity"]), rel=1e-9)
        assert mine.stations["switch_daemon"][0] == pytest.approx(table.loc["switch_daemon", "response_time"],
                                                                  rel=1e-6)
    # a neighbour off the daemon (a kernel switch) is not on it
    off = Host([VMGroup(flood, STREAM), VMGroup(_ha(), IDLE, 3)], PLATFORM).results()[0]
    assert off.throughput_limit == Host([VMGroup(flood, STREAM)], PLATFORM).results()[0].throughput_limit
    techs = on_one_daemon(Host([VMGroup(flood, STREAM, 2), VMGroup(_ha(), IDLE, 3), VMGroup(flood, IDLE, 4)]).groups)
    assert [getattr(t, "switch_neighbours") for t in techs] == [4, 0, 2]


def test_the_host_formula_agrees_with_its_numbers():
    flood = _ha(host_switch="user_switch_flood")
    host = Host([VMGroup(flood, STREAM), VMGroup(flood, STREAM.replace(arrival_rate=300.0), 2)], PLATFORM)
    values = host.expression_values()
    assert values["switch_neighbours_0"] == 2 and values["switch_neighbours_1"] == 1
    for g, (expr, result) in enumerate(zip(host.expression(), host.results())):
        assert f"switch_neighbours_{g}" in {x.name for x in expr.free_symbols}
        number = float(expr.xreplace({x: values[x.name] for x in expr.free_symbols}).evalf())
        assert number == pytest.approx(result.mean_latency, rel=1e-9)


def test_a_disk_block_request_does_not_cross_the_switch():
    assert _ha(host_switch="user_switch_flood").block_io_view().host_switch == "none"


def test_the_daemon_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    tech = _ha(host_switch="user_switch_flood")
    base = Model(tech, STREAM, PLATFORM.replace(vms=3))
    model = Model(tech, base.workload.replace(arrival_rate=0.6 * base.evaluate("throughput_limit")), base.platform)
    assert model.station_table()["utilization"].idxmax() == "switch_daemon"  # the flooding daemon binds
    sim, delay = simulate_model(model, customers=40_000, seed=7)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)


def test_a_two_group_host_agrees_with_the_simulation():
    """Two groups on one flooding daemon (N = 2 writes per frame for each), of unequal frame sizes: the daemon as
    one FCFS server with a class per group (the shared host's composition, Pollaczek-Khinchine) against an event
    simulation of that server with the two classes' demands. A request's frame count has index of dispersion 30
    (= its 30 frames), which makes the daemon's service exponential-like (SCV 1), as the simulation's."""
    from virtmodel.simulate import simulate_multiclass_network

    flood = _ha(host_switch="user_switch_flood")
    work = STREAM.replace(count_dispersion=30.0)
    other = work.replace(io_bytes=400.0)
    probe = Host([VMGroup(flood, work), VMGroup(flood, other)], PLATFORM)
    rates = [0.5 * probe.results()[0].throughput_limit, 0.3 * probe.results()[1].throughput_limit]
    host = Host([VMGroup(flood, work.replace(arrival_rate=rates[0])), VMGroup(flood, other.replace(arrival_rate=rates[1]))],
                PLATFORM)
    techs = on_one_daemon(host.groups)
    assert [t.switch_neighbours for t in techs] == [1, 1]
    tables = [Model(t, g.workload, PLATFORM.replace(vms=1)).station_table() for g, t in zip(host.groups, techs)]
    demands = [tab.loc["switch_daemon", "demand"] for tab in tables]
    assert [tab.loc["switch_daemon", "service_scv"] for tab in tables] == pytest.approx([1.0, 1.0], rel=1e-12)
    sim = simulate_multiclass_network(rates, [0, 0], [demands], 1, customers=80_000, seed=11)
    for g, result in enumerate(host.results()):
        assert result.stations["switch_daemon"][0] == pytest.approx(sim.response_time.mean[0][g], rel=0.04), g


@pytest.mark.parametrize("kw, named", [
    (dict(host_switch="user_switch_floods"), "host_switch"), (dict(switch_neighbours=-1), "switch_neighbours"),
    (dict(switch_neighbours=1.5), "switch_neighbours"), (dict(switch_neighbours=float("nan")), "switch_neighbours"),
])
def test_bad_values_are_named(kw, named):
    with pytest.raises(ParameterError, match=named):
        _ha(**kw)


def test_other_techniques_do_not_offer_the_daemon():
    with pytest.raises(ParameterError, match="host_switch"):
        get("paravirtual", host_switch="user_switch_flood")


def test_the_requirement_stands_for_flooding_on_its_three_recipes_only():
    from virtmodel.validation import applications

    assert "software_switch_flooding" in applications.SUPPORTED_MECHANISMS
    assert applications.REQUIREMENT_SETTINGS["software_switch_flooding"] == {"host_switch": "user_switch_flood"}
    recipes = applications.recipes()
    named = sorted(k for k, r in recipes.items() if "software_switch_flooding" in r["requires"])
    assert named == [f"socket_vmnet_flood2024.iperf3_{n}_vms" for n in (2, 3, 4)]
    for key in named:  # read, not computed: the hosts the harness would build
        needs = applications._requirement_settings(recipes[key])
        spec = recipes[key]["host"]
        for side in (spec, spec["reference"]):
            host = applications._host(side, {}, None, settings=needs)
            assert all(g.technique.host_switch == "user_switch_flood" for g in host.groups)
            assert sum(g.count for g in host.groups) in ((1,) if side is not spec else (int(key[-5]),))
    # no other shared-host recipe has a requirement that stands for a technique setting: no other row can move
    others = [k for k, r in recipes.items() if "host" in r and k not in named
              and applications._requirement_settings(r)]
    assert others == []
