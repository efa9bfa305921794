"""host_cores_per_100k_iops on workloads without I/O (virtmodel/model/_derive.py, the metric table).

The honest value is inf where the host still works per request (the default's wake-ups of a halted
vCPU): host cores are spent at zero IOPS, so per I/O they are unbounded. It is 0 where the host does
nothing, and the first model's back-end (a host demand proportional to the I/O count) cancels to its
cost per I/O. Never NaN at an ordinary load.
"""

import math

import numpy as np
import pytest

from virtmodel.metrics import METRICS
from virtmodel.model import Model
from virtmodel.techniques import get

NO_IO = ("cpu_bound", "syscall_heavy")


@pytest.mark.parametrize("workload", NO_IO)
@pytest.mark.parametrize("name", ["paravirtual", "hardware_assist", "sriov", "nitro", "nested"])
def test_host_work_without_io_is_unbounded_per_io(workload, name):
    model = Model(name, workload)
    assert model.values()["io_ops"] == 0
    assert model.evaluate("host_cores") > 0  # the host wakes the halted vCPU: work at zero IOPS
    assert model.evaluate("host_cores_per_100k_iops") == math.inf
    rates = model.values()["arrival_rate"] * np.array([1e-6, 0.5, 1.0])
    assert np.all(model.evaluate("host_cores_per_100k_iops", arrival_rate=rates) == math.inf)


@pytest.mark.parametrize("workload", NO_IO)
def test_no_host_work_is_zero_and_the_first_back_end_its_cost_per_io(workload):
    for name in ("native", "container"):
        assert Model(name, workload).evaluate("host_cores_per_100k_iops") == 0.0
    first = get("paravirtual", wakeups="off")  # D_host = t_be n_io: the count cancels
    assert Model(first, workload).evaluate("host_cores_per_100k_iops") == pytest.approx(10**5 * first.backend_time,
                                                                                        rel=1e-12)
    assert Model(get("sriov", wakeups="off"), workload).evaluate("host_cores_per_100k_iops") == 0.0


def test_the_metric_table_says_so():
    metric = METRICS["host_cores_per_100k_iops"]
    assert "inf" in metric.description and "without I/O" in metric.description
