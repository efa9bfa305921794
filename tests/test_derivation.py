"""Derivation chains: each step evaluates to the model's own numbers, and the chain substituted back is
the model's expression (an independent route: the steps are rebuilt from the stations, not copied)."""

import math

import pytest
import sympy as sp

from virtmodel import ParameterError
from virtmodel.derivation import derivation
from virtmodel.errors import SymbolicUnsupportedError
from virtmodel.model import Model
from virtmodel.symbols import registry
from virtmodel.techniques import names as technique_names

LAST = {"mean_latency": "R", "throughput_limit": "X"}
METRICS = (
    "mean_latency",
    "overhead",
    "low_load_slowdown",
    "throughput_limit",
    "capacity_ratio",
    "cpu_per_request",
    "host_cores",
    "latency_variance",
)


def _at_values(expr, model):
    values = model.values()
    subs = {
        i.symbol: sp.Integer(int(values[n])) if i.symbol.is_integer else sp.Float(values[n])
        for n, i in registry().items()
        if n in values
    }
    return float(sp.sympify(expr).xreplace(subs).evalf())


@pytest.mark.parametrize("technique", technique_names())
def test_steps_give_the_model_s_numbers(technique):
    model = Model(technique, "web_serving")
    for metric in METRICS:
        d = derivation(model, metric)
        expected = model.evaluate_many([metric])[metric]  # inf where saturated (emulation)
        assert d.values()[LAST.get(metric, metric)] == pytest.approx(expected, rel=1e-9, abs=1e-300)
        if math.isfinite(expected):
            assert _at_values(d.expanded(), model) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_named_station_formulas():
    d = derivation(Model("hardware_assist", "small_packet_rr"), "mean_latency")
    formulas = {s.key: s.formula for s in d.steps}
    # one vCPU per VM by default is still a symbolic c: Allen-Cunneen with Erlang C; the NIC is M/G/1
    assert formulas["R_device"] == formulas["R_vhost"] == "Pollaczek-Khinchine (M/G/1)"  # one vhost worker
    assert formulas["R_guest"] == "Allen-Cunneen (M/G/c)"
    assert formulas["C_guest"] == "Erlang C" and "C_device" not in formulas and "C_vhost" not in formulas
    pooled = {s.key: s.formula for s in derivation(Model("paravirtual", "small_packet_rr"), "mean_latency").steps}
    assert pooled["R_host"] == "Allen-Cunneen (M/G/c)" and pooled["C_host"] == "Erlang C"  # the host's cores
    assert [s.key for s in d.steps][-1] == "R"
    # an M/M/1 limit of the Pollaczek-Khinchine step: S/(1 - rho) when sigma^2 = S^2
    r = d.step("R_device").expr
    s, v, lam, rho = (d.step(k).symbol for k in ("S_device", "var_device", "lambda_device", "rho_device"))
    mm1 = r.xreplace({v: s**2, rho: lam * s})
    assert sp.simplify(mm1 - s / (1 - lam * s)) == 0


def test_numbers_and_overrides():
    model = Model("sriov", "small_packet_rr")
    d = derivation(model, "overhead")
    lam = model.values()["arrival_rate"] * 1.5
    assert d.values(arrival_rate=lam)["overhead"] == pytest.approx(
        model.evaluate("overhead", arrival_rate=lam)
    )
    text = d.latex(numbers=True, glossary=False, arrival_rate=lam)
    assert text.count(r"\label{eq:") == len(d.steps)
    assert r"\text{$\mu$s}" in text  # values in engineering units


def test_glossary_has_every_symbol_and_erlang_c():
    d = derivation(Model("paravirtual", "web_serving"), "mean_latency")
    rows = d.glossary()
    lhs = [r[0] for r in rows]
    assert all(s.lhs in lhs for s in d.steps)
    assert "C(c, a)" in lhs and lhs.index("C(c, a)") == len(lhs) - 1
    params = set().union(*(s.expr.free_symbols for s in d.steps)) - {s.symbol for s in d.steps}
    assert len(rows) == len(d.steps) + len(params) + 1
    assert not any(math.isnan(v) for v in d.values().values())


def test_bad_input():
    model = Model("sriov", "small_packet_rr")
    with pytest.raises(SymbolicUnsupportedError):
        derivation(model, "p99")
    with pytest.raises(ParameterError, match="metric"):
        derivation(model, "latency")
    with pytest.raises(ParameterError, match="open model"):
        derivation(Model("sriov", "small_packet_rr").__class__("sriov", _closed()), "mean_latency")
    with pytest.raises(ParameterError, match="step"):
        derivation(model, "mean_latency").step("R_nowhere")
    with pytest.raises(ParameterError, match="no_such"):
        derivation(model, "mean_latency").values(no_such=1.0)


def _closed():
    from virtmodel.workload import Workload

    return Workload(users=4, think_time=0.01)


def test_shows_itself():
    d = derivation(Model("sriov", "small_packet_rr"), "low_load_slowdown")
    assert repr(d).startswith("Derivation('low_load_slowdown' of sriov: S_guest") and repr(d).endswith(
        "low_load_slowdown)"
    )
    shown = d._repr_latex_()
    assert shown.startswith(r"\begin{align}") and r"\label" not in shown
    assert [s.formula for s in d.steps][-1] == "ratio to native"


@pytest.mark.parametrize("name", ["hardware_assist", "paravirtual"])
def test_simplified_chain_keeps_every_step_and_the_value(name):
    model = Model(name, "small_packet_rr")
    d = derivation(model, "overhead")
    s = d.simplified()
    assert [x.key for x in s.steps] == [x.key for x in d.steps]
    assert s.values()["overhead"] == pytest.approx(d.values()["overhead"], rel=1e-12)
    assert s.values()["overhead"] == pytest.approx(model.evaluate("overhead"), rel=1e-12)


@pytest.mark.parametrize("technique", ["paravirtual", "hardware_assist", "sriov"])
def test_the_wake_up_terms_are_steps_of_their_own(technique):
    """wakeups='on': cpu_per_request shows the work off the queues (W_guest, W_host), the light-load
    chain its demands at lambda = 0, the limit the root of lambda S(lambda) = c for the guest."""
    from virtmodel.techniques import get

    model = Model(get(technique, wakeups="on"), "small_packet_rr")
    cpu = derivation(model, "cpu_per_request")
    assert {"W_guest", "W_host"} & {s.key for s in cpu.steps}
    for metric, step in (("cpu_per_request", None), ("low_load_slowdown", "R0"), ("throughput_limit", "X_guest")):
        d = derivation(model, metric)
        assert d.values()[LAST.get(metric, metric)] == pytest.approx(model.evaluate(metric), rel=1e-9)
        assert step is None or step in {s.key for s in d.steps}
