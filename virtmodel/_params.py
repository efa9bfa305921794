"""Model parameters as plain dataclass fields with a unit, a source and a domain.

Every number of the virtualization model (a workload count, a platform size, a
technique's cost) is a field of a frozen dataclass declared with :func:`param`.
The field's ``metadata`` is the one place that says what the parameter is:

``unit``     physical unit (``"s"``, ``"cycles"``, ``"1/s"``, ``"count"`` ...)
``doc``      one-line description (shown in glossaries)
``source``   a citation key of the bibliography, or ``"assumption"``
``domain``   ``"positive"``, ``"nonnegative"``, ``"fraction"`` (in [0, 1]),
             ``"count"`` (integer >= 1), ``"count0"`` (integer >= 0) or
             ``"real"`` (any finite number: an extra cost that may be a saving,
             whose technique guards the total in ``Technique.check``)
``latex``    the symbol's LaTeX
``neutral``  the value at which the parameter costs nothing (0 for costs,
             1 for slowdown factors); used by the "zero cost gives native" laws

Fields declared with :func:`flag` are structural choices (nested paging on or
off, the I/O path); they select a formula and are never symbols.
The symbol registry (:mod:`virtmodel.symbols`) is built from these fields.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import field
from functools import lru_cache

import numpy as np

from ._backend import SCALAR
from ._validate import _as_float_array, choice, positive, probability, whole
from .errors import ParameterError

DOMAINS = ("positive", "nonnegative", "fraction", "count", "count0", "real")
#: the largest count a model parameter takes (a double holds every whole number up to it exactly)
MAX_COUNT = 2**53


def param(default, *, unit: str, doc: str, latex: str, source: str = "assumption",
          domain: str = "nonnegative", neutral=None):
    """Declare a numeric model parameter (see the module docstring)."""
    if domain not in DOMAINS:  # pragma: no cover - programming error
        raise ValueError(f"unknown domain {domain!r}")
    if neutral is None:
        neutral = 0 if domain in ("nonnegative", "count0", "fraction", "real") else None
    meta = dict(unit=unit, doc=doc, latex=latex, source=source, domain=domain, neutral=neutral)
    return field(default=default, metadata=meta)


def flag(default, *, doc: str, options: tuple):
    """Declare a structural option (not a symbol): one of ``options``."""
    return field(default=default, metadata=dict(flag=True, doc=doc, options=tuple(options)))


def numeric_fields(obj_or_cls) -> tuple:
    """The :func:`param` fields of a dataclass (instance or class), in order."""
    return _numeric_fields(obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls))


def flag_fields(obj_or_cls) -> tuple:
    """The :func:`flag` fields of a dataclass (instance or class), in order."""
    return _flag_fields(obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls))


@lru_cache(maxsize=None)
def _numeric_fields(cls) -> tuple:
    return tuple(f for f in dataclasses.fields(cls) if "domain" in f.metadata)


@lru_cache(maxsize=None)
def _flag_fields(cls) -> tuple:
    return tuple(f for f in dataclasses.fields(cls) if f.metadata.get("flag"))


def check_value(name: str, value, domain: str):
    """Validate one numeric parameter value (number or array) for its domain.

    Returns the value as given for numbers (ints stay ints) so dataclasses keep
    plain, JSON-friendly numbers, with ``-0.0`` as ``0.0`` (a zero cost must not
    turn a limit into ``-inf``); raises :class:`ParameterError` otherwise.
    SymPy objects are refused: a model's values are numbers (keep a parameter
    symbolic with ``Model.expression(keep=...)``).
    """
    if type(value).__module__.startswith("sympy"):
        raise ParameterError(name, value, "a number or an array of numbers",
                             "for a symbol use Model.expression(keep=[...])")
    if domain in ("positive", "nonnegative") and _plain_nonnegative(value, strict=domain == "positive"):
        return value  # the common large sweep: two integer reductions decide it
    value = _no_negative_zero(value)
    if isinstance(value, (list, tuple, np.ndarray)) and np.size(value) == 0:
        raise ParameterError(name, "an empty array", "a number or a non-empty array of numbers")
    if domain in ("count", "count0"):

        if np.ndim(value) > 0:
            arr = positive(name, value, "array", allow_zero=True)
            if np.any(arr != np.round(arr)) or np.any(arr < (1 if domain == "count" else 0)) or np.any(arr > MAX_COUNT):
                raise ParameterError(name, value, f"whole numbers >= {1 if domain == 'count' else 0}")
            return arr
        return whole(name, value, minimum=1 if domain == "count" else 0, maximum=MAX_COUNT)
    if domain == "real":
        return _finite(name, value)
    if domain == "fraction":
        return probability(name, value, "array", closed=True) if _is_array(value) else \
            float(probability(name, value, SCALAR, closed=True))
    checked = positive(name, value, "array" if _is_array(value) else SCALAR,
                       allow_zero=(domain == "nonnegative"))
    return checked if _is_array(value) else value


#: the bit pattern of +inf: a double whose sign bit is clear is finite iff its bits are below it
_INF_BITS = int(np.array(np.inf).view(np.int64))


def _plain_nonnegative(value, strict: bool) -> bool:
    """Whether ``value`` is a large float64 array of finite values >= 0 (> 0 if ``strict``) with
    no sign bit set (no ``-0.0``), decided by integer reductions over its bits (one for ``>= 0``).

    For doubles whose sign bit is clear, the order of their bit patterns read as
    integers is their numeric order, and +inf and every NaN come above all finite
    values: so the minimum says "no sign bit" (>= 0; > 0 excludes +0.0 too) and the
    maximum "finite, not NaN"; read as unsigned, a set sign bit puts a value above +inf, so
    for ``>= 0`` the unsigned maximum alone decides. Anything else (small arrays, other dtypes, a value
    that fails) takes the full check, which also names the offending value.
    """
    if not (isinstance(value, np.ndarray) and value.dtype == np.float64 and value.size > 64):
        return False
    if not (value.flags.c_contiguous or value.flags.f_contiguous):
        return False
    top = _largest_bits(value.ravel(order="K").view(np.uint64), 1 if strict else 0)
    if top is not None:  # > 0 too: 0 - 1 wraps to the top of the unsigned range
        return bool(top < _INF_BITS - (1 if strict else 0))
    if not strict:  # read unsigned, a set sign bit is above +inf too: one reduction decides it
        return bool(value.view(np.uint64).max() < _INF_BITS)
    bits = value.view(np.int64)
    return bool(bits.min() > 0) and bool(bits.max() < _INF_BITS)


def _largest_bits(bits, shift: int):
    """:func:`virtmodel.model.kernels.largest_bits` (the same reduction on every core, where the
    fused kernels run for an array this large), or None (then the NumPy reductions above)."""
    from .model import kernels

    return kernels.largest_bits(bits, shift)


def _no_negative_zero(value):
    """``value`` with -0.0 turned into 0.0 (floats and float arrays; other values unchanged)."""
    if isinstance(value, float) and value == 0.0:
        return 0.0
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and np.signbit(value).any():
        return value + 0.0  # a copy only when some value has its sign bit set (-0.0 or a negative)
    return value


def _finite(name: str, value):
    """Check a value of the ``real`` domain: finite numbers (an array is returned as floats)."""
    arr = _as_float_array(name, value)
    bad = ~np.isfinite(arr)
    if bad.any():
        first = arr[bad].flat[0]
        raise ParameterError(name, float(first), "a finite number (it may be negative)")
    return arr if _is_array(value) else value


def _is_array(value) -> bool:

    return np.ndim(value) > 0


#: plain Python numbers that pass each domain's check (:func:`check_value`): a test with no NumPy
#: call, for the parameter objects built by the thousand (a validation run builds about 90,000);
#: a value that fails it takes :func:`check_value`, which decides and names what is wrong
_PLAIN_OK = {
    "positive": lambda v: 0 < v < math.inf,
    "nonnegative": lambda v: 0 <= v < math.inf,
    "real": lambda v: -math.inf < v < math.inf,
    "fraction": lambda v: 0 <= v <= 1,
    "count": lambda v: 1 <= v <= MAX_COUNT and v == math.floor(v),
    "count0": lambda v: 0 <= v <= MAX_COUNT and v == math.floor(v),
}
#: Python ints beyond this take the full check (a float of them may overflow)
_PLAIN_INT = 2**62


def _plain_ok(value, domain: str) -> bool:
    """Whether ``value``, a plain ``float`` or ``int`` (not a bool), surely passes ``domain``'s check."""
    kind = type(value)
    if kind is not float and not (kind is int and -_PLAIN_INT < value < _PLAIN_INT):
        return False
    test = _PLAIN_OK.get(domain)
    return test is not None and test(value)


