"""Scenarios: exact JSON round trip, strict loading, nothing executed, nothing half-loaded."""

import dataclasses
import json
import math
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel import ParameterError
from virtmodel._params import numeric_fields
from virtmodel.platform import Platform
from virtmodel.scenario import Scenario
from virtmodel.techniques import TECHNIQUES, get
from virtmodel.workload import Workload


def _base():
    return Scenario(workload="small_packet_rr", platform=Platform(vms=4),
                    techniques=["binary_translation", get("hardware_assist", nested_paging=False), "sriov"],
                    name="t", description="d", notes="n")


def _value(domain):
    if domain == "fraction":
        return st.floats(0, 1)
    if domain in ("count", "count0"):
        return st.integers(1, 60)
    return st.floats(min_value=1e-12, max_value=1e12, allow_nan=False, allow_infinity=False)


def _params(cls):
    return st.fixed_dictionaries({f.name: _value(f.metadata["domain"]) for f in numeric_fields(cls)
                                  if f.name not in ("users", "max_vfs")})


@settings(max_examples=40, deadline=None)
@given(w=_params(Workload), p=_params(Platform), t=_params(TECHNIQUES["hardware_assist"]),
       flag=st.booleans(), name=st.text(max_size=20))
def test_round_trip_is_exact(tmp_path_factory, w, p, t, flag, name):
    s = Scenario(Workload(**w), Platform(**p), (get("hardware_assist", nested_paging=flag, **t), "native"),
                 name=name)
    path = tmp_path_factory.mktemp("s") / "s.json"
    back = Scenario.load(s.save(path))
    assert back == s
    for a, b in ((back.workload, s.workload), (back.platform, s.platform)):
        for f in dataclasses.fields(a):
            assert repr(getattr(a, f.name)) == repr(getattr(b, f.name))
    assert back.to_json() == s.to_json()


def _data():
    return json.loads(_base().to_json())


def _rejects(data, where):
    with pytest.raises(ParameterError) as err:
        Scenario.from_dict(data)
    assert err.value.parameter == where, str(err.value)
    assert where in str(err.value)


def test_unknown_keys_are_named():
    d = _data(); d["colour"] = "red"; _rejects(d, "colour")
    d = _data(); d["workload"]["cpu_tme"] = 1e-3; _rejects(d, "workload.cpu_tme")
    d = _data(); d["techniques"][1]["parameters"]["exit_cycle"] = 5; _rejects(d, "techniques[1].exit_cycle")
    d = _data(); d["techniques"][0]["extra"] = 1; _rejects(d, "techniques[0].extra")


def test_wrong_types_nan_negative_are_named():
    d = _data(); d["techniques"][1]["parameters"]["exit_cycles"] = "784"; _rejects(d, "techniques[1].exit_cycles")
    d = _data(); d["techniques"][1]["parameters"]["exit_cycles"] = -1.0; _rejects(d, "techniques[1].exit_cycles")
    d = _data(); d["platform"]["cores"] = 2.5; _rejects(d, "platform.cores")
    d = _data(); d["platform"]["cores"] = True; _rejects(d, "platform.cores")
    d = _data(); d["techniques"][1]["parameters"]["nested_paging"] = "yes"
    _rejects(d, "techniques[1].nested_paging")
    d = _data(); d["workload"]["kernel_fraction"] = 1.5; _rejects(d, "workload.kernel_fraction")
    d = _data(); d["workload"] = [1, 2]; _rejects(d, "workload")
    d = _data(); d["version"] = 2; _rejects(d, "version")
    d = _data(); d["name"] = 3; _rejects(d, "name")
    d = _data(); d["workload"]["cpu_time"] = math.nan; _rejects(d, "workload.cpu_time")
    text = _base().to_json().replace('"cpu_time": 1e-05', '"cpu_time": NaN')
    with pytest.raises(ParameterError, match="NaN"):
        Scenario.from_json(text)


