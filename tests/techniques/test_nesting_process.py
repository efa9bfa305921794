"""Nested virtualization, user-space syscall interception and containers: limits, calibration, predictions."""

import pytest

from virtmodel.model import Model, metric_names
from virtmodel.platform import Platform
from virtmodel.presets import finding, measurement
from virtmodel.presets.published import NESTING_ROLES
from virtmodel.references import keys
from virtmodel.techniques import get
from virtmodel.workload import Workload

UML_CLOCK = 2.4e9  # Barham et al. 2003: 2.4 GHz Xeon
_ZERO = dict(syscalls=0, page_faults=0, pte_updates=0, context_switches=0, register_writes=0, exceptions=0,
             interrupts=0, io_ops=0, io_interrupts=0, tlb_misses=0)
LIGHT = Workload(arrival_rate=100.0)


def _extra_us(technique, clock=UML_CLOCK, **counts) -> float:
    """Extra CPU microseconds over native of one request made of ``counts`` only."""
    platform = Platform(clock_hz=clock, cores=1, vms=1)
    w = Workload(**{**_ZERO, "cpu_time": 1e-9, "kernel_fraction": 0.0, **counts})
    cpu = [Model(t, w, platform).evaluate("cpu_per_request", arrival_rate=1.0) for t in (technique, "native")]
    return (cpu[0] - cpu[1]) * 1e6


def _same_metrics(a: Model, b: Model, skip=()):
    for metric in set(metric_names()) - set(skip):
        got, want = a.evaluate(metric), b.evaluate(metric)
        if isinstance(want, str):
            assert got == want, metric
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-15), metric


# --- limiting cases ------------------------------------------------------------------------------
@pytest.mark.parametrize("flags", [{}, {"vmcs_shadowing": True}, {"nested_paging": False},
                                   {"io_path": "emulated", "nested_paging": False}])
def test_nesting_factor_one_is_single_level_hardware_assist(flags):
    # M = 1 and no L1 back-end (multi-level device assignment; the two-level I/O path: test_nested_io.py)
    nested = get("nested", exit_multiplier=1, shadowed_exit_multiplier=1, l1_io_path="passthrough", **flags)
    single = get("hardware_assist", **{k: v for k, v in flags.items() if k != "vmcs_shadowing"})
    _same_metrics(Model(nested, LIGHT), Model(single, LIGHT))


def test_nested_without_l2_exits_is_single_level():
    no_exits = LIGHT.replace(interrupts=0, register_writes=0, io_ops=0, io_interrupts=0, exceptions=0)
    _same_metrics(Model(get("nested", l1_io_path="passthrough"), no_exits), Model("hardware_assist", no_exits))
    # without I/O L1's back-end carries nothing either (per I/O: no I/O here, 0/0)
    _same_metrics(Model("nested", no_exits), Model("hardware_assist", no_exits), skip=("host_cores_per_100k_iops",))


def test_zero_syscalls_is_native():
    """On the host network (or without packets: the sandbox's own stack then has nothing to do)."""
    quiet = LIGHT.replace(syscalls=0, page_faults=0, exceptions=0, context_switches=0, pte_updates=0)
    for platform in ("ptrace", "systrap"):
        _same_metrics(Model(get("syscall_intercept", platform=platform, sandbox_network="host"), quiet),
                      Model("native", quiet))
        no_packets = quiet.replace(io_ops=0, io_interrupts=0)
        sandboxed, native = Model(get("syscall_intercept", platform=platform), no_packets), Model("native", no_packets)
        for metric in set(metric_names()) - {"bottleneck", "host_cores_per_100k_iops"}:  # per I/O: no I/O here
            assert sandboxed.evaluate(metric) == pytest.approx(native.evaluate(metric), rel=1e-12, abs=1e-15), metric


@pytest.mark.parametrize("network", ["bridge_nat", "bridge", "host"])
def test_container_without_network_is_native(network):
    quiet = LIGHT.replace(io_ops=0, io_interrupts=0)
    _same_metrics(Model(get("container", network=network), quiet), Model("native", quiet))


def test_container_on_the_host_network_is_native_even_with_packets():
    _same_metrics(Model(get("container", network="host"), "small_packet_rr"), Model("native", "small_packet_rr"))


@pytest.mark.parametrize("name", ["nested", "syscall_intercept", "container"])
def test_neutral_costs_are_native(name):
    _same_metrics(Model(get(name).neutral(), LIGHT), Model("native", LIGHT))


# --- each cost does what the formula says --------------------------------------------------------
def test_an_l2_exit_costs_m_single_level_exits():
    # the exits' arithmetic alone: the first model's interrupts (wakeups="off"), no halt and wake-up of the
    # idle vCPU, which the default adds to both at this load of one request a second
    hw, nested = get("hardware_assist", wakeups="off"), get("nested", wakeups="off")
    one = _extra_us(hw, register_writes=1, interrupts=1)
    assert _extra_us(nested, register_writes=1, interrupts=1) == pytest.approx(nested.exit_multiplier * one)
    shadowed = get("nested", vmcs_shadowing=True, wakeups="off")
    assert _extra_us(shadowed, interrupts=1) == pytest.approx(shadowed.shadowed_exit_multiplier * _extra_us(hw, interrupts=1))


