"""Substituting parameters into a model formula when a station has no work."""

import pytest
import sympy as sp

from virtmodel.model import Model


@pytest.mark.parametrize("metric", ["capacity_ratio", "throughput_limit"])
def test_no_io_workload_keeps_a_finite_capacity_formula(metric):
    # syscall_heavy has io_ops = 0: the device's capacity c/0 is no limit (+oo),
    # so Min() must drop it instead of failing on complex infinity.
    model = Model("binary_translation", "syscall_heavy")
    assert model.workload.io_ops == 0
    formula = model.expression(metric, keep=["syscalls"])
    (free,) = formula.expr.free_symbols
    assert free.name == "syscalls"
    value = float(formula.expr.subs(free, model.workload.syscalls))
    assert value == pytest.approx(model.evaluate(metric), rel=1e-12)
    assert not formula.expr.has(sp.zoo)