def test_unknown_technique_and_vf_limit():
    d = _data(); d["techniques"][2]["technique"] = "teleportation"; _rejects(d, "techniques[2].technique")
    d = _data(); d["platform"]["vms"] = 65; _rejects(d, "techniques[2].vms")


@pytest.mark.parametrize("text", ["", "{", '{"format": "virtmodel-scenario", "version": 1',
                                  "[1, 2]", "null", '{"version": 1}'])
def test_truncated_or_invalid_json(text):
    with pytest.raises(ParameterError):
        Scenario.from_json(text)


def test_code_like_strings_are_data_or_rejected(monkeypatch):
    import builtins
    import pickle

    import sympy

    def boom(*a, **k):
        raise AssertionError("loading executed something")

    for mod, name in ((builtins, "eval"), (builtins, "exec"), (pickle, "loads"), (sympy, "sympify")):
        monkeypatch.setattr(mod, name, boom)
    d = _data()
    d["notes"] = "__import__('os').system('echo pwned')"
    assert Scenario.from_dict(d).notes == d["notes"]  # kept as text
    d["workload"]["cpu_time"] = "__import__('os').getcwd()"
    _rejects(d, "workload.cpu_time")
    d = _data(); d["__class__"] = "os.system"; _rejects(d, "__class__")
    d = _data(); d["techniques"][0]["technique"] = "__class__"; _rejects(d, "techniques[0].technique")


def test_never_half_loads(tmp_path):
    s = _base()
    path = s.save(tmp_path / "s.json")
    d = _data(); d["techniques"][2]["parameters"]["iommu_cycles"] = -5
    with pytest.raises(ParameterError):
        Scenario.from_dict(d)
    assert Scenario.load(path) == s  # the good file is unaffected, nothing cached


def test_shipped_scenarios_load_and_evaluate():
    files = [f for f in resources.files("virtmodel").joinpath("scenarios").iterdir() if f.name.endswith(".json")]
    assert len(files) >= 3
    for f in files:
        s = Scenario.from_json(f.read_text(encoding="utf-8"))
        assert s.name and s.description
        assert s.to_json() == f.read_text(encoding="utf-8")
        for model in s.models():
            assert model.evaluate("cpu_per_request") > 0


def _file_error(path) -> str:
    with pytest.raises(ParameterError) as err:
        Scenario.load(path)
    assert str(path) in str(err.value), str(err.value)
    return str(err.value)


def test_bad_file_contents_are_parameter_errors_naming_the_file(tmp_path):
    """Latin-1, binary, a 400-digit integer, 100 000-deep nesting, a missing file: one ParameterError each."""
    head = '{"format": "virtmodel-scenario", "version": 1, '
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes((head + '"name": "Système"}').encode("latin-1"))
    assert "UTF-8" in _file_error(latin1) and "0xe8" in _file_error(latin1)
    binary = tmp_path / "binary.json"
    binary.write_bytes(bytes(range(128, 256)) * 8)
    assert "UTF-8" in _file_error(binary)
    huge = tmp_path / "huge.json"
    huge.write_text(head + '"workload": {"cpu_time": 1' + "0" * 399 + "}}", encoding="utf-8")
    message = _file_error(huge)
    assert "workload.cpu_time" in message and "400 digits" in message and "0" * 50 not in message
    longer = tmp_path / "longer.json"
    longer.write_text(head + '"version": 1' + "0" * 5000 + "}", encoding="utf-8")
    assert "integer too long" in _file_error(longer)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "nesting too deep" in _file_error(deep)
    shallow_but_wrong = tmp_path / "nested.json"
    shallow_but_wrong.write_text(head + '"notes": ' + "[" * 500 + "]" * 500 + "}", encoding="utf-8")
    assert "notes = 'a JSON array of 1 entry'" in _file_error(shallow_but_wrong)
    assert "No such file" in _file_error(tmp_path / "missing.json")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + _base().to_json().encode())
    assert Scenario.load(bom) == _base()  # a byte-order mark is still UTF-8
