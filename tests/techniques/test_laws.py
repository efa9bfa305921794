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


@pytest.mark.parametrize("variant, name", list(_costs()))
def test_each_metric_moves_the_right_way_as_a_cost_grows(variant, name):
    tech = VARIANTS[variant]
    lo = Model(tech, LIGHT)
    hi = Model(tech.replace(**{name: _raised(tech, name)}), LIGHT)
    for metric in ("overhead", "mean_latency", "p99", "host_cores", "cpu_per_request", "card_load"):
        assert hi.evaluate(metric) >= lo.evaluate(metric) * (1 - 1e-12), metric
    for metric in ("throughput_limit", "capacity_ratio", "guest_cores_left"):
        assert hi.evaluate(metric) <= lo.evaluate(metric) * (1 + 1e-12), metric


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
