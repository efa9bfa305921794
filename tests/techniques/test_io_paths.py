"""I/O paths (techniques/io_paths.py): limiting cases, the table's consistency, laws, the simulation oracle."""

import math

import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.model.simulation import simulate_model
from virtmodel.platform import Platform
from virtmodel.techniques import TECHNIQUES, get
from virtmodel.techniques.io_paths import HOST_SWITCHES, PATHS
from virtmodel.workload import Workload

from test_laws import LIGHT, _costs, _raised, assert_costs_only_hurt
from test_vhost import _pooled

#: technique -> the paths it offers (its io_path options, or its fixed row)
OFFERED = {
    "hardware_assist": ("virtio", "emulated", "virtio_user", "vhost_user", "virtio_pooled"),
    "nested": ("virtio", "emulated", "virtio_user", "vhost_user", "virtio_pooled"),
    "paravirtual": ("split", "driver_domain", "direct"),
    "binary_translation": ("binary_emul", "hosted"),
    "emulation": ("binary_emul", "hosted"),
    "sriov": ("passthrough",),
    "nitro": ("card",),
}
NEW_VARIANTS = {
    "hw_virtio_user": get("hardware_assist", io_path="virtio_user"),
    "hw_vhost_user": get("hardware_assist", io_path="vhost_user"),
    "hw_virtio_bridge_nat": get("hardware_assist", host_switch="bridge_nat"),
    "hw_emulated_ovs": get("hardware_assist", io_path="emulated", host_switch="ovs"),
    "hw_vhost_user_ovs_dpdk": get("hardware_assist", io_path="vhost_user", host_switch="ovs_dpdk"),
    "pv_driver_domain": get("paravirtual", io_path="driver_domain"),
    "pv_driver_domain_bridge": get("paravirtual", io_path="driver_domain", host_switch="bridge"),
    "bt_hosted": get("binary_translation", io_path="hosted"),
    "bt_macvtap": get("binary_translation", host_switch="macvtap"),
}
POLLING_METRICS = ("host_cores", "guest_cores_left")


def _lone(model):
    return model.evaluate("mean_latency", arrival_rate=1e-9)


@pytest.mark.parametrize("name", OFFERED)
def test_every_parameter_a_path_reads_belongs_to_the_technique(name):
    fields = set(TECHNIQUES[name].__dataclass_fields__)
    options = TECHNIQUES[name].__dataclass_fields__.get("io_path")
    if options is not None:
        assert set(options.metadata["options"]) == set(OFFERED[name])
    for path in OFFERED[name]:
        assert set(PATHS[path].parameters()) <= fields, (name, path, set(PATHS[path].parameters()) - fields)
        if PATHS[path].through_host:
            assert {p for names in HOST_SWITCHES.values() for p in names} <= fields


def test_a_path_or_switch_a_technique_does_not_offer_is_refused_by_name():
    with pytest.raises(ParameterError, match="io_path"):
        get("paravirtual", io_path="virtio")
    with pytest.raises(ParameterError, match="io_path"):
        get("binary_translation", io_path="vhost_user")
    with pytest.raises(ParameterError, match="host_switch"):
        get("hardware_assist", host_switch="vde")


@pytest.mark.parametrize("name, default", [("hardware_assist", "virtio"), ("paravirtual", "split"),
                                           ("binary_translation", "binary_emul")])
def test_the_first_model_is_the_default_path_without_a_switch(name, default):
    tech = get(name)
    assert (tech.io_path, tech.host_switch) == (default, "none")


def _any_core(tech):
    """virtio_user before the I/O thread: its device-model work pooled on the host's cores (the first
    model's virtio, its back-end on any host core: test_vhost's oracle)."""
    per_io = tech.backend_time + tech.userspace_syscalls_per_io * tech.host_syscall_cycles / Platform().clock_hz
    return _pooled(get("hardware_assist", backend_time=per_io, host_switch=tech.host_switch,
                       copy_time_per_byte=tech.copy_time_per_byte,   # both copy the payload once
                       wakeups=tech.wakeups))


ALL_METRICS = ("mean_latency", "host_cores", "cpu_per_request", "throughput_limit", "p99")


def test_virtio_user_on_one_vm_with_one_host_core_is_its_work_on_the_host():
    # one VM on a one-core host: the host's only core is a single server fed by that VM alone, like the thread
    w, platform = Workload(arrival_rate=2e3), Platform(vms=1, cores=1)
    tech = get("hardware_assist", io_path="virtio_user", wakeups="off")   # the first model's arithmetic
    for metric in ALL_METRICS:
        assert Model(tech, w, platform).evaluate(metric) == pytest.approx(
            Model(_any_core(tech), w, platform).evaluate(metric), rel=1e-12), metric


