"""Docker's seccomp filter on the container (techniques/seccomp_filter.py): limiting cases, the
symbolic formula, the calibration, the validation requirement, the discrete-event oracle."""

import pytest
import sympy as sp

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.model.simulation import simulate_model
from virtmodel.platform import Platform
from virtmodel.presets.published import measurement
from virtmodel.techniques import get
from virtmodel.validation.applications import REQUIREMENT_SETTINGS, _recipe_settings, recipes
from virtmodel.workloads import get as workload

LOOP = workload("syscall_heavy").replace(arrival_rate=1000.0, cpu_time=13e-6, syscalls=6)
RR = workload("small_packet_rr")
PLATFORM = Platform(cores=4, vcpus=1, clock_hz=3e9)
METRICS = ("mean_latency", "throughput_limit", "host_cores", "guest_cores", "cpu_per_request", "p99")


def _metrics(tech, w=LOOP, platform=PLATFORM):
    model = Model(tech, w, platform)
    return {m: model.evaluate(m) for m in METRICS}


@pytest.mark.parametrize("network", ["bridge_nat", "bridge", "host"])
@pytest.mark.parametrize("w", [LOOP, RR], ids=["loop", "rr"])
def test_off_is_the_container_exactly(network, w):
    default, off = get("container", network=network), get("container", network=network, seccomp="off")
    assert default == off
    assert _metrics(off, w) == _metrics(default, w)
    free = get("container", network=network, seccomp="on", seccomp_filter_cycles=0.0)
    for name, value in _metrics(off, w).items():
        assert _metrics(free, w)[name] == pytest.approx(value, rel=1e-12), name
    quiet = w.replace(syscalls=0)
    on = get("container", network=network, seccomp="on")
    for name, value in _metrics(off, quiet).items():
        assert _metrics(on, quiet)[name] == pytest.approx(value, rel=1e-12), name


@pytest.mark.parametrize("network", ["bridge_nat", "host"])
def test_the_filter_adds_its_cycles_per_system_call_on_the_guest(network):
    on, off = get("container", network=network, seccomp="on"), get("container", network=network)
    delta = LOOP.syscalls * on.seccomp_filter_cycles / PLATFORM.clock_hz
    m_on, m_off = _metrics(on), _metrics(off)
    assert m_on["cpu_per_request"] - m_off["cpu_per_request"] == pytest.approx(delta, rel=1e-9)
    assert m_on["host_cores"] == pytest.approx(m_off["host_cores"], rel=1e-12)     # nothing on the host
    # heavy load: one vCPU, CPU-bound: the capacity is 1 / (D_guest + delta)
    guest = Model(off, LOOP, PLATFORM).evaluate("cpu_per_request")
    assert m_on["throughput_limit"] == pytest.approx(1 / (guest + delta), rel=1e-9)
    # light load: a lone request's latency grows by delta
    lone = LOOP.replace(arrival_rate=1e-9)
    grown = _metrics(on, lone)["mean_latency"] - _metrics(off, lone)["mean_latency"]
    assert grown == pytest.approx(delta, rel=1e-6)


def test_cost_grows_with_calls_and_cycles():
    base = _metrics(get("container", seccomp="on"))["mean_latency"]
    assert _metrics(get("container", seccomp="on", seccomp_filter_cycles=1804.0))["mean_latency"] > base
    assert _metrics(get("container", seccomp="on"), LOOP.replace(syscalls=12))["mean_latency"] > base


def test_symbolic_formula():
    on = Model(get("container", seccomp="on"), LOOP, PLATFORM).expression("cpu_per_request").expr
    off = Model(get("container"), LOOP, PLATFORM).expression("cpu_per_request").expr
    assert "seccomp_filter_cycles" not in {str(x) for x in off.free_symbols}
    symbols = {str(x): x for x in on.free_symbols}
    expected = symbols["syscalls"] * symbols["seccomp_filter_cycles"] / symbols["clock_hz"]
    assert sp.simplify(on - off - expected) == 0


def test_calibration_is_the_middle_of_the_filter_minus_the_bare_call():
    middle = measurement("seccomp.getppid.filter_middle").value
    bare = measurement("seccomp.getppid.no_filter").value
    assert get("container").seccomp_filter_cycles == middle - bare == 378
    front, end = (measurement(f"seccomp.getppid.filter_{p}").value - bare for p in ("front", "end"))
    assert front < middle - bare < end                              # the positions bound one call


def test_a_recipe_requiring_the_filter_turns_it_on():
    assert REQUIREMENT_SETTINGS["seccomp_filter"] == {"seccomp": "on"}
    needing = [r for r, recipe in recipes().items() if "seccomp_filter" in recipe["requires"]]
    assert needing, "no recipe requires seccomp_filter"
    for row in needing:
        assert _recipe_settings(recipes()[row])["seccomp"] == "on"
    recipe = {"requires": ["seccomp_filter"], "technique_params": {"seccomp": "off", "network": "host"}}
    assert _recipe_settings(recipe) == {"seccomp": "off", "network": "host"}   # the recipe's own setting wins
    plain = {"requires": ["technique:container"], "technique_params": {}}
    assert _recipe_settings(plain) == {}


@pytest.mark.parametrize("kwargs", [{"seccomp": "maybe"}, {"seccomp_filter_cycles": -1.0},
                                    {"seccomp_filter_cycles": float("nan")}])
def test_bad_settings_are_named(kwargs):
    with pytest.raises(ParameterError, match=next(iter(kwargs))):
        Model(get("container", **kwargs), LOOP, PLATFORM).evaluate("mean_latency")


@pytest.mark.slow
def test_guest_with_the_filter_agrees_with_simulation():
    """The filter's work in the guest station's service, checked by the discrete-event oracle."""
    tech = get("container", seccomp="on", seccomp_filter_cycles=6000.0)   # make the term visible
    rate = 0.6 * Model(tech, LOOP, PLATFORM).evaluate("throughput_limit")
    model = Model(tech, LOOP.replace(arrival_rate=rate), PLATFORM)
    sim, delay = simulate_model(model, customers=60_000, seed=5)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)
