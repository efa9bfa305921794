"""Every public entry point under adversarial input: a result, or one of the package's errors.

The entry points are listed from the ``__all__`` of each public module, so a new one is
covered automatically: it must get a recipe below (a valid call to start from) or be
named in :data:`NOT_FUZZED` with the reason. Hypothesis then replaces one argument of the
valid call at a time with an adversarial value (NaN, infinities, None, negatives, -0.0,
subnormals, huge numbers, a 400-digit integer, strings, empty and mismatched arrays, SymPy
numbers and symbols, booleans, containers, arbitrary objects) and asserts the contract:
the call returns, or raises ParameterError / UnstableError / SymbolicUnsupportedError
(whose messages name the parameter), never another exception type, and a number it
returns is never NaN. Bounded: a few dozen examples per entry point, no deadline.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtmodel.errors import ParameterError, SymbolicUnsupportedError, UnstableError

OURS = (ParameterError, UnstableError, SymbolicUnsupportedError)

MODULES = ("virtmodel.model", "virtmodel.analysis", "virtmodel.techniques", "virtmodel.plotting",
           "virtmodel.widgets", "virtmodel.simulate", "virtmodel.presets", "virtmodel.references",
           "virtmodel.scenario", "virtmodel.host", "virtmodel.metrics", "virtmodel.lenses",
           "virtmodel.latex", "virtmodel.validation", "virtmodel.workloads", "virtmodel.resources",
           "virtmodel.techniques.generations", "virtmodel.queueing", "virtmodel.derivation", "virtmodel.units",
           "virtmodel.latex_layout")

ADVERSARIAL = (math.nan, math.inf, -math.inf, None, -1, -1.0, -0.0, 0, 0.0, 5e-324, 1e-320, 1e308,
               10**400, "text", "", [], (), np.array([]), np.full(3, 0.5), np.array([np.nan, 1.0]),
               sp.Symbol("x"), sp.Integer(2), sp.Rational(1, 3), True, {}, {"a": 1}, object(), b"\xff")


def _model():
    from virtmodel.model import Model

    return Model("sriov", "small_packet_rr")


def _curves():
    from virtmodel.analysis.curves import latency_curves

    return latency_curves(["sriov", "paravirtual"], "small_packet_rr", points=20)


def _regions():
    from virtmodel.analysis import win_regions

    return win_regions(["sriov", "paravirtual"], ("arrival_rate", [1e3, 3e4]), ("vms", [2, 8]), "p99",
                       workload="small_packet_rr")


def _app_table():
    import pandas as pd

    return pd.DataFrame({"row": ["a", "b"], "source": ["s", "s"], "kind": ["relative_throughput", "added_latency"],
                         "error": [0.1, -0.2], "within": [True, False], "status": ["modelled", "modelled"]})


def _band_table():
    import pandas as pd

    ratios = [0.8, 1.0, 1.1, 1.3, 0.9, 1.0, 1.5, 2.0]
    return pd.DataFrame({"row": [f"r{i}" for i in range(8)], "source": ["s"] * 4 + ["t"] * 4,
                         "kind": ["relative_throughput"] * 8, "published": [1.0] * 8, "predicted": ratios,
                         "status": ["modelled"] * 8})


def _p99_sweep():
    from virtmodel.analysis import sweep

    return sweep(["p99"], T2, W, arrival_rate=np.array([1e3, 2e3]))["p99"]


def _table():
    from virtmodel.analysis import compare

    return compare(["sriov", "paravirtual"], "small_packet_rr", metrics=["mean_latency", "p99"])


def _breakdown():
    from virtmodel.analysis.breakdown import cpu_breakdown

    return cpu_breakdown(["sriov", "paravirtual"], "small_packet_rr")


def _fit_data():
    import pandas as pd

    rates = [5e3, 1e4, 2e4]
    return pd.DataFrame({"arrival_rate": rates, "mean_latency": _model().evaluate("mean_latency", arrival_rate=rates)})


def _fixture(name):
    from pathlib import Path

    return str(Path(__file__).parents[1] / "analysis" / "fixtures" / name)


W, T2 = "small_packet_rr", ["sriov", "paravirtual"]

#: entry point -> (positional args, keyword args) of a valid call (a callable builds a value lazily)
RECIPES = {
    "virtmodel.model.Model": (("sriov", W), {}),
    "virtmodel.model.Model.evaluate": (("p99",), {"arrival_rate": 1e3}),
    "virtmodel.model.Model.evaluate_many": ((["mean_latency", "p99"],), {"vms": 4}),
    "virtmodel.model.Model.expression": (("mean_latency",), {"keep": ["arrival_rate"]}),
    "virtmodel.model.Model.station_table": ((), {"arrival_rate": 1e3}),
    "virtmodel.model.Model.closed": ((), {"users": 3, "think_time": 1e-3}),
    "virtmodel.model.metric_names": ((), {}),
    "virtmodel.model.closed_metric_names": ((), {}),
    "virtmodel.model.is_percentile": (("p99",), {}),
    "virtmodel.model.percentile_level": (("p99.9",), {}),
    "virtmodel.model.simulate_model": ((_model,), {"customers": 2000}),
    "virtmodel.model.simulation_network": ((_model,), {}),
    "virtmodel.analysis.break_even": (("sriov", "paravirtual", "arrival_rate", "mean_latency"), {"workload": W}),
    "virtmodel.analysis.compare": ((T2, W), {"metrics": ["p99"]}),
    "virtmodel.analysis.exit_cost_history": (("kernel_build",), {}),
    "virtmodel.analysis.sensitivity": (("sriov", "p99", W), {}),
    "virtmodel.analysis.fit": ((_model, _fit_data, ["cpu_time"]), {"metric": "mean_latency", "sigma": 1e-6}),
    "virtmodel.analysis.read_fio": ((_fixture("fio_randread.json"),), {}),
    "virtmodel.analysis.read_netperf": ((_fixture("netperf_omni_keys.txt"),), {}),
    "virtmodel.analysis.read_wrk": ((_fixture("wrk.txt"),), {}),
    "virtmodel.analysis.read_sockperf": ((_fixture("sockperf_pingpong.txt"),), {"round_trip": True}),
    "virtmodel.analysis.uncertainty": ((_model, "p99"), {"samples": 50, "seed": 1, "at": None, "sobol": True}),
    "virtmodel.analysis.preset_ranges": (("sriov",), {}),
    "virtmodel.analysis.Range": (("exit_cycles", 700.0, 1000.0), {"kind": "loguniform"}),
    "virtmodel.analysis.sweep": ((["p99"], T2, W), {"arrival_rate": np.array([1e3, 2e3])}),
    "virtmodel.analysis.winner": ((_p99_sweep,), {}),
    "virtmodel.validation.error_summary": (("kind",), {"table": _app_table, "level": 0.9}),
    "virtmodel.validation.error_band": ((0.9, "relative_throughput"), {"technique": None, "coverage": 0.8,
                                                                       "table": _band_table, "min_rows": 3,
                                                                       "weights": "sources"}),
    "virtmodel.validation.held_out_coverage": ((0.8,), {"table": _band_table, "min_rows": 3, "weights": "sources"}),
    "virtmodel.analysis.win_regions": ((T2, ("arrival_rate", [1e3, 3e4]), ("vms", [2, 8]), "p99"), {"workload": W}),
    "virtmodel.techniques.get": (("sriov",), {"iommu_cycles": 100.0}),
    "virtmodel.techniques.names": ((), {}),
    "virtmodel.techniques.label_of": (("sriov",), {}),
    "virtmodel.techniques.registered": ((), {}),
    "virtmodel.techniques.techniques.generations.with_generation": (("hardware_assist", "Nehalem"), {}),
    "virtmodel.techniques.generations.with_generation": (("hardware_assist", "Nehalem"), {}),
    "virtmodel.techniques.generations.generation": (("Nehalem",), {}),
    "virtmodel.plotting.latency_curves_data": ((T2, W), {"points": 20}),
    "virtmodel.plotting.latency_curves_plot": ((_curves,), {}),
    "virtmodel.plotting.cpu_breakdown_data": ((T2, W), {}),
    "virtmodel.plotting.cpu_breakdown_plot": ((_breakdown,), {}),
    "virtmodel.plotting.win_regions_data": ((T2, ("arrival_rate", [1e3, 3e4]), ("vms", [2, 8]), "p99"),
                                            {"workload": W}),
    "virtmodel.plotting.win_regions_plot": ((_regions,), {}),
    "virtmodel.plotting.figure_size": ((), {"fraction": 0.5}),
    "virtmodel.plotting.new_figure": ((), {"fraction": 0.5}),
    "virtmodel.widgets.dashboard": ((T2, W), {"points": 20, "display": "image"}),
    "virtmodel.simulate.distribution": (("gamma", 1.0, 0.5), {}),
    "virtmodel.simulate.simulate_gg1": ((0.5, 1.0), {"customers": 2000}),
    "virtmodel.simulate.simulate_ggc": ((1.0, 1.0, 2), {"customers": 2000}),
    "virtmodel.simulate.simulate_ps": ((0.5, 1.0), {"customers": 2000}),
    "virtmodel.simulate.simulate_priority": (([0.2, 0.3], [1.0, 0.5], [1.0, 1.0]), {"customers": 2000}),
    "virtmodel.simulate.simulate_vacations": ((0.5, 1.0, 1.0, 0.2, 1.0), {"customers": 2000}),
    "virtmodel.presets.measurement": (("exit_roundtrip.prescott",), {}),
    "virtmodel.presets.finding": (("adams.result",), {}),
    "virtmodel.presets.machine": (("pentium4_672",), {}),
    "virtmodel.presets.measurements_table": ((), {}),
    "virtmodel.presets.processor_generations": ((), {}),
    "virtmodel.presets.launch_date": (("Nehalem",), {}),
    "virtmodel.references.cite": (("adams2006",), {}),
    "virtmodel.references.reference": (("adams2006",), {}),
    "virtmodel.references.bibliography_table": ((), {}),
    "virtmodel.scenario.Scenario": ((W,), {"techniques": T2}),
    "virtmodel.host.Host": (([],), {}),
    "virtmodel.host.VMGroup": (("sriov", W, 2), {}),
    "virtmodel.metrics.metric": (("p99",), {}),
    "virtmodel.metrics.names": ((), {}),
    "virtmodel.metrics.symbolic_names": ((), {}),
    "virtmodel.metrics.unit": (("p99",), {}),
    "virtmodel.metrics.label": (("p99",), {}),
    "virtmodel.lenses.ec2_generation": (("nitro",), {}),
    "virtmodel.lenses.ec2_model": (("nitro", W), {}),
    "virtmodel.lenses.ec2_fact": (("nitro", "host_threads"), {}),
    "virtmodel.latex.escape_text": (("a_b ~ c",), {}),
    "virtmodel.latex.unit_latex": (("1/s",), {}),
    "virtmodel.latex.latex_table": ((_table,), {"caption": "x"}),
    "virtmodel.latex.latex_document": (("$x$",), {"title": "t"}),
    "virtmodel.derivation.derivation": ((_model, "mean_latency"), {}),
    "virtmodel.units.readable": ((_table,), {}),
    "virtmodel.units.engineering_unit": (([1e-6, 2e-6], "s"), {}),
    "virtmodel.units.header": (("mean_latency", "s"), {}),
    "virtmodel.units.is_metric": (("p99",), {}),
    "virtmodel.latex_layout.latex_width": (("x + y",), {}),
    "virtmodel.workloads.get": ((W,), {}),
    "virtmodel.workloads.names": ((), {}),
    "virtmodel.workloads.describe": ((W,), {}),
    "virtmodel.resources.Resource": (("disk",), {"servers": 1}),
    "virtmodel.queueing.open_network": ((1.0,), {"demands": [0.2, 0.3], "servers": [1, 2]}),
    "virtmodel.queueing.mva": (([0.2, 0.1], 5), {"think_time": 1.0}),
    "virtmodel.queueing.mva_approx": (([[0.2, 0.1], [0.1, 0.3]], [3, 2]), {"think_times": [1.0, 2.0]}),
    "virtmodel.queueing.mva_multiclass": (([[0.2, 0.1], [0.1, 0.3]], [3, 2]), {"think_times": [1.0, 2.0]}),
    "virtmodel.queueing.open_multiclass": (([1.0, 0.5], [[0.2, 0.1], [0.1, 0.3]]), {}),
    "virtmodel.queueing.mixed_network": (([1.0, 0.0], [0, 2], [[0.2, 0.1], [0.1, 0.3]]), {}),
    "virtmodel.queueing.closed_bounds": (([0.2, 0.1], 5), {}),
    "virtmodel.queueing.normalizing_constant": (([0.2, 0.1], 5), {}),
    "virtmodel.queueing.visits_from_routing": (([[0.0, 1.0], [0.5, 0.0]],), {}),
    "virtmodel.techniques.Resource": (("disk",), {"servers": 1, "cores_of": None}),
    "virtmodel.techniques.Native": ((), {}),
    "virtmodel.techniques.BinaryTranslation": ((), {"syscall_cycles": 2000.0}),
    "virtmodel.techniques.Emulation": ((), {}),
    "virtmodel.techniques.Paravirtual": ((), {"hypercall_cycles": 1300.0}),
    "virtmodel.techniques.HardwareAssist": ((), {"exit_cycles": 784.0, "nested_paging": True}),
    "virtmodel.techniques.SRIOV": ((), {"max_vfs": 64}),
    "virtmodel.techniques.Nitro": ((), {"card_time_per_io": 1e-6}),
    "virtmodel.techniques.Nested": ((), {"exit_multiplier": 10.0}),
    "virtmodel.techniques.SyscallIntercept": ((), {"ptrace_switch_cycles": 29100.0}),
    "virtmodel.techniques.Container": ((), {"veth_bridge_cycles": 2000.0}),
    "virtmodel.queueing.mg1_exceptional": ((0.5, 1.0, 1.0, 2.0, 0.0), {}),
    "virtmodel.simulate.simulate_time_slices": (([5.0], [1e-3], [1.0], 5e-3), {"customers": 400, "warmup": 40}),
}

#: entry points not fuzzed here, and why
_STATIONS = ("mm1", "mmc", "mmck", "mg1", "md1", "gg1", "ggc", "mg1_ps", "erlang_b", "erlang_c", "engset", "mminf",
             "mmc_service_level", "staffing", "mm1_state_probability", "mmc_state_probability",
             "mmck_state_probability", "mg1_multiclass", "mg1_priority", "mg1_vacations", "mgc_multiclass")

NOT_FUZZED = {
    **{f"virtmodel.queueing.{n}": "a single station: fuzzed in tests/queueing/test_station_fuzz.py" for n in _STATIONS},
    "virtmodel.queueing.StationResult": "a result class",
    "virtmodel.queueing.NetworkResult": "a result class",
    "virtmodel.queueing.ClosedNetworkResult": "a result class",
    "virtmodel.queueing.MulticlassNetworkResult": "a result class",
    "virtmodel.queueing.ClosedBounds": "a result class",
    "virtmodel.queueing.MultiClassResult": "a result class",
    "virtmodel.queueing.NormalizingConstant": "a result class",
    "virtmodel.model.SimulationNetwork": "a result class (built by simulation_network)",
    "virtmodel.model.ClosedResult": "a result class (built by Model.closed)",
    "virtmodel.analysis.BreakEven": "a result class (built by break_even)",
    "virtmodel.analysis.FitResult": "a result class (built by fit)",
    "virtmodel.plotting.fit_plot": "takes a FitResult (its plot() method); refusals in tests/analysis/test_fit.py",
    "virtmodel.techniques.register": "takes a class; refusals tested in tests/techniques/test_user_technique.py",
    "virtmodel.techniques.unregister": "mutates the registry; tested in tests/techniques/test_user_technique.py",
    "virtmodel.techniques.param": "a dataclass field declaration for technique authors",
    "virtmodel.techniques.flag": "a dataclass field declaration for technique authors",
    "virtmodel.techniques.cycles": "a formula helper over the model's symbols inside demands(s)",
    "virtmodel.techniques.work": "a formula helper over the model's symbols inside demands(s)",
    "virtmodel.techniques.events": "a formula helper over the model's symbols inside demands(s)",
    "virtmodel.techniques.native_demands": "a formula helper over the model's symbols inside demands(s)",
    "virtmodel.techniques.Technique": "an abstract base class",
    "virtmodel.techniques.Demands": "a value object built inside demands(s); unknown loads tested with Model",
    "virtmodel.techniques.Load": "a value object built inside demands(s) by work() and events()",
    "virtmodel.plotting.PlotHandles": "a result class (built by every plot)",
    "virtmodel.plotting.use_style": "a context manager without arguments of its own",
    "virtmodel.plotting.export": "writes files; its format check is tested in tests/plotting/test_export.py",
    "virtmodel.plotting.sensitivity_plot": "bad tables tested in tests/analysis/test_sensitivity.py",
    "virtmodel.plotting.uncertainty_plot": "takes an UncertaintyResult (its plot() method)",
    "virtmodel.analysis.UncertaintyResult": "a result class (built by uncertainty)",
    "virtmodel.plotting.break_even_plot": "bad curves tested in tests/plotting/test_breakeven_history.py",
    "virtmodel.plotting.break_even_point_plot": "takes a BreakEven result (its plot() method)",
    "virtmodel.plotting.closed_curve_plot": "takes a ClosedResult (its plot() method)",
    "virtmodel.plotting.break_even_data": "the same function as virtmodel.analysis.break_even (fuzzed)",
    "virtmodel.plotting.exit_cost_timeline_data": "the same function as exit_cost_history (fuzzed)",
    "virtmodel.plotting.exit_cost_timeline_plot": "draws exit_cost_history's table (tests/plotting)",
    "virtmodel.widgets.Dashboard": "the class behind dashboard() (fuzzed)",
    "virtmodel.simulate.Distribution": "a value class (built by distribution)",
    "virtmodel.simulate.Estimate": "a result class",
    "virtmodel.simulate.SimulationResult": "a result class",
    "virtmodel.simulate.NetworkSimulationResult": "a result class",
    "virtmodel.simulate.simulate_open_network": "network inputs checked in tests/simulate",
    "virtmodel.simulate.simulate_closed_network": "network inputs checked in tests/simulate",
    "virtmodel.simulate.simulate_multiclass_network": "network inputs checked in tests/simulate",
    "virtmodel.presets.Finding": "a record class (read from the data files)",
    "virtmodel.presets.Machine": "a record class (read from the data files)",
    "virtmodel.presets.Measurement": "a record class (read from the data files)",
    "virtmodel.presets.findings": "no arguments",
    "virtmodel.presets.measurements": "no arguments",
    "virtmodel.presets.sources": "no arguments",
    "virtmodel.references.Reference": "a record class (read from the .bib file)",
    "virtmodel.references.keys": "no arguments",
    "virtmodel.metrics.Metric": "a record class (the metric table)",
    "virtmodel.lenses.EC2Generation": "a record class (read from the data files)",
    "virtmodel.lenses.Fact": "a record class (read from the data files)",
    "virtmodel.lenses.ec2_facts_table": "no arguments",
    "virtmodel.lenses.ec2_generations_table": "no arguments",
    "virtmodel.lenses.ec2_instances_table": "no arguments",
    "virtmodel.latex.glossary_rows": "takes Formula objects (built by Model.expression)",
    "virtmodel.latex.glossary_table": "takes glossary rows (built by glossary_rows)",
    "virtmodel.analysis.compute": "dask's compute with a progress bar; tested in tests/test_distributed.py",
    "virtmodel.derivation.Derivation": "a result class (built by derivation)",
    "virtmodel.derivation.Step": "a record class",
    "virtmodel.derivation.ErlangC": "a SymPy function class (printing only)",
    "virtmodel.latex_layout.break_lines": "takes SymPy expressions from the model (layout internals)",
    "virtmodel.latex_layout.align_rows": "takes SymPy expressions from the model (layout internals)",
    "virtmodel.latex_layout.pack": "takes LaTeX pieces from break_lines (layout internals)",
    "virtmodel.latex.latex_align": "takes Formula objects (built by Model.expression)",
    "virtmodel.latex.save_latex": "writes files from Formula objects",
    "virtmodel.validation.validation_table": "no arguments",
    "virtmodel.validation.rows": "no arguments",
    "virtmodel.validation.Row": "a record class",
    "virtmodel.workloads.Preset": "a record class (the workload presets)",
    "virtmodel.resources.resolve": "joins resource tuples inside the model (Resource objects checked)",
    "virtmodel.plotting.mark_break_even": "takes axes and a BreakEven result (tests/test_figure_fixes.py)",
    "virtmodel.plotting.technique_style": "any name gets a colour and line style (unknown: a fallback)",
}


def _public():
    out = []
    for name in MODULES:
        mod = importlib.import_module(name)
        for attr in getattr(mod, "__all__", ()):
            obj = getattr(mod, attr)
            if callable(obj) and not isinstance(obj, type(math)):
                out.append(f"{name}.{attr}")
    return sorted(set(out))


def _resolve(path):
    if path.startswith("virtmodel.model.Model."):
        return getattr(_model(), path.rsplit(".", 1)[1])
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _built(value):
    return value() if callable(value) and getattr(value, "__name__", "").startswith("_") else value


def test_every_public_entry_point_has_a_recipe_or_a_reason():
    missing = [p for p in _public() if p not in RECIPES and p not in NOT_FUZZED]
    assert not missing, f"give these a recipe in RECIPES or a reason in NOT_FUZZED: {missing}"


@pytest.mark.parametrize("path", sorted(p for p in RECIPES if p in set(_public()) or ".Model." in p))
def test_valid_recipe_runs(path):
    args, kwargs = RECIPES[path]
    try:
        _resolve(path)(*(_built(a) for a in args), **kwargs)
    except OURS as err:  # a recipe may be a call that is refused on purpose (Host([]))
        assert str(err)


def _check(call):
    import matplotlib.pyplot as plt

    try:
        out = call()
    except OURS as err:
        assert str(err)          # a message to read
        return
    finally:
        plt.close("all")
    if isinstance(out, (float, np.floating)):
        assert not math.isnan(out), "a NaN result"


@pytest.mark.parametrize("path", sorted(p for p in RECIPES if p in set(_public()) or ".Model." in p))
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_adversarial_argument(path, data):
    args, kwargs = RECIPES[path]
    args = [_built(a) for a in args]
    slots = [("arg", i) for i in range(len(args))] + [("kw", k) for k in kwargs]
    if not slots:
        return
    kind, key = data.draw(st.sampled_from(slots), label="slot")
    value = data.draw(st.sampled_from(ADVERSARIAL), label="value")
    if kind == "arg":
        args[key] = value
    else:
        kwargs = {**kwargs, key: value}
    _check(lambda: _resolve(path)(*args, **kwargs))


@pytest.mark.parametrize("path", sorted(p for p in RECIPES if p in set(_public()) or ".Model." in p))
def test_every_adversarial_value_in_every_slot(path):
    """The draws above are random; this pass is exhaustive and deterministic: each adversarial value in
    each argument slot of each entry point, one at a time (it found a vacation spread that grew a
    simulation's list of draws until memory ran out, and a SymPy symbol accepted as a warm-up)."""
    args, kwargs = RECIPES[path]
    slots = [("arg", i) for i in range(len(args))] + [("kw", k) for k in kwargs]
    for kind, key in slots:
        for value in ADVERSARIAL:
            built = [_built(a) for a in args]
            changed = dict(kwargs)
            if kind == "arg":
                built[key] = value
            else:
                changed[key] = value
            try:
                _check(lambda: _resolve(path)(*built, **changed))
            except BaseException as err:
                raise AssertionError(f"{path}: {key} = {value!r:.40} gave {type(err).__name__}: {err}") from err
