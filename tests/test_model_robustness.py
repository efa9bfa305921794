"""Hypothesis: any valid input gives a number or a clear error, never a NaN or a stray exception.

Every technique, with every cost, workload count and platform setting drawn from
its parameter's domain (zero, or a magnitude from 10^-6 to 10^2 times its
default; open or closed load, light to past saturation), evaluates every
metric. Subnormal magnitudes such as 1e-300 bytes are left out: they underflow
in any floating-point formula and describe no machine. The only acceptable outcomes are:

- a number that is not NaN (finite, except the latency metrics of a sweep point
  past saturation, which are ``inf``, and the throughput limit of a path with
  no demand);
- a :class:`~virtmodel.errors.ParameterError` naming a parameter (e.g. more VMs
  than SR-IOV has virtual functions; a closed-load model gives percentiles too
  since closedtail);
- an :class:`~virtmodel.errors.UnstableError` for a scalar at or past saturation.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from virtmodel import ParameterError, UnstableError
from virtmodel.model import Model, metric_names
from virtmodel.platform import Platform
from virtmodel.techniques import get, names
from virtmodel.workload import Workload

LATENCY = {"mean_latency", "latency_variance", "p50", "p95", "p99", "p99.99", "overhead"}
SIGNED_OK = {"register_write_cycles"}  # a signed extra, kept at its default (its own tests bound it)


def _value(field):
    """A strategy for one parameter from its domain, scaled around its default."""
    domain, default = field.metadata["domain"], field.default
    scale = abs(float(default)) if default else 1.0
    if domain == "count":
        return st.integers(1, 128)
    if domain == "count0":
        return st.integers(0, 128)
    if domain == "fraction":
        return st.one_of(st.just(0.0), st.just(1.0), st.floats(0.0, 1.0))
    if domain == "positive":
        return st.floats(scale * 1e-2, scale * 1e2)
    if domain == "nonnegative":  # zero, or a magnitude a machine could have (no 1e-300 bytes)
        return st.one_of(st.just(0.0), st.floats(scale * 1e-6, scale * 1e2))
    return st.just(default)


def _builds(cls, skip=(), **fixed):
    fields = {f.name: _value(f) for f in dataclasses.fields(cls)
              if "domain" in f.metadata and f.name not in skip and f.name not in SIGNED_OK}
    booleans = {f.name: st.booleans() for f in dataclasses.fields(cls)
                if isinstance(f.default, bool) and "domain" not in f.metadata}
    return st.fixed_dictionaries({**fields, **booleans, **fixed})


@st.composite
def models(draw):
    name = draw(st.sampled_from(names()))
    costs = draw(_builds(type(get(name))))
    closed = draw(st.booleans())
    load = {"arrival_rate": 0.0, "users": draw(st.integers(1, 40)), "think_time": draw(st.one_of(st.just(0.0), st.floats(1e-9, 1e-2)))} \
        if closed else {}
    workload = Workload(**{**draw(_builds(Workload, skip=("arrival_rate", "users", "think_time"),
                                          cpu_time=st.floats(1e-7, 1e-2))), **load})
    platform = Platform(**draw(_builds(Platform)))
    return name, costs, workload, platform


def _outcome(call):
    try:
        return call()
    except (ParameterError, UnstableError) as error:
        assert str(error), "an error with no message"
        return error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=models(), load=st.floats(0.0, 1.5))
def test_every_metric_is_a_number_or_a_clear_error(case, load):
    name, costs, workload, platform = case
    model = _outcome(lambda: Model(get(name, **costs), workload, platform))
    event("closed load" if workload.users else "open load")
    if isinstance(model, Exception):
        assert isinstance(model, ParameterError)
        event("model rejected: ParameterError")
        return
    limit = _outcome(lambda: model.evaluate("throughput_limit"))
    open_load = workload.users == 0 and not isinstance(limit, Exception) and np.isfinite(limit)
    rates = {"arrival_rate": load * limit} if open_load else {}
    for metric in metric_names() + ("p99.99",):  # and a percentile beyond the listed ones
        if metric == "bottleneck":
            continue
        got = _outcome(lambda m=metric: model.evaluate(m, **rates))
        event(f"outcome: {type(got).__name__ if isinstance(got, Exception) else 'number'}")
        if isinstance(got, UnstableError):
            assert metric in LATENCY or metric == "throughput_limit" or load >= 1.0, (metric, got)
            continue
        if isinstance(got, Exception):
            continue
        assert not np.isnan(got), f"{metric} is NaN for {name}, {workload}, {platform}, {costs}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=models())
def test_a_sweep_through_saturation_masks_with_inf_never_nan(case):
    name, costs, workload, platform = case
    if workload.users:
        return
    model = _outcome(lambda: Model(get(name, **costs), workload, platform))
    if isinstance(model, Exception):
        return
    limit = model.evaluate("throughput_limit")
    if not np.isfinite(limit):
        return
    rates = np.linspace(0.0, 1.5, 31) * limit
    for metric in ("mean_latency", "p99", "p99.99", "overhead", "guest_cores", "host_cores"):
        got = model.evaluate(metric, arrival_rate=rates)
        assert not np.isnan(got).any(), f"{metric} has NaN for {name}: {got}"
        if metric in ("mean_latency", "p99", "p99.99"):
            stable = rates < 0.999 * limit
            assert np.isfinite(got[stable]).all(), f"{metric} not finite below the limit for {name}"
            assert np.isinf(got[rates > limit]).all(), f"{metric} not inf past the limit for {name}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=models(), load=st.floats(0.0, 0.95), metric=st.sampled_from(["mean_latency", "p99", "overhead",
                                                                        "host_cores", "throughput_limit"]))
def test_sensitivity_is_a_table_of_numbers_or_a_clear_error(case, load, metric):
    """Elasticities over random models: every derivative a number (inf only next to saturation), never NaN."""
    from virtmodel.analysis import sensitivity

    name, costs, workload, platform = case
    model = _outcome(lambda: Model(get(name, **costs), workload, platform))
    if isinstance(model, Exception) or workload.users:
        return
    limit = _outcome(lambda: model.evaluate("throughput_limit"))
    rate = {"arrival_rate": load * limit} if not isinstance(limit, Exception) and np.isfinite(limit) else {}
    table = _outcome(lambda: sensitivity(model.technique, metric, workload, platform, **rate))
    event(f"sensitivity: {type(table).__name__ if isinstance(table, Exception) else 'table'}")
    if isinstance(table, Exception):
        return
    assert not table["derivative"].isna().any(), table
    if table.attrs["value"] != 0:
        assert not table["elasticity"].isna().any(), table
