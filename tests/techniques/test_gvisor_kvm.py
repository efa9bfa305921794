"""gVisor's KVM platform on syscall_intercept (techniques/gvisor_kvm.py, ``platform="kvm"``).

Checks: the ptrace and systrap platforms are the previous model to the last digit (the new costs do
nothing there); the calibration (the guide's 763 ns less a null call over two switches) and the exit
(the package's user-space exit); the guest's demand by hand, with and without host calls; limiting
cases (no system calls, faults, context switches or page-table changes = native; zero costs = native);
Hypothesis laws (monotone in load, in the switch cost, in the host-call share; linear in the share);
bad values named; the requirement's settings on its one recipe, read without computing it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.workload import Workload

METRICS = ("mean_latency", "latency_variance", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores",
           "overhead")
PLATFORM = Platform(cores=4, clock_hz=3e9)
#: a made-up request: every event kind the switches count, no packets
CALLS = Workload(arrival_rate=2e3, cpu_time=20e-6, syscalls=12, page_faults=3, exceptions=1, context_switches=2,
                 pte_updates=16, io_ops=0, io_interrupts=0)
NEW = dict(kvm_switch_cycles=1e5, sentry_host_call_fraction=0.7, bluepill_exit_cycles=3e5, null_syscall_cycles=9e4)


def _kvm(**kw):
    return get("syscall_intercept", platform="kvm", **kw)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("preset", ["web_serving", "syscall_heavy", "bulk_transfer", CALLS])
@pytest.mark.parametrize("platform", ["ptrace", "systrap"])
def test_ptrace_and_systrap_ignore_the_kvm_costs(platform, preset, metric):
    base = get("syscall_intercept", platform=platform)
    old = Model(base, preset, PLATFORM).evaluate(metric, arrival_rate=10.0)
    assert Model(base.replace(**NEW), preset, PLATFORM).evaluate(metric, arrival_rate=10.0) == old  # to the last digit


@pytest.mark.parametrize("platform, cycles", [("ptrace", 29100.0), ("systrap", 5000.0)])
def test_ptrace_and_systrap_by_hand(platform, cycles):
    tech = get("syscall_intercept", platform=platform, sandbox_network="host")
    t = cycles / PLATFORM.clock_hz
    w = CALLS
    want = w.cpu_time + t * (2 * w.syscalls + 2 * (w.page_faults + w.exceptions) + w.context_switches
                             + 2 * w.pte_updates / 8)
    assert Model(tech, w, PLATFORM).evaluate("cpu_per_request") == pytest.approx(want, rel=1e-12)


def test_the_calibration_and_the_exit():
    tech = _kvm()
    # gVisor's Performance Guide: 763 ns per null gettimeofday under runsc-kvm, at the 2.2 GHz the package
    # assumes for the guide's GCE VM, less libseccomp's 138-cycle null call, over two switches
    assert tech.kvm_switch_cycles == pytest.approx((763e-9 * 2.2e9 - 138) / 2, abs=0.05)
    assert tech.null_syscall_cycles == 138.0
    # the package's exit handled in user space (a user-space device model's): round trip + handling + return
    hw = get("hardware_assist")
    assert tech.bluepill_exit_cycles == hw.exit_cycles + hw.exit_handling_cycles + hw.userspace_exit_cycles == 7167
    assert tech.sentry_host_call_fraction == 0.0  # the default: calls served from the Sentry's own state


@pytest.mark.parametrize("share", [0.0, 0.25, 1.0])
def test_the_guest_demand_by_hand(share):
    tech = _kvm(sentry_host_call_fraction=share, sandbox_network="host")
    w, f = CALLS, PLATFORM.clock_hz
    t_sw = tech.kvm_switch_cycles / f
    switches = 2 * w.syscalls + 2 * (w.page_faults + w.exceptions) + w.context_switches + 2 * w.pte_updates / 8
    host = share * w.syscalls * (tech.bluepill_exit_cycles + tech.null_syscall_cycles) / f
    row = Model(tech, w, PLATFORM).station_table().loc["guest"]
    assert row["demand"] == pytest.approx(w.cpu_time + t_sw * switches + host, rel=1e-12)


def test_a_lone_getuid_by_hand():
    """One null call served in the Sentry (no host call): the native call plus two switches."""
    call = Workload(arrival_rate=1.0, cpu_time=1e-6, syscalls=1, page_faults=0, pte_updates=0, context_switches=0,
                    exceptions=0, register_writes=0, interrupts=0, io_ops=0, io_interrupts=0, tlb_misses=0)
    model = Model(_kvm(), call, PLATFORM)
    assert model.evaluate("cpu_per_request") == pytest.approx(1e-6 + 2 * 770.3 / 3e9, rel=1e-9)


@pytest.mark.parametrize("preset", ["web_serving", "syscall_heavy", "small_packet_rr"])
def test_no_events_is_native(preset):
    quiet = dict(syscalls=0, page_faults=0, exceptions=0, context_switches=0, pte_updates=0)
    native = get("native")
    tech = _kvm(sentry_host_call_fraction=1.0, sandbox_network="host")
    model = Model(tech, preset, PLATFORM)
    base = Model(native, preset, PLATFORM)
    for metric in ("mean_latency", "cpu_per_request", "throughput_limit", "overhead"):
        assert model.evaluate(metric, **quiet) == pytest.approx(base.evaluate(metric, **quiet), rel=1e-12), metric


def test_zero_costs_are_native():
    tech = _kvm(kvm_switch_cycles=0.0, bluepill_exit_cycles=0.0, null_syscall_cycles=0.0,
                sentry_host_call_fraction=1.0, sandbox_network="host")
    for metric in ("mean_latency", "cpu_per_request", "throughput_limit"):
        assert Model(tech, CALLS, PLATFORM).evaluate(metric) == pytest.approx(
            Model(get("native"), CALLS, PLATFORM).evaluate(metric), rel=1e-12), metric


def test_the_symbolic_formula_names_the_kvm_costs_only_on_kvm():
    names = lambda tech: {str(x) for x in Model(tech, CALLS, PLATFORM).expression("cpu_per_request").expr.free_symbols}  # noqa: E731
    kvm = names(_kvm())
    assert {"kvm_switch_cycles", "sentry_host_call_fraction", "bluepill_exit_cycles", "null_syscall_cycles"} <= kvm
    assert not {"ptrace_switch_cycles", "systrap_switch_cycles"} & kvm
    for platform in ("ptrace", "systrap"):
        assert not {"kvm_switch_cycles", "sentry_host_call_fraction", "bluepill_exit_cycles"} & \
            names(get("syscall_intercept", platform=platform))


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(10.0, 2e4), more=st.floats(1.01, 3.0), share=st.floats(0.0, 1.0),
       switch=st.floats(0.0, 5e4))
def test_laws(rate, more, share, switch):
    tech = _kvm(sentry_host_call_fraction=share, kvm_switch_cycles=switch, sandbox_network="host")
    model = Model(tech, CALLS, PLATFORM)
    limit = model.evaluate("throughput_limit")
    lo, hi = min(rate, 0.9 * limit), min(rate * more, 0.95 * limit)
    if hi > lo:  # monotone in load below the limit
        assert model.evaluate("mean_latency", arrival_rate=hi) >= model.evaluate("mean_latency", arrival_rate=lo)
    cpu = model.evaluate("cpu_per_request")
    # dearer switches and more host calls never help; the demand is linear in the host-call share
    assert Model(tech.replace(kvm_switch_cycles=switch * more), CALLS, PLATFORM).evaluate("cpu_per_request") >= cpu
    zero = Model(tech.replace(sentry_host_call_fraction=0.0), CALLS, PLATFORM).evaluate("cpu_per_request")
    one = Model(tech.replace(sentry_host_call_fraction=1.0), CALLS, PLATFORM).evaluate("cpu_per_request")
    assert zero <= cpu <= one
    assert cpu == pytest.approx(zero + share * (one - zero), rel=1e-9, abs=1e-18)
    # more system calls never lower the cost
    assert model.evaluate("cpu_per_request", syscalls=CALLS.syscalls * more) >= cpu


@pytest.mark.parametrize("kw, named", [
    (dict(platform="kvm2"), "platform"), (dict(platform=1), "platform"),
    (dict(kvm_switch_cycles=-1.0), "kvm_switch_cycles"), (dict(kvm_switch_cycles=float("nan")), "kvm_switch_cycles"),
    (dict(sentry_host_call_fraction=1.5), "sentry_host_call_fraction"),
    (dict(sentry_host_call_fraction=-0.1), "sentry_host_call_fraction"),
    (dict(bluepill_exit_cycles=float("inf")), "bluepill_exit_cycles"), (dict(null_syscall_cycles=-5), "null_syscall_cycles"),
])
def test_bad_values_are_named(kw, named):
    with pytest.raises(ParameterError, match=named):
        get("syscall_intercept", **kw)


def test_the_requirement_stands_for_the_kvm_platform_on_its_one_recipe():
    from virtmodel.validation import applications

    assert "gvisor_kvm_platform" in applications.SUPPORTED_MECHANISMS
    assert applications.REQUIREMENT_SETTINGS["gvisor_kvm_platform"] == {"platform": "kvm"}
    recipes = applications.recipes()
    named = sorted(k for k, r in recipes.items() if "gvisor_kvm_platform" in r["requires"])
    assert named == ["young_gvisor2019.getuid_runsc_kvm"]
    settings_ = applications._recipe_settings(recipes[named[0]])  # read, not computed
    # getuid is served from the Sentry's credentials (sys_identity.go): no host call
    assert settings_ == {"platform": "kvm", "sentry_host_call_fraction": 0.0}
    assert get(recipes[named[0]]["technique"], **settings_).platform == "kvm"
    # no other recipe sets the platform to kvm, so no other row can move
    assert not any(r["technique_params"].get("platform") == "kvm" for k, r in recipes.items() if k not in named)
