"""Binary translation's register writes: a signed extra (a saving), guarded so the guest demand stays > 0."""

import json

import numpy as np
import pytest

from virtmodel.analysis import break_even
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.scenario import Scenario
from virtmodel.symbols import info
from virtmodel.techniques import get
from virtmodel.workload import Workload


def test_default_is_the_cr8wr_saving():
    bt = get("binary_translation")
    assert bt.register_write_cycles == -105 == 35 - 140
    assert get("emulation").register_write_cycles == 0


def test_saving_lowers_cpu_and_zero_is_the_old_model():
    w = Workload(register_writes=10)
    saving = Model("binary_translation", w).evaluate("cpu_per_request")
    none = Model(get("binary_translation", register_write_cycles=0), w).evaluate("cpu_per_request")
    assert none - saving == pytest.approx(10 * 105 / 3e9)


def test_a_saving_larger_than_the_guest_work_is_rejected_by_name():
    with pytest.raises(ParameterError, match="register_write_cycles") as err:
        Model(get("binary_translation", register_write_cycles=-1e6), Workload(register_writes=2))
    assert err.value.parameter == "register_write_cycles"
    m = Model("binary_translation", Workload(register_writes=2))
    with pytest.raises(ParameterError, match="register_write_cycles"):
        m.evaluate("cpu_per_request", register_write_cycles=np.array([-105.0, -2e5]))
    with pytest.raises(ParameterError, match="register_write_cycles"):
        m.evaluate("cpu_per_request", register_writes=1e6)


def test_other_costs_stay_nonnegative_and_nonfinite_is_rejected():
    with pytest.raises(ParameterError, match="syscall_cycles"):
        get("binary_translation", syscall_cycles=-1)
    for bad in (np.nan, np.inf):
        with pytest.raises(ParameterError, match="register_write_cycles"):
            get("binary_translation", register_write_cycles=bad)


def test_symbolic_path_unchanged():
    sym = info("register_write_cycles").symbol
    assert sym.is_real and sym.is_nonnegative is None
    expr = Model("binary_translation").expression("cpu_per_request").expr
    assert expr.has(sym)
    values = Model("binary_translation").values()
    numeric = float(expr.xreplace({info(k).symbol: v for k, v in values.items()}))
    assert numeric == pytest.approx(Model("binary_translation").evaluate("cpu_per_request"))


def test_scenario_round_trip_keeps_the_saving(tmp_path):
    s = Scenario(workload="web_serving", techniques=["binary_translation"], name="t", description="d")
    path = s.save(tmp_path / "s.json")
    data = json.loads(path.read_text())
    assert data["techniques"][0]["parameters"]["register_write_cycles"] == -105
    assert Scenario.load(path).techniques[0].register_write_cycles == -105
    data["techniques"][0]["parameters"]["register_write_cycles"] = -1e9
    path.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match="register_write_cycles"):
        Scenario.load(path)


def test_break_even_over_the_signed_cost():
    # the register-write cost at which BT ties hardware assist on a register-write-heavy request
    w = Workload(register_writes=50, syscalls=0, cpu_time=200e-6)
    r = break_even("binary_translation", "hardware_assist", "register_write_cycles", "cpu_per_request", workload=w)
    assert r.roots and np.isfinite(r.roots[0])