def test_the_io_thread_moves_no_cpu_time_and_no_lone_latency():
    tech = get("hardware_assist", io_path="virtio_user", wakeups="off")   # the first model's arithmetic
    for rate in (1.0, 2e3, 8e3):
        w = Workload(arrival_rate=rate)
        for metric in ("host_cores", "cpu_per_request"):
            assert Model(tech, w).evaluate(metric) == pytest.approx(Model(_any_core(tech), w).evaluate(metric),
                                                                    rel=1e-12), metric
    w = Workload(arrival_rate=1.0)
    assert _lone(Model(tech, w)) == pytest.approx(_lone(Model(_any_core(tech), w)), rel=1e-9)


def test_a_very_fast_io_thread_is_virtio_user_on_any_host_core():
    base, w = get("hardware_assist", io_path="virtio_user", backend_time=20e-6, wakeups="off"), Workload(arrival_rate=5e3)
    gaps = []
    for eps in (1.0, 1e-3, 1e-6):
        tech = base.replace(backend_time=eps * base.backend_time,
                            userspace_syscalls_per_io=eps * base.userspace_syscalls_per_io,
                            copy_time_per_byte=eps * base.copy_time_per_byte)
        got, want = Model(tech, w), Model(_any_core(tech), w)
        for metric in ALL_METRICS:
            assert got.evaluate(metric) >= want.evaluate(metric) * (1 - 1e-12) if metric != "throughput_limit" \
                else got.evaluate(metric) <= want.evaluate(metric) * (1 + 1e-12), (eps, metric)
        gaps.append(got.evaluate("mean_latency") / want.evaluate("mean_latency") - 1)
    assert gaps[0] > 1e-3  # the thread's queue is visible at full cost ...
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-8  # ... and vanishes with its time per I/O


@pytest.mark.parametrize("vms", [1, 8])
def test_one_io_thread_caps_the_vm_io_rate_at_one_over_its_time_per_io(vms):
    w, platform = Workload(arrival_rate=1e3), Platform(vms=vms, cores=32)
    tech = get("hardware_assist", io_path="virtio_user", backend_time=200e-6)
    thread = (tech.backend_time + tech.userspace_syscalls_per_io * tech.host_syscall_cycles / platform.clock_hz
              + tech.copy_time_per_byte * w.io_bytes)  # one copy of the payload (payload_copy.COPIES)
    table = Model(tech, w, platform).station_table()
    assert table.loc["iothread", "servers"] == 1
    assert table.loc["iothread", "demand"] == pytest.approx(w.io_ops * thread, rel=1e-12)
    # the VM's requests are capped by its own thread, whatever the number of VMs and idle cores
    assert Model(tech, w, platform).evaluate("throughput_limit") == pytest.approx(1 / (w.io_ops * thread), rel=1e-12)
    assert Model(_any_core(tech), w, platform).evaluate("throughput_limit") > 1 / (w.io_ops * thread)


def test_the_emulated_path_keeps_its_back_end_on_the_host_cores():
    table = Model(get("hardware_assist", io_path="emulated"), Workload(arrival_rate=2e3)).station_table()
    assert "iothread" not in table.index and "host" in table.index


def test_virtio_user_adds_its_system_calls_to_the_back_end_exactly():
    w, tech = Workload(arrival_rate=2e3), get("hardware_assist", io_path="virtio_user", wakeups="off")
    extra = w.io_ops * tech.userspace_syscalls_per_io * tech.host_syscall_cycles / Platform().clock_hz
    gap = Model(tech, w).evaluate("cpu_per_request") - Model(get("hardware_assist", wakeups="off"), w).evaluate("cpu_per_request")
    assert gap == pytest.approx(extra, rel=1e-9)


@pytest.mark.parametrize("switch", list(HOST_SWITCHES))
def test_a_host_switch_adds_its_per_packet_cycles_to_the_back_end(switch):
    w = Workload(arrival_rate=2e3)
    for name in ("hardware_assist", "paravirtual"):
        tech = get(name, host_switch=switch, wakeups="off")   # the first model's arithmetic
        per_packet = sum(getattr(tech, p) for p in HOST_SWITCHES[switch]) / Platform().clock_hz
        gap = Model(tech, w).evaluate("host_cores") - Model(get(name, wakeups="off"), w).evaluate("host_cores")
        assert gap == pytest.approx(Platform().vms * w.arrival_rate * w.io_ops * per_packet, rel=1e-9, abs=1e-15)


def test_vhost_user_has_no_kicks_and_burns_its_polling_cores_at_any_load():
    tech = get("hardware_assist", io_path="vhost_user", polling_cores=2, wakeups="off")
    for rate in (1e-6, 1e3, 5e3):
        w = Workload(arrival_rate=rate)
        # no host-core work per request is left: only the whole polling cores
        assert Model(tech, w).evaluate("host_cores") == pytest.approx(2.0, rel=1e-12)
    w = Workload(arrival_rate=2e3)
    kicks = w.io_ops * tech.virtio_exits_per_io * (tech.exit_cycles + tech.exit_handling_cycles) / Platform().clock_hz
    virtio_guest = Model(get("hardware_assist", wakeups="off"), w).station_table().loc["guest", "demand"]
    assert Model(tech, w).station_table().loc["guest", "demand"] == pytest.approx(virtio_guest - kicks, rel=1e-12)
    # the poller is a queue of polling_cores servers
    assert Model(tech, w).station_table().loc["poller", "servers"] == 2


