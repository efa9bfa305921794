"""The closed model's latency variance and percentiles (model/closed.py, the spread section):
every technique, the limits, the input errors."""

import numpy as np
import pytest

from virtmodel import ParameterError, SymbolicUnsupportedError
from virtmodel.model import Model, closed_metric_names
from virtmodel.percentile_names import PERCENTILES
from virtmodel.platform import Platform
from virtmodel.queueing._percentiles import gamma_quantile
from virtmodel.model.closed import device_window
from virtmodel.techniques import get, names
from virtmodel.workload import Workload


def closed_model(technique="hardware_assist", workload="web_serving", platform=Platform(vms=1), **load):
    base = Model(technique, workload, platform)
    return Model(base.technique, base.workload.replace(**{"users": 4, "think_time": 1e-3, **load}), platform)


def test_the_closed_metrics_list_the_spread():
    for metric in ("latency_variance", *PERCENTILES):
        assert metric in closed_metric_names()


@pytest.mark.parametrize("technique", names())
def test_every_technique_gives_a_tail_above_its_mean(technique):
    m = closed_model(technique)
    users = np.array([1, 8, 64])
    mean, var = m.evaluate("mean_latency", users=users), m.evaluate("latency_variance", users=users)
    p50, p99, p999 = (m.evaluate(p, users=users) for p in ("p50", "p99", "p99.9"))
    assert np.all(var > 0) and np.all(np.isfinite(p999))
    assert np.all(p50 < mean) and np.all(mean < p99) and np.all(p99 < p999)
    assert np.all(np.diff(var) > 0)   # more users, more spread
    one = float(m.evaluate("p95", users=users[1:2])[0])
    assert m.evaluate("p95", users=8) == pytest.approx(one, rel=1e-12)


@pytest.mark.parametrize("technique", ["native", "hardware_assist", "paravirtual", "emulation", "nested"])
def test_one_user_far_apart_is_the_open_models_lone_request(technique):
    """One user with a long think time: no queueing, the variance is the sum of the stations' service
    variances, the open model's latency variance at a vanishing arrival rate (an independent path:
    the open model's M/G/c terms; the split stations of one resource count once)."""
    m = closed_model(technique, users=1, think_time=1e3)
    open_model = Model(m.technique, m.workload.replace(users=0), m.platform)
    expected = open_model.evaluate("latency_variance", arrival_rate=1e-9)
    assert m.evaluate("latency_variance") == pytest.approx(expected, rel=1e-5)


def test_the_percentile_is_the_gamma_fit_plus_the_delay():
    m = closed_model("hardware_assist", "small_packet_rr", users=16, think_time=0.0)
    from virtmodel.model.closed import _moments

    R, delay, var = _moments(m.key, m.values(), 16)
    assert R == pytest.approx(m.evaluate("mean_latency"), rel=1e-12)
    assert var == pytest.approx(m.evaluate("latency_variance"), rel=1e-12)
    assert m.evaluate("p99") == pytest.approx(delay + float(gamma_quantile(R - delay, var, 0.99, "numeric")),
                                              rel=1e-12)


def test_several_vms_and_a_device_window():
    many = closed_model("paravirtual", "small_packet_rr", platform=Platform(vms=4), users=32, think_time=0.0)
    assert many.evaluate("p99") > many.evaluate("mean_latency") > 0
    writes = Workload(arrival_rate=0.0, users=48, think_time=0.0, cpu_time=1.5e-5, kernel_fraction=0.9,
                      syscalls=1, io_ops=0, io_interrupts=0, file_reads=0, disk_writes=1,
                      disk_write_bytes=131072)
    platform = Platform(disk="flash", cores=4, vcpus=1, vms=2)
    windowed = Model(get("hardware_assist", io_path="virtio_user", indirect_descriptors=False), writes,
                     platform)
    free = Model(get("hardware_assist", io_path="virtio_user"), writes, platform)
    assert device_window(windowed.key, windowed.values()) < 48   # the window binds
    for m in (windowed, free):
        assert m.evaluate("p99") > m.evaluate("mean_latency") > 0
    assert windowed.evaluate("latency_variance") != free.evaluate("latency_variance")


def test_closed_result_holds_the_spread():
    result = closed_model(users=8).closed()
    assert result.metrics["p99"] > result.metrics["mean_latency"]
    assert result.latency_variance == pytest.approx(closed_model(users=8).evaluate("latency_variance"))


def test_no_symbolic_spread_and_bad_input_as_before():
    m = closed_model(users=2)
    for metric in ("latency_variance", "p99"):
        with pytest.raises(SymbolicUnsupportedError):
            m.expression(metric, keep=["think_time"])
    for bad in ("p0", "p100", "p99.90", "variance"):
        with pytest.raises(ParameterError, match="metric"):
            m.evaluate(bad)
    with pytest.raises(ParameterError):
        m.evaluate("p99", users=-1)
    with pytest.raises(ParameterError):
        m.evaluate("p99", think_time=-1.0)
