"""Scenarios that travel: a workload, a platform and techniques, as a plain JSON file.

A :class:`Scenario` is what a class shares: "this workload on this machine, under
these techniques with these costs". It saves to JSON and loads back exactly
(floats are written with ``repr``, which round-trips every double).

Format (version 1)
------------------
.. code-block:: json

    {
      "format": "virtmodel-scenario",
      "version": 1,
      "name": "...", "description": "...", "notes": "...",
      "workload": {"arrival_rate": 1000.0, "cpu_time": 0.0001, "...": "..."},
      "platform": {"cores": 32, "clock_hz": 3000000000.0, "...": "..."},
      "techniques": [
        {"technique": "hardware_assist", "parameters": {"exit_cycles": 784, "nested_paging": true}}
      ]
    }

``workload``, ``platform`` and each technique's ``parameters`` hold field
values by name; a missing field takes its default, so a hand-written file may
list only what differs. ``save`` writes every field.

Safety
------
Loading parses JSON with the standard library and nothing else: no pickle, no
``eval``, no ``sympify``; strings are only ever compared with names (technique
names, option values). Everything is validated first (unknown keys, types, NaN
and infinities, domains, options, the SR-IOV VF limit), then the objects are
built: a bad file raises :class:`~virtmodel.errors.ParameterError` whose
parameter is the path of the bad entry (e.g. ``techniques[1].exit_cycles``) and
nothing is half-loaded.

>>> s = Scenario(workload="small_packet_rr", techniques=["hardware_assist", "sriov"], name="demo")
>>> Scenario.from_json(s.to_json()) == s
True
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

from ._params import check_value, flag_fields, numeric_fields
from .errors import ParameterError
from .platform import Platform
from .workload import Workload

FORMAT = "virtmodel-scenario"
VERSION = 1
_TOP = ("format", "version", "name", "description", "notes", "workload", "platform", "techniques")
_TEXT = ("name", "description", "notes")


@dataclass(frozen=True)
class Scenario:
    """A workload, a platform and a list of techniques, with a name and notes.

    Parameters
    ----------
    workload : Workload or str, optional
        A :class:`~virtmodel.workload.Workload` or a preset name of
        :mod:`virtmodel.workloads` (default workload if omitted).
    platform : Platform, optional
    techniques : sequence of Technique or str
        Technique objects or registry names (:func:`virtmodel.techniques.get`).
    name, description, notes : str
    """

    workload: Workload = None
    platform: Platform = None
    techniques: tuple = ()
    name: str = ""
    description: str = ""
    notes: str = ""

    def __post_init__(self):
        from . import workloads
        from .techniques import get

        object.__setattr__(self, "workload", Workload() if self.workload is None else workloads.get(self.workload))
        if self.platform is not None and not isinstance(self.platform, Platform):
            raise ParameterError("platform", self.platform, "a Platform")
        object.__setattr__(self, "platform", self.platform or Platform())
        if isinstance(self.techniques, str) or not isinstance(self.techniques, (list, tuple)):
            raise ParameterError("techniques", self.techniques, "a list of techniques or names")
        object.__setattr__(self, "techniques", tuple(get(t) for t in self.techniques))
        for key in _TEXT:
            if not isinstance(getattr(self, key), str):
                raise ParameterError(key, getattr(self, key), "a string")

    def models(self) -> list:
        """One :class:`~virtmodel.model.Model` per technique, on the scenario's workload and platform."""
        from .model import Model

        return [Model(t, self.workload, self.platform) for t in self.techniques]

    # -- to JSON ---------------------------------------------------------------
    def to_dict(self) -> dict:
        """The scenario as plain JSON-ready data (every field written)."""
        return {
            "format": FORMAT, "version": VERSION,
            **{key: getattr(self, key) for key in _TEXT},
            "workload": _fields_of(self.workload),
            "platform": _fields_of(self.platform),
            "techniques": [{"technique": t.name, "parameters": _fields_of(t)} for t in self.techniques],
        }

    def to_json(self) -> str:
        """JSON text (floats exact, no NaN or infinity)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"

    def save(self, path) -> Path:
        """Write the scenario to ``path`` as JSON; returns the path."""
        path = Path(path)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    # -- from JSON -------------------------------------------------------------
    @classmethod
    def from_dict(cls, data) -> "Scenario":
        """Validate plain data (see the module docstring), then build the scenario."""
        from .techniques import TECHNIQUES

        _check_keys("scenario", data, _TOP, required=("format", "version"))
        if data["format"] != FORMAT:
            raise ParameterError("format", data["format"], repr(FORMAT))
        if type(data["version"]) is not int or data["version"] != VERSION:
            raise ParameterError("version", data["version"], f"{VERSION} (the format this virtmodel reads)")
        for key in _TEXT:
            if not isinstance(data.get(key, ""), str):
                raise ParameterError(key, _shown(data[key]), "a string")
        workload = _checked_fields("workload", Workload, data.get("workload", {}))
        platform = _checked_fields("platform", Platform, data.get("platform", {}))
        entries = data.get("techniques", [])
        if not isinstance(entries, list):
            raise ParameterError("techniques", _shown(entries), "a list")
        specs = []
        for i, entry in enumerate(entries):
            where = f"techniques[{i}]"
            _check_keys(where, entry, ("technique", "parameters"), required=("technique",))
            name = entry["technique"]
            if not isinstance(name, str) or name not in TECHNIQUES:
                raise ParameterError(f"{where}.technique", _shown(name), "one of " + ", ".join(TECHNIQUES))
            specs.append((TECHNIQUES[name], _checked_fields(where, TECHNIQUES[name], entry.get("parameters", {}))))
        # everything is valid: build (dataclass checks run again; the VF limit is checked per model)
        scenario = cls(Workload(**workload), Platform(**platform), tuple(c(**p) for c, p in specs),
                       **{key: data.get(key, "") for key in _TEXT})
        for i, technique in enumerate(scenario.techniques):
            try:
                technique.check({**scenario.workload.values(), **scenario.platform.values(), **technique.values()})
            except ParameterError as err:
                raise ParameterError(f"techniques[{i}].{err.parameter}", err.value, err.valid) from None
        return scenario

    @classmethod
    def from_json(cls, text: str) -> "Scenario":
        """Parse JSON text (standard library only) and :meth:`from_dict` it."""
        if not isinstance(text, (str, bytes)):
            raise ParameterError("text", type(text).__name__, "JSON text (str or bytes)")
        if isinstance(text, bytes):
            text = _decoded(text)
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as err:
            raise ParameterError("file", f"line {err.lineno} column {err.colno}", "valid JSON", err.msg) from None
        except RecursionError:
            raise ParameterError("file", "nesting too deep to read", "JSON nested a few levels deep "
                                 "(a scenario needs 4)") from None
        except ValueError as err:  # an integer of more digits than Python converts
            raise ParameterError("file", "an integer too long to read", "numbers within the range of a "
                                 "double", str(err).split(";")[0]) from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path) -> "Scenario":
        """Read a scenario file written by :meth:`save` (or by hand).

        Every problem, from a missing or unreadable file to a bad entry, is a
        :class:`~virtmodel.errors.ParameterError` whose message names the file.
        """
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise ParameterError("file", str(path), "a readable scenario file (JSON)", err.strerror) from None
        try:
            return cls.from_json(data)
        except ParameterError as err:
            said = f"{err.parameter} = {err.value!r} is invalid: {err.parameter} must be {err.valid} ("
            detail = str(err)[len(said):-1] if str(err).startswith(said) else ""
            raise ParameterError(err.parameter, err.value, err.valid,
                                 f"in {path}" + (f"; {detail}" if detail else "")) from None


def _decoded(data: bytes) -> str:
    """UTF-8 text (a byte-order mark allowed), else a ParameterError saying where it is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ParameterError("file", f"byte {err.start} (0x{data[err.start]:02x})", "UTF-8 text",
                             "not UTF-8: binary, or saved in another encoding such as Latin-1") from None


