"""Property-based fuzzing of every single-station function of ``virtmodel.queueing`` (issue 13).

The functions are ``virtmodel.queueing.__all__`` minus the result classes and the network
solvers listed in ``EXCLUDED`` (fuzzed in tests/fuzz/test_public_api.py), so a new station is covered as
soon as it is exported; its parameters are drawn by name from ``STRATEGIES`` (a new parameter
name fails ``test_every_parameter_has_a_strategy`` until it gets one).

Contract, for adversarial inputs (NaN, inf, None, negatives, -0.0, subnormals, 1e308, huge
integers, mismatched shapes, SymPy numbers and symbols, strings): the call returns a result of
the promised kind, never NaN, non-negative, ``inf`` only at points marked unstable, probabilities
in [0, 1]; or it raises ParameterError naming one of its parameters, UnstableError stating the
utilization, or SymbolicUnsupportedError (NotImplementedError only for a percentile stated as
"not available"). No other exception type. Random seed each run; ``FUZZ_EXAMPLES=400`` fuzzes harder.
"""

import inspect
import os
from datetime import timedelta

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import virtmodel.queueing as q
from virtmodel import ParameterError, SymbolicUnsupportedError, UnstableError
from virtmodel.queueing import MultiClassResult, StationResult

#: not single-station functions: the result classes and the network solvers
EXCLUDED = {"StationResult", "NetworkResult", "ClosedNetworkResult", "MulticlassNetworkResult", "MultiClassResult",
            "ClosedBounds", "NormalizingConstant", "open_network", "mva", "mva_approx", "mva_multiclass",
            "open_multiclass", "mixed_network", "closed_bounds", "normalizing_constant", "visits_from_routing"}
FUNCTIONS = {name: getattr(q, name) for name in q.__all__
             if name not in EXCLUDED and callable(getattr(q, name))}

x = sp.Symbol("x", positive=True)
ADVERSARIAL = [np.nan, np.inf, -np.inf, None, -1.0, -0.0, 0.0, 1e-320, 5e-324, 1e308, 10**400, 10**20,
               "1", b"1", True, sp.Integer(2), sp.Rational(1, 2), sp.Float(0.3), x, sp.nan, sp.oo, sp.zoo,
               sp.I, np.full(2, 0.5), np.full(3, 0.5), np.array([0.1, np.nan]), [0.2, 0.4], np.array([]),
               np.array([[0.1], [0.9]]), complex(1, 1)]
reals = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 10), st.floats(0, 1e-3))
values = st.one_of(reals, st.sampled_from(ADVERSARIAL), st.lists(st.floats(0, 5), min_size=1, max_size=4))
counts = st.one_of(st.integers(-2, 6), st.sampled_from(
    [10**20, 10**400, 2.0, 2.5, np.nan, np.inf, None, "2", True, sp.Integer(3),
     sp.Symbol("c", integer=True, positive=True), x, np.array([1, 2]), np.int64(3), -0.0]))

#: parameter name -> strategy (rates, times, loads and SCVs share the adversarial values)
STRATEGIES = {name: values for name in (
    "arrival_rate", "service_rate", "mean_service_time", "offered_load", "arrival_scv", "service_scv")}
STRATEGIES.update(servers=counts, capacity=counts, n=counts, sources=counts, target_time=values,
                  mean_vacation=values, vacation_scv=values, mean_first_service=values, first_service_scv=values)
per_class = st.one_of(st.lists(values, min_size=1, max_size=3), st.sampled_from([[], "0.5", None, 0.5, x]))
STRATEGIES.update(arrival_rates=per_class, mean_service_times=per_class, service_scvs=per_class)


def _arguments(data, function):
    args = {}
    for name, par in inspect.signature(function).parameters.items():
        if par.default is not inspect.Parameter.empty and name not in STRATEGIES:
            continue  # keyword options (method=...) keep their defaults
        args[name] = data.draw(STRATEGIES[name], label=name)
    return args


def _check_value(value, unstable, what):
    if isinstance(value, sp.Basic):
        assert value is not sp.nan, what
        return
    arr = np.asarray(value, dtype=float)
    assert not np.isnan(arr).any(), f"{what} is NaN: {value}"
    assert (arr >= 0).all(), f"{what} is negative: {value}"
    assert not (np.isinf(arr) & ~unstable).any(), f"{what} is inf at a stable point: {value}"


def _check_result(result, name):
    if isinstance(result, MultiClassResult):
        for k, station in enumerate(result):
            _check_result(station, f"{name}[{k}]")
        return
    if isinstance(result, StationResult):
        unstable = ~np.asarray(result.stable, dtype=bool) if result.kind != "symbolic" else False
        for metric, value in result.as_dict().items():
            _check_value(value, unstable, f"{name}.{metric}")
        if result.kind != "symbolic" and not result.percentile_method.startswith("not available"):
            _check_value(result.response_time_percentile(0.9), unstable, f"{name} p90")
            if result.blocking_probability is not None:
                assert (np.asarray(result.blocking_probability) <= 1).all()
    else:  # a probability (erlang_b, erlang_c)
        _check_value(result, False, name)
        if not isinstance(result, sp.Basic):
            assert (np.asarray(result) <= 1).all(), f"{name} > 1: {result}"


def test_the_fuzzed_set_is_not_empty():
    stations = {"mm1", "mmc", "mmck", "mg1", "md1", "gg1", "ggc", "mg1_ps", "erlang_b", "erlang_c"}
    assert stations <= set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_parameter_has_a_strategy(name):
    for par, spec in inspect.signature(FUNCTIONS[name]).parameters.items():
        assert par in STRATEGIES or spec.default is not inspect.Parameter.empty, (
            f"{name}({par}=...): add a strategy for '{par}' to STRATEGIES")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)), deadline=timedelta(seconds=10),
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_contract_under_adversarial_input(name, data):
    function = FUNCTIONS[name]
    args = _arguments(data, function)
    try:
        result = function(**args)
        _check_result(result, name)
    except ParameterError as err:
        named = {p.strip().split("[")[0] for p in err.parameter.split(",")}
        assert named <= set(inspect.signature(function).parameters) | {"p"}, err
        assert err.parameter in str(err)
    except UnstableError as err:
        assert "utilization" in str(err)
    except SymbolicUnsupportedError:
        pass