@lru_cache(maxsize=None)
def _fields_of(cls) -> tuple:
    """``(numeric fields as (name, domain), flag fields as (name, options))`` of a dataclass type."""
    return (tuple((f.name, f.metadata["domain"]) for f in numeric_fields(cls)),
            tuple((f.name, f.metadata["options"]) for f in flag_fields(cls)))


def validate_fields(obj) -> None:
    """Check every field of a parameter dataclass (called from ``__post_init__``)."""
    numeric, flags = _fields_of(type(obj))
    for name, domain in numeric:
        value = getattr(obj, name)
        if _plain_ok(value, domain):
            continue
        _check_field(name, value, domain)
    for name, options in flags:
        choice(name, getattr(obj, name), options)


def _check_field(name: str, value, domain: str) -> None:
    """The full check of one numeric field's value (a single number of its domain)."""
    if type(value).__module__.startswith("sympy"):
        raise ParameterError(name, value, "a plain number",
                             "keep parameters numeric; use Model.expression(keep=...) for symbols")
    if _is_array(value):
        raise ParameterError(name, value, "a single number", "sweep with Model.evaluate(...)")
    check_value(name, value, domain)


def values_of(obj) -> dict:
    """``{name: value}`` of the numeric fields of a parameter dataclass."""
    return {f.name: getattr(obj, f.name) for f in numeric_fields(obj)}


def sources_of(obj) -> dict:
    """``{name: citation key}`` of the numeric fields of a parameter dataclass."""
    return {f.name: f.metadata["source"] for f in numeric_fields(obj)}


def replace_checked(obj, **changes):
    """``dataclasses.replace`` that names unknown fields in a :class:`ParameterError`."""
    names = [f.name for f in dataclasses.fields(obj)]
    for key in changes:
        if key not in names:
            raise ParameterError(key, changes[key], "a parameter of " + type(obj).__name__,
                                 "valid names: " + ", ".join(names))
    return dataclasses.replace(obj, **changes)


class ParameterSet:
    """Mixin for the parameter dataclasses: validation, ``replace`` and ``values``."""

    def __post_init__(self):
        validate_fields(self)

    def replace(self, **changes):
        """A copy with some fields changed (unknown names raise ParameterError)."""
        return replace_checked(self, **changes)

    def values(self) -> dict:
        """``{field: value}`` of the numeric parameters."""
        return values_of(self)

    def parameter_sources(self) -> dict:
        """``{field: citation key}`` ("assumption" where no source gives the value)."""
        return sources_of(self)

    def sources(self) -> tuple:
        """The citation keys behind the values, sorted (what ``references.cite`` reads)."""
        return tuple(sorted(set(sources_of(self).values())))