def test_busy_poll_and_vhost_user_count_the_polling_cores_once():
    w = Workload(arrival_rate=1e3)
    busy = Model(get("hardware_assist", io_path="vhost_user", wakeups="busy_poll", polling_cores=3), w)
    on = Model(get("hardware_assist", io_path="vhost_user", wakeups="on", polling_cores=3), w)
    # the same vCPU wake-ups; the back-end polls in both; three cores, not six
    assert busy.evaluate("host_cores") == pytest.approx(on.evaluate("host_cores"), rel=1e-12)
    assert 3.0 < busy.evaluate("host_cores") < 3.5


def test_driver_domain_as_large_as_the_host_without_grant_or_switch_costs_is_split():
    w, platform = Workload(arrival_rate=3e3), Platform()
    dd = get("paravirtual", io_path="driver_domain", wakeups="off", grant_copy_cycles=0, domain_switch_cycles=0,
             copy_time_per_byte=0, driver_domain_vcpus=platform.cores)  # split copies no payload (page flips)
    for metric in ("mean_latency", "host_cores", "cpu_per_request", "throughput_limit", "p99"):
        assert Model(dd, w, platform).evaluate(metric) == pytest.approx(
            Model(get("paravirtual", wakeups="off"), w, platform).evaluate(metric), rel=1e-12), metric


def test_one_driver_domain_vcpu_limits_throughput_by_its_work_per_request():
    w = Workload(arrival_rate=1e3)
    tech = get("paravirtual", io_path="driver_domain")
    f = Platform().clock_hz
    per_request = w.io_ops * (tech.backend_time + tech.grant_copy_cycles / f + tech.copy_time_per_byte * w.io_bytes) + \
        w.io_ops / tech.io_batch * tech.domain_switch_cycles / f
    assert Model(tech, w).station_table().loc["driver_domain", "demand"] == pytest.approx(per_request, rel=1e-12)
    limit = Model(tech, w).evaluate("throughput_limit")
    assert limit <= 1 / (Platform().vms * per_request) * (1 + 1e-12)


def test_hosted_lone_request_pays_the_world_switch_instead_of_the_host_back_end():
    w = Workload(arrival_rate=1.0)
    hosted, bt = get("binary_translation", io_path="hosted"), get("binary_translation")
    per_io_only = hosted.replace(world_switch_cycles=0.0)  # without the world switches per host interrupt and tick
    gap = _lone(Model(per_io_only, w)) - _lone(Model(bt, w))
    want = w.io_ops * (hosted.hosted_io_cycles / Platform().clock_hz - bt.backend_time)
    assert gap == pytest.approx(want, rel=1e-6)
    assert _lone(Model(hosted, w)) > _lone(Model(per_io_only, w))  # hosted_world_switch.py adds its terms
    assert "host" not in Model(hosted, w).station_table().index  # the host world runs on the VM's CPU


@pytest.mark.parametrize("variant", NEW_VARIANTS)
@pytest.mark.parametrize("workload", [LIGHT, "small_packet_rr"], ids=["default", "rr"])
def test_zero_cost_paths_are_native(variant, workload):
    tech = Model(NEW_VARIANTS[variant].neutral(), workload)
    native = Model("native", workload)
    polls = PATHS[NEW_VARIANTS[variant].io_path].polls
    for metric in ("mean_latency", "overhead", "throughput_limit", "cpu_per_request", "p99") + POLLING_METRICS:
        got, want = tech.evaluate(metric), native.evaluate(metric)
        if polls and metric in POLLING_METRICS:  # polling cores are burnt whatever the costs
            shift = NEW_VARIANTS[variant].polling_cores
            want = want + shift if metric == "host_cores" else want - shift
        assert got == pytest.approx(want, rel=1e-9, abs=1e-15), metric


@pytest.mark.parametrize("variant, name", list(_costs(NEW_VARIANTS)))
def test_each_path_cost_only_hurts(variant, name):
    """The host's metrics under the first model only (:func:`test_laws.assert_costs_only_hurt`)."""
    assert_costs_only_hurt(NEW_VARIANTS[variant], name, ("overhead", "mean_latency", "p99", "cpu_per_request"))


@pytest.mark.slow
@pytest.mark.parametrize("tech", [get("paravirtual", io_path="driver_domain", driver_domain_vcpus=2),
                                  get("hardware_assist", io_path="vhost_user", host_switch="ovs_dpdk"),
                                  get("hardware_assist", io_path="virtio_user", backend_time=20e-6)],
                         ids=["driver_domain", "vhost_user", "virtio_user_iothread"])
def test_a_path_with_its_own_resource_agrees_with_the_simulation(tech):
    base = Model(tech, "small_packet_rr", Platform(vms=2, cores=4))
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(tech, base.workload.replace(arrival_rate=rate), base.platform)
    sim, delay = simulate_model(model, customers=40_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)
    assert not math.isnan(model.evaluate("p99"))
