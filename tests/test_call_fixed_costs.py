"""A call's fixed costs kept off the evaluation path (model/model.py, model/closed.is_closed): the model's
key built once, the technique's check run again only when an override is a parameter it reads (its
verdict, and its error, as before), ``is_closed`` of a plain number without an array (same answers)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.model._derive import model_key
from virtmodel.model.closed import is_closed
from virtmodel.model.model import _Reads
from virtmodel.platform import Platform
from virtmodel.techniques import get


def test_key_built_once_and_per_model():
    m = Model("hardware_assist", "small_packet_rr")
    assert m.key is m.key and m.key == model_key(m.technique, m.platform)
    other = dataclasses.replace(m, technique=get("hardware_assist", wakeups="off"))
    assert other.key != m.key and other.key == model_key(other.technique, other.platform)
    assert dataclasses.replace(m, platform=m.platform.replace(vms=3)).key == m.key  # a value, not a resource
    assert m == Model("hardware_assist", "small_packet_rr") and hash(m) == hash(Model("hardware_assist",
                                                                                       "small_packet_rr"))


def test_check_runs_again_only_for_what_it_reads(monkeypatch):
    m = Model("sriov", platform=Platform(vms=64))
    assert {"vms", "max_vfs"} <= m._check_reads
    calls = []
    real = type(m.technique).check
    monkeypatch.setattr(type(m.technique), "check", lambda self, values: calls.append(1) or real(self, values))
    m.evaluate("mean_latency", arrival_rate=np.array([1e3, 2e3]))
    m.evaluate("mean_latency")
    assert calls == []
    with pytest.raises(ParameterError, match="max_vfs = 64"):
        m.evaluate("mean_latency", vms=np.array([8, 80]))
    assert calls == [1]
    with pytest.raises(ParameterError, match="max_vfs = 8"):
        m.evaluate("mean_latency", max_vfs=8)
    assert m.evaluate("mean_latency", vms=80, max_vfs=128) > 0
    assert len(calls) == 3


def test_a_check_that_iterates_reads_everything():
    r = _Reads({"a": 1, "b": 2})
    assert r["a"] == 1 and "b" in r and r.get("c") is None
    assert r.names == {"a", "b", "c"} and not r.everything
    dict(r)
    assert r.everything
    with pytest.raises(TypeError):
        r["a"] = 3


@pytest.mark.parametrize("users, closed", [(0, False), (0.0, False), (3, True), (0.5, True), (-1, False),
                                           (float("nan"), False), (np.float64(2.0), True), (np.int64(0), False),
                                           (np.array([1, 2]), True), (np.array([0.0, 0.0]), False)])
def test_is_closed_answers(users, closed):
    got = is_closed({"users": users})
    assert type(got) is bool and got is closed


def test_is_closed_refuses_a_mixed_sweep():
    with pytest.raises(ParameterError, match="users"):
        is_closed({"users": np.array([0, 2])})
    assert is_closed({}) is False


def test_key_hashes_as_its_tuple_and_pickles_anew():
    import pickle

    from virtmodel.model._derive import derive

    m = Model("sriov", "small_packet_rr")
    key = m.key
    assert hash(key) == hash(tuple(key)) and key == tuple(key)
    assert derive(tuple(key)) is derive(key)  # one cache entry whichever is asked
    again = pickle.loads(pickle.dumps(key))
    assert again == key and hash(again) == hash(tuple(again)) and type(again) is type(key)


@pytest.mark.parametrize("bad", [["mean_latency"], None, "nope", 3])
def test_metric_names_still_refuse_what_they_did(bad):
    m = Model("sriov", "small_packet_rr")
    with pytest.raises(ParameterError, match="metric"):
        m.evaluate(bad)
    assert m.evaluate("p99.9") > m.evaluate("p99") > 0  # a percentile: not in the list, still a metric