def test_shadow_on_ept_is_costlier_than_multi_dimensional_paging_for_page_table_churn():
    churn = dict(page_faults=10, pte_updates=100, context_switches=5, tlb_misses=100)
    assert _extra_us(get("nested", nested_paging=False), **churn) > 3 * _extra_us(get("nested"), **churn)


def test_vmcs_shadowing_helps():
    w = "kernel_build"
    assert Model(get("nested", vmcs_shadowing=True), w).evaluate("overhead") < Model("nested", w).evaluate("overhead")


def test_container_nat_costs_more_than_a_plain_bridge():
    rr = "small_packet_rr"
    lat = {n: Model(get("container", network=n), rr).evaluate("mean_latency") for n in ("host", "bridge", "bridge_nat")}
    assert lat["host"] < lat["bridge"] < lat["bridge_nat"]


# --- calibration and predictions against the published record ----------------------------------
def _uml_extra(op):
    return measurement(f"xen.lmbench.{op}.uml").value - measurement(f"xen.lmbench.{op}.native").value


def test_ptrace_calibration_reproduces_uml_null_call():
    assert _extra_us("syscall_intercept", syscalls=1) == pytest.approx(_uml_extra("null_call"), rel=1e-3)


@pytest.mark.parametrize("op, counts, miss", [
    ("page_fault", dict(page_faults=1), 0.03),        # extra over native: 24.25 vs 24.88 us, -2.5%
    ("prot_fault", dict(exceptions=1), 0.18),         # 24.25 vs 20.74 us, +16.9%
    ("ctx_switch_2p_0k", dict(context_switches=1), 0.19),  # 12.13 vs 14.73 us, -17.7%
])
def test_uml_predictions_within_their_recorded_miss(op, counts, miss):
    """Not calibrated on: the model's UML page fault, protection fault and context switch.

    The tolerance is the miss measured when the defaults were set (stated in the record of roles);
    the test fails if a change of the defaults makes the prediction worse.
    """
    predicted, published = _extra_us("syscall_intercept", **counts), _uml_extra(op)
    assert predicted == pytest.approx(published, rel=miss)


def test_turtles_gap_is_underpredicted_by_the_defaults():
    """Turtles: nested within 6-8% of single level for common workloads; the defaults give about 1%.

    A recorded miss (the model's exit factor is an assumption and L1's slower handler is not
    modelled); this test pins it so that a change of the defaults is seen.
    """
    gap = 100 * (Model("nested", "kernel_build").evaluate("overhead")
                 / Model("hardware_assist", "kernel_build").evaluate("overhead") - 1)
    low = measurement("nesting.turtles.common_workloads_gap.low").value
    assert 0 < gap < low


def test_roles_name_records_that_exist_and_say_how_they_are_used():
    assert {r["role"] for r in NESTING_ROLES} == {"calibration", "prediction"}
    for r in NESTING_ROLES:
        try:
            record = measurement(r["name"])
        except Exception:
            record = finding(r["name"])
        assert record.source in keys()
        assert r["technique"] in ("nested", "syscall_intercept", "container") and r["where"] and r["checked"]
    calibrated = [r["name"] for r in NESTING_ROLES if r["role"] == "calibration"]
    assert calibrated == ["xen.lmbench.null_call.uml", "seccomp.getppid.no_filter", "seccomp.getppid.filter_middle"]


def test_nesting_roles_agree_with_the_package_wide_role_table():
    from virtmodel.validation.roles import roles

    table = roles()
    for r in NESTING_ROLES:
        if r["name"] in table:
            assert table[r["name"]]["role"] == r["role"], r["name"]


def test_systrap_is_cheaper_than_ptrace_as_gvisor_says():
    assert finding("gvisor.systrap_vs_ptrace").source == "gvisor_platforms"
    k = "kernel_build"
    assert Model(get("syscall_intercept", platform="systrap"), k).evaluate("overhead") < \
        Model("syscall_intercept", k).evaluate("overhead")


def test_isolation_ladder_scenario_orders_the_rungs():
    from importlib import resources

    from virtmodel.scenario import Scenario

    text = resources.files("virtmodel").joinpath("scenarios", "isolation_ladder.json").read_text(encoding="utf-8")
    overhead = [m.evaluate("overhead") for m in Scenario.from_json(text).models()]
    # native, container, hardware_assist, nested + VMCS shadowing < nested; systrap < ptrace
    assert overhead[0] == 1.0 < overhead[1] < overhead[2] < overhead[4] < overhead[3]
    assert overhead[5] < overhead[6]
