"""host_cores_per_100k_iops on a workload without I/O: its limit term by term, never 0/0.

A host demand proportional to the I/O count keeps its cost per I/O; a host term that is not (the default's
wake-up of a halted vCPU per request, an interrupt count) is inf where non-zero, 0 where it vanishes. The
robustness property test once drew a NaN here: nested, wakeups='off', no I/O and no interrupts (0/0).
"""

import numpy as np
import pytest

from virtmodel.analysis.sweep import sweep
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.workload import Workload

NO_IO = Workload(io_ops=0, io_interrupts=0)


def _per_io(name, workload, **flags):
    return Model(get(name, **flags), workload, Platform()).evaluate("host_cores_per_100k_iops")


@pytest.mark.parametrize("name", ["nested", "hardware_assist", "paravirtual", "sriov", "nitro"])
def test_first_model_without_io_keeps_its_cost_per_io(name):
    """wakeups='off': every host term is per I/O or per interrupt; with neither, the cost per I/O (nested: was NaN)."""
    at_zero, with_io = _per_io(name, NO_IO, wakeups="off"), _per_io(name, Workload(io_ops=1, io_interrupts=0),
                                                                   wakeups="off")
    assert np.isfinite(at_zero) and at_zero == pytest.approx(with_io, rel=1e-12)


def test_a_term_that_does_not_cancel_is_unbounded():
    """Interrupts without I/O (nested, 'off'): host work at zero IOPS, unbounded per I/O."""
    assert _per_io("nested", Workload(io_ops=0, io_interrupts=1), wakeups="off") == np.inf


@pytest.mark.parametrize("name", ["nested", "hardware_assist", "paravirtual", "sriov"])
def test_wakeups_without_io_are_unbounded(name):
    """With wake-ups the host wakes the halted vCPU per request even without I/O: inf."""
    assert _per_io(name, NO_IO, wakeups="on") == np.inf


def test_native_without_io_is_zero():
    assert _per_io("native", NO_IO) == 0.0


def test_sweep_through_zero_io_has_no_nan():
    """Both fused paths (a sweep) through io_ops = 0: no NaN, the cost per I/O on each side of it."""
    ds = sweep("host_cores_per_100k_iops", [get("nested", wakeups="off"), get("paravirtual", wakeups="off")],
               Workload(io_interrupts=0), io_ops=np.array([0.0, 0.5, 2.0]))
    values = ds["host_cores_per_100k_iops"].values
    assert not np.isnan(values).any()
    np.testing.assert_allclose(values[:, 0], values[:, 2], rtol=1e-12)
    assert values[1, 0] == pytest.approx(0.2, rel=1e-12)
