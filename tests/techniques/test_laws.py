"""Laws every technique obeys: zero cost is native; costs only ever hurt."""

import math

import numpy as np
import pytest

from virtmodel._params import numeric_fields
from virtmodel.model import Model, metric_names
from virtmodel.techniques import get
from virtmodel.workload import Workload

VARIANTS = {
    "binary_translation": get("binary_translation"),
    "emulation": get("emulation"),
    "paravirtual": get("paravirtual"),
    "hw_ept_virtio": get("hardware_assist"),
    "hw_shadow_emulated": get("hardware_assist", nested_paging=False, io_path="emulated"),
    "sriov": get("sriov"),
    "sriov_posted_shadow": get("sriov", posted_interrupts=True, nested_paging=False),
    "nitro": get("nitro"),
    "nested": get("nested"),
    "nested_shadow_on_ept_vmcs_shadowing": get("nested", nested_paging=False, vmcs_shadowing=True),
    "syscall_intercept": get("syscall_intercept"),
    "syscall_intercept_systrap": get("syscall_intercept", platform="systrap"),
    "syscall_intercept_kvm": get("syscall_intercept", platform="kvm", sentry_host_call_fraction=0.5),
    "container": get("container"),
}
LIGHT = Workload(arrival_rate=100.0)   # every operation kind present, light load


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("workload", [LIGHT, "small_packet_rr", "kernel_build"],
                         ids=["default", "rr", "kbuild"])
def test_zero_virtualization_cost_is_native(variant, workload):
    tech = Model(VARIANTS[variant].neutral(), workload)
    native = Model("native", workload)
    for metric in metric_names():
        got, want = tech.evaluate(metric), native.evaluate(metric)
        if isinstance(want, str):
            assert got == want
        else:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-15), metric


def _costs(variants=None):
    """(variant, cost name) for every cost of ``variants`` (default: :data:`VARIANTS`) that has a neutral value."""
    for variant, tech in (VARIANTS if variants is None else variants).items():
        for f in numeric_fields(tech):
            if f.metadata["neutral"] is not None:
                yield pytest.param(variant, f.name, id=f"{variant}-{f.name}")


def _raised(tech, name):
    f = next(f for f in numeric_fields(tech) if f.name == name)
    value = getattr(tech, name)
    if f.metadata["domain"] == "fraction":
        return min(1.0, value + 0.5)
    if value > 0:
        return 2 * value
    return 1e-6 if f.metadata["unit"] == "s" else 500.0


def assert_costs_only_hurt(tech, name, rising, falling=("throughput_limit", "capacity_ratio")):
    """Raising cost ``name`` of ``tech`` never lowers ``rising`` nor raises ``falling`` (at :data:`LIGHT`).

    Checked under ``tech`` as given and, if it has the ``wakeups`` flag, also under the first model
    (``wakeups="off"``), where the host's metrics (``host_cores`` up, ``guest_cores_left`` down) are
    added. Under the default (``wakeups="on"``) they are not monotone in a vCPU cost: a costlier vCPU
    is busier, halts less often and is woken less often, so the host's wake-up work falls (by 2.6e-5
    of the host cores for Nitro's exit cycles at this load; :func:`test_a_busier_vcpu_is_woken_less_often`).
    """
    techs = [tech] + ([tech.replace(wakeups="off")] if hasattr(tech, "wakeups") else [])
    for t in techs:
        lo = Model(t, LIGHT)
        hi = Model(t.replace(**{name: _raised(t, name)}), LIGHT)
        up, down = tuple(rising), tuple(falling)
        if getattr(t, "wakeups", "off") == "off":
            up, down = up + ("host_cores",), down + ("guest_cores_left",)
        for metric in up:
            assert hi.evaluate(metric) >= lo.evaluate(metric) * (1 - 1e-12), (t.wakeups if hasattr(t, "wakeups") else "", metric)
        for metric in down:
            assert hi.evaluate(metric) <= lo.evaluate(metric) * (1 + 1e-12), (t.wakeups if hasattr(t, "wakeups") else "", metric)


@pytest.mark.parametrize("variant, name", list(_costs()))
def test_each_metric_moves_the_right_way_as_a_cost_grows(variant, name):
    """Every metric; the host's under the first model only (:func:`assert_costs_only_hurt`)."""
    assert_costs_only_hurt(VARIANTS[variant], name,
                           ("overhead", "mean_latency", "p99", "cpu_per_request", "card_load"))


def test_a_busier_vcpu_is_woken_less_often():
    """Doubling Nitro's exit cycles lowers its host cores under the default and raises them without wake-ups.

    The difference between the two is the wake-up term alone: a busier vCPU halts less and the host
    wakes it less often, which outweighs the extra exit handling at this light load.
    """
    tech = get("nitro")
    for mode, falls in (("on", True), ("off", False)):
        t = tech.replace(wakeups=mode)
        lo = Model(t, LIGHT).evaluate("host_cores")
        hi = Model(t.replace(exit_cycles=2 * t.exit_cycles), LIGHT).evaluate("host_cores")
        assert (hi < lo) == falls, mode


def test_a_cost_that_matters_moves_the_overhead():
    w = Workload(arrival_rate=100.0)
    base = Model("hardware_assist", w, ).evaluate("overhead")
    worse = Model(get("hardware_assist", exit_handling_cycles=20000), w).evaluate("overhead")
    assert worse > base > 1


def test_sweeping_a_cost_is_monotone():
    m = Model("hardware_assist", "small_packet_rr")
    exits = np.linspace(0, 4000, 50)
    overhead = m.evaluate("overhead", exit_cycles=exits)
    assert np.all(np.diff(overhead) > 0)
    assert math.isfinite(overhead[-1])