def _fields_of(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _finite(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer past the largest double
        return False


def _shown(value):
    """A bad value as an error shows it: long integers and containers summarised, not printed whole."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, (dict, list)):
        kind = "object" if isinstance(value, dict) else "array"
        return f"a JSON {kind} of {len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    return value


def _reject_constant(token):
    raise ParameterError("file", token, "finite numbers (NaN and Infinity are not JSON numbers)")


def _check_keys(where, data, allowed, required=()):
    if not isinstance(data, dict):
        raise ParameterError(where, _shown(data), "a JSON object")
    for key in data:
        if key not in allowed:
            raise ParameterError(f"{where}.{key}" if where != "scenario" else key, _shown(data[key]),
                                 "a known key", "valid keys: " + ", ".join(allowed))
    for key in required:
        if key not in data:
            raise ParameterError(f"{where}.{key}" if where != "scenario" else key, None, "present")


def _checked_fields(where, cls, values) -> dict:
    """Validate ``{field: value}`` for a parameter dataclass; returns it unchanged."""
    numeric = {f.name: f for f in numeric_fields(cls)}
    flags = {f.name: f for f in flag_fields(cls)}
    _check_keys(where, values, tuple(numeric) + tuple(flags))
    for key, value in values.items():
        path = f"{where}.{key}"
        if key in flags:
            options = flags[key].metadata["options"]
            if not any(type(value) is type(o) and value == o for o in options):
                raise ParameterError(path, _shown(value), "one of " + ", ".join(map(json.dumps, options)))
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not _finite(value):
            raise ParameterError(path, _shown(value), "a finite number within the range of a double")
        try:
            check_value(key, value, numeric[key].metadata["domain"])
        except ParameterError as err:
            raise ParameterError(path, value, err.valid) from None
    return values


__all__ = ["Scenario", "FORMAT", "VERSION"]
