"""The packages' lazy public names (virtmodel._lazy): the same objects as the eager imports gave, loaded on use.

``virtmodel.queueing`` and ``virtmodel.model`` import a name's module when the
name is first asked for. What must not change: every name of ``__all__`` is
there (attribute, ``from ... import``, star import, ``dir()``) and is the
object its module defines; a function named like its module stays the
function whoever imports the module first; an open model's first call does not
load the simulation or the stations it does not use.
"""

import importlib
import subprocess
import sys

import pytest

import virtmodel.model
import virtmodel.queueing

PACKAGES = {
    virtmodel.queueing: ("virtmodel.queueing", virtmodel.queueing.__lazy_names__),
    virtmodel.model: ("virtmodel.model", virtmodel.model.__lazy_names__),
}


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("package", list(PACKAGES), ids=lambda p: p.__name__)
def test_every_public_name_is_its_modules_object_and_listed(package):
    name, lazy = PACKAGES[package]
    assert set(lazy) <= set(package.__all__)
    for public in package.__all__:
        value = getattr(package, public)
        assert not isinstance(value, type(sys)), f"{name}.{public} is a module"
        if public in lazy:
            assert value is getattr(importlib.import_module(f"{name}.{lazy[public]}"), public)
        assert public in dir(package)
    namespace = {}
    exec(f"from {name} import *", namespace)
    assert {k for k in namespace if k != "__builtins__"} == set(package.__all__)


def test_the_queueing_names_are_the_eager_init_s():
    """The 38 names the eager ``__init__`` imported, each from the module it named."""
    q = virtmodel.queueing
    assert len(q.__all__) == len(set(q.__all__)) == 38
    assert q.mm1 is importlib.import_module("virtmodel.queueing.mm1").mm1
    assert q.erlang_c is importlib.import_module("virtmodel.queueing.erlang").erlang_c
    assert q.MultiClassResult is importlib.import_module("virtmodel.queueing._multiclass").MultiClassResult
    assert q.mm1(0.5, 1.0).utilization == pytest.approx(0.5)


def test_a_function_named_like_its_module_stays_the_function_when_the_module_is_imported_first():
    code = ("import virtmodel.queueing.mm1, virtmodel.queueing.mva, virtmodel.queueing as q, types; "
            "from virtmodel.queueing import mm1; "
            "print(callable(mm1), isinstance(q.mva, types.FunctionType), q.mva.__module__)")
    assert _fresh(code) == "True True virtmodel.queueing.mva"


def test_submodules_stay_reachable_as_attributes_and_unknown_names_fail():
    assert virtmodel.queueing.erlang.__name__ == "virtmodel.queueing.erlang"
    assert virtmodel.model.simulation.__name__ == "virtmodel.model.simulation"
    assert virtmodel.model.closed.ClosedResult is virtmodel.model.ClosedResult
    with pytest.raises(AttributeError, match="no_such_name"):
        virtmodel.queueing.no_such_name
    with pytest.raises(ImportError):
        exec("from virtmodel.model import NoSuchName", {})


def test_closed_names_import_from_the_model_package_in_a_fresh_process():
    code = ("from virtmodel.model import ClosedResult, closed_metric_names, simulate_model; "
            "print(ClosedResult.__module__, closed_metric_names.__module__, simulate_model.__module__)")
    assert _fresh(code) == "virtmodel.model.closed virtmodel.model.closed virtmodel.model.simulation"


def test_an_open_model_s_first_call_loads_neither_the_simulation_nor_unused_stations():
    """Nor the percentiles' gamma fit and kernel, for a mean (model/_evaluate.py imports them for percentiles)."""
    code = ("import sys; from virtmodel.model import Model; "
            "Model('hardware_assist', 'small_packet_rr').evaluate('mean_latency'); "
            "print(sorted(m for m in ('virtmodel.model.simulation', 'virtmodel.simulate', 'virtmodel.queueing.mmck', "
            "'virtmodel.queueing.mixed_network', 'virtmodel.queueing.mva_multiclass', 'virtmodel.queueing._percentile_kernel', "
            "'scipy') if m in sys.modules))")
    assert _fresh(code) == "[]"
