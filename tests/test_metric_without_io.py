"""host_cores_per_100k_iops on a workload without I/O: 0 where the host does nothing, inf where it still
works per request, never 0/0 (a NaN the robustness property test once drew: nested, no I/O, no interrupts)."""

import numpy as np
import pytest

from virtmodel.analysis.sweep import sweep
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.workload import Workload

NO_IO = Workload(io_ops=0, io_interrupts=0)


@pytest.mark.parametrize("name", ["nested", "hardware_assist", "paravirtual", "sriov", "nitro"])
def test_first_model_without_io_is_zero(name):
    """With wakeups='off' these techniques' host work is all per I/O: none at zero I/O, so 0 (was NaN for nested)."""
    value = Model(get(name, wakeups="off"), NO_IO, Platform()).evaluate("host_cores_per_100k_iops")
    assert value == 0.0


@pytest.mark.parametrize("name", ["nested", "hardware_assist", "paravirtual", "sriov"])
def test_wakeups_without_io_is_inf(name):
    """With wake-ups the host wakes the halted vCPU per request even without I/O: unbounded per I/O."""
    value = Model(get(name, wakeups="on"), NO_IO, Platform()).evaluate("host_cores_per_100k_iops")
    assert value == np.inf


def test_with_io_unchanged_and_sweep_has_no_nan():
    """Away from zero I/O the metric is host demand per I/O; a sweep through zero gives no NaN on either path."""
    model = Model(get("paravirtual", wakeups="off"), Workload(io_ops=2), Platform())
    assert model.evaluate("host_cores_per_100k_iops") == pytest.approx(0.2, rel=1e-12)
    ds = sweep("host_cores_per_100k_iops", [get("nested", wakeups="off"), "paravirtual"], Workload(io_interrupts=0),
               io_ops=np.array([0.0, 0.5, 2.0]))
    values = ds["host_cores_per_100k_iops"].values
    assert not np.isnan(values).any()
    assert (values[:, 0] == 0).all() and (values[:, 1:] > 0).all()
