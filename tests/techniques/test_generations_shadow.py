"""Shadow-paging traps priced by the exit cost; nested paging per generation; guest exceptions."""

import pytest

from virtmodel.analysis import exit_cost_history
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.presets import findings, measurement
from virtmodel.references import keys
from virtmodel.techniques import get
from virtmodel.techniques.generations import GENERATIONS, with_generation
from virtmodel.workload import Workload

CLOCK = 3.8e9
PLATFORM = Platform(clock_hz=CLOCK, cores=1, vms=1)
_ZERO = dict(syscalls=0, page_faults=0, pte_updates=0, context_switches=0, register_writes=0, exceptions=0,
             interrupts=0, io_ops=0, io_interrupts=0, tlb_misses=0)


def _extra_cycles(technique, **counts) -> float:
    """Extra guest cycles over native for one request made of ``counts`` only."""
    w = Workload(**{**_ZERO, "cpu_time": 1 / CLOCK, "kernel_fraction": 0.0, **counts})
    cores = [Model(t, w, PLATFORM).evaluate("guest_cores", arrival_rate=1.0) for t in (technique, "native")]
    return (cores[0] - cores[1]) * CLOCK


@pytest.mark.parametrize("op, count", [("pgfault", "page_faults"), ("ptemod", "pte_updates")])
def test_shadow_traps_reproduce_adams_at_prescott(op, count):
    shadow = with_generation(get("hardware_assist", nested_paging=False), "Prescott")
    total = _extra_cycles(shadow, **{count: 1}) + measurement(f"adams.{op}.native").value
    assert total == pytest.approx(measurement(f"adams.{op}.hw").value, abs=1e-6)


@pytest.mark.parametrize("op, count", [("pgfault", "page_faults"), ("ptemod", "pte_updates")])
def test_shadow_traps_fall_with_later_generations(op, count):
    shadow = get("hardware_assist", nested_paging=False)
    cost = {name: _extra_cycles(with_generation(shadow, name), **{count: 1}) for name in GENERATIONS}
    prescott = cost["Prescott"]
    for name, g in GENERATIONS.items():
        # one exit per trap (assumption): the trap moves cycle for cycle with the round trip
        assert cost[name] - prescott == pytest.approx(g.exit_cycles - GENERATIONS["Prescott"].exit_cycles)
        if name != "Prescott":
            assert cost[name] < prescott
    assert cost["Merom"] > cost["Penryn"] > cost["Nehalem"] > cost["Westmere"]


def test_exits_per_trap_scale_only_the_exit_part():
    shadow = get("hardware_assist", nested_paging=False)
    one = _extra_cycles(shadow, page_faults=1)
    two = _extra_cycles(shadow.replace(pgfault_exits=2.0), page_faults=1)
    assert two - one == pytest.approx(shadow.exit_cycles + shadow.exit_handling_cycles)


def test_nested_paging_has_no_shadow_traps():
    assert _extra_cycles(get("hardware_assist"), page_faults=1, pte_updates=1) == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("technique, published", [("binary_translation", "bt"), ("hardware_assist", "hw")])
def test_guest_exception_costs(technique, published):
    extra = _extra_cycles(get(technique), exceptions=1)
    assert extra + measurement("adams.divzero.native").value == pytest.approx(
        measurement(f"adams.divzero.{published}").value)


def test_exceptions_default_to_none():
    assert Workload().exceptions == 0
    from virtmodel import workloads
    for name in workloads.PRESETS:
        assert workloads.get(name).exceptions == 0, name


def test_generations_record_nested_paging_with_sources():
    known = set(keys())
    flags = {name: g.nested_paging for name, g in GENERATIONS.items()}
    assert flags == {"Prescott": False, "Merom": False, "Penryn": False, "Nehalem": True, "Westmere": True,
                     "Sandy Bridge": True}
    for g in GENERATIONS.values():
        assert g.nested_paging_source in known and g.nested_paging_note, g
    assert GENERATIONS["Nehalem"].nested_paging_source == "wikipedia_ept"
    assert GENERATIONS["Sandy Bridge"].nested_paging_source == "assumption"
    assert {f.name for f in findings()} >= {"ept.first_intel", "npt.first_amd"}


def test_with_generation_can_follow_nested_paging():
    hw = get("hardware_assist", nested_paging=False)
    assert with_generation(hw, "Nehalem").nested_paging is False
    assert with_generation(hw, "Nehalem", nested_paging="by_generation").nested_paging is True
    assert with_generation(get("hardware_assist"), "Penryn", nested_paging="by_generation").nested_paging is False
    with pytest.raises(ParameterError, match="nested_paging"):
        with_generation(hw, "Nehalem", nested_paging=True)


def test_history_by_generation():
    default = exit_cost_history("kernel_build")
    shadow = exit_cost_history("kernel_build", nested_paging=False)
    joined = exit_cost_history("kernel_build", nested_paging="by_generation")
    assert list(default["hardware_assist"]) == list(shadow["hardware_assist"])
    assert not default["nested_paging"].any() and "nested_paging_source" not in default.columns
    assert list(joined["nested_paging"]) == [GENERATIONS[n].nested_paging for n in joined["generation"]]
    assert default.attrs["takeover"] is None and joined.attrs["takeover"] == "Nehalem"
    # the shadow rows of the joined timeline are the shadow timeline's; the EPT rows the nested one's
    nested = exit_cost_history("kernel_build", nested_paging=True)
    for i, flag in enumerate(joined["nested_paging"]):
        source = nested if flag else shadow
        assert joined["hardware_assist"].iloc[i] == pytest.approx(source["hardware_assist"].iloc[i])
    # shadow paging now improves with the generations
    assert shadow["hardware_assist"].iloc[0] > shadow["hardware_assist"].iloc[1] > shadow["hardware_assist"].iloc[2]


@pytest.mark.parametrize("bad", ["yes", 1, "by-generation"])
def test_history_rejects_a_bad_nested_paging(bad):
    with pytest.raises(ParameterError, match="nested_paging"):
        exit_cost_history("kernel_build", nested_paging=bad)
