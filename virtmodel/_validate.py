"""Input checks shared by every public function.

Each checker takes the parameter's *name* (as the user spelled it), the value,
and the kind of the call (see :mod:`virtmodel._backend`), and returns the value
converted for computation: a float ndarray for numeric kinds, the SymPy object
for symbolic ones. Bad values raise :class:`~virtmodel.errors.ParameterError`
naming the parameter, the value and the valid range.

SymPy symbols are accepted when their assumptions do not contradict the range
(a ``Symbol("x", negative=True)`` passed as a rate is rejected; a plain
``Symbol("x")`` is accepted and the user takes responsibility for it).
Strings are always rejected: nothing a user typed is ever ``sympify``-ed.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._backend import SYMBOLIC
from .errors import ParameterError


def _first_bad(arr: np.ndarray, bad: np.ndarray):
    idx = np.argwhere(bad)[0]
    value = arr[tuple(idx)]
    where = f"element {tuple(int(i) for i in idx)}" if arr.ndim else ""
    return value, where


#: the smallest normal float: positive values below it are subnormal (their reciprocals overflow)
TINY = float(np.finfo(float).tiny)


def _as_float_array(name: str, value) -> np.ndarray:
    if value is None:
        raise ParameterError(name, value, "a number, an array of numbers or a SymPy expression",
                             "None is not a number")
    if isinstance(value, (str, bytes)):
        raise ParameterError(name, value, "a number, an array of numbers or a SymPy expression",
                             "strings are never parsed")
    if isinstance(value, bool) or (isinstance(value, np.ndarray) and value.dtype == bool):
        raise ParameterError(name, value, "a number (not a boolean)")
    try:
        arr = np.asarray(value, dtype=float)
    except OverflowError:
        raise ParameterError(name, _short(value), "a real number within the float range (|x| < 1.8e308)",
                             "too large to represent") from None
    except (TypeError, ValueError):
        raise ParameterError(name, _short(value), "a real number or an array of real numbers") from None
    return arr


def _short(value):
    """The value for an error message (huge integers abbreviated)."""
    if isinstance(value, numbers.Integral) and abs(int(value)) > 10**30:
        return f"an integer of {len(str(abs(int(value))))} digits"
    return value


def same_shape(**named):
    """Check that the named inputs broadcast together; ParameterError naming the odd one out."""
    shapes = {name: np.shape(v) for name, v in named.items() if v is not None and np.ndim(v) > 0}
    try:
        np.broadcast_shapes(*shapes.values())
    except ValueError:
        names = list(shapes)
        for i, name in enumerate(names[1:], 1):
            try:
                np.broadcast_shapes(*(shapes[n] for n in names[: i + 1]))
            except ValueError:
                first = names[0]
                raise ParameterError(name, f"an array of shape {shapes[name]}",
                                     f"broadcastable with {first} (shape {shapes[first]})",
                                     "NumPy broadcasting rules") from None


def _check_sympy(name, value, *, positive, allow_zero, integer=False):
    import sympy as sp

    if not isinstance(value, sp.Basic):
        value = sp.sympify(value, strict=True)  # numbers only; strings rejected earlier
    if value.is_number:
        if value.is_real is not True or value.is_finite is False:
            raise ParameterError(name, value, "a finite real number")
        if positive:
            if allow_zero and value.is_negative:
                raise ParameterError(name, value, ">= 0")
            if not allow_zero and value.is_positive is False:
                raise ParameterError(name, value, "> 0")
        if integer and value.is_integer is False and value is not sp.oo:
            raise ParameterError(name, value, "a whole number")
        return value
    if positive:
        if allow_zero and value.is_negative:
            raise ParameterError(name, value, ">= 0", "its SymPy assumptions say it is negative")
        if not allow_zero and value.is_positive is False:
            raise ParameterError(name, value, "> 0", "its SymPy assumptions say it is not positive")
    if integer and value.is_integer is False:
        raise ParameterError(name, value, "a whole number", "its SymPy assumptions say it is not an integer")
    return value


def positive(name: str, value, kind: str, *, allow_zero: bool = False, allow_inf: bool = False,
             normal: bool = False):
    """Check a rate or a time: finite, not NaN, > 0 (or >= 0 with ``allow_zero``).

    With ``normal``, nonzero values below the smallest normal float (``TINY``,
    subnormal numbers, whose reciprocals overflow) are rejected too.
    """
    valid = ">= 0" if allow_zero else "> 0"
    if not allow_inf:
        valid += " and finite"
    if value is None:
        _as_float_array(name, value)  # raises: None is not a number
    is_sympy = type(value).__module__.startswith("sympy")  # exact SymPy numbers are numbers.Number too
    if kind == SYMBOLIC and (is_sympy or not isinstance(value, (numbers.Number, np.ndarray, list, tuple))):
        if isinstance(value, (str, bytes)):
            raise ParameterError(name, value, "a number or a SymPy expression", "strings are never parsed")
        return _check_sympy(name, value, positive=True, allow_zero=allow_zero)
    if kind == SYMBOLIC:
        # plain numbers mixed into a symbolic call: keep them exact where possible
        import sympy as sp

        arr = _as_float_array(name, value)
        if arr.ndim:
            raise ParameterError(name, f"an array of shape {arr.shape}", "a number or a SymPy expression",
                                 "another input is symbolic: arrays and SymPy inputs do not mix")
        _check_numeric(name, arr, allow_zero, allow_inf, valid, normal)
        if isinstance(value, numbers.Integral) or float(value).is_integer():
            return sp.Integer(int(value))
        return sp.Float(value)
    arr = _as_float_array(name, value)
    _check_numeric(name, arr, allow_zero, allow_inf, valid, normal)
    return arr


def _check_numeric(name, arr, allow_zero, allow_inf, valid, normal=False):
    if arr.size > 64:  # two reductions decide the common case (NaN propagates: falls through)
        lo, hi = np.min(arr), np.max(arr)
        if (lo >= 0 if allow_zero else lo > 0) and (allow_inf or hi < np.inf) and not (normal and lo < TINY):
            return
    bad = np.isnan(arr)
    if bad.any():
        v, where = _first_bad(arr, bad)
        raise ParameterError(name, float(v), valid, ("NaN at " + where) if where else "NaN")
    bad = arr < 0 if allow_zero else arr <= 0
    tiny = (arr > 0) & (arr < TINY) if normal else None
    if normal and tiny.any():
        v, where = _first_bad(arr, tiny)
        raise ParameterError(name, float(v), valid + f", and at least {TINY:.4g} if not 0",
                             ("subnormal" + (" at " + where if where else "")
                              + ": its reciprocal overflows"))
    if not allow_inf:
        bad = bad | np.isinf(arr)
    if bad.any():
        v, where = _first_bad(arr, bad)
        raise ParameterError(name, float(v), valid, where)


def nonnegative(name: str, value, kind: str, *, normal: bool = False):
    """Check a quantity that may be zero (a cost, a think time, an SCV)."""
    return positive(name, value, kind, allow_zero=True, normal=normal)


def whole(name: str, value, *, minimum: int = 1, allow_inf: bool = False, maximum=None):
    """Check a count (servers, capacity, population): an integer >= ``minimum``.

    Returns a Python int, ``math.inf`` (when allowed) or a SymPy integer symbol.
    Floats equal to integers (``2.0``) are accepted; ``2.5`` is not. With
    ``maximum``, larger counts are rejected (a model's stated limit).
    """
    valid = f"a whole number >= {minimum}" + (" or inf" if allow_inf else "")
    if maximum is not None:
        valid += f" and <= {maximum:.3g}"
    count = _whole(name, value, valid, minimum, allow_inf)
    if maximum is not None and isinstance(count, int) and count > maximum:
        raise ParameterError(name, _short(count), valid)
    return count


def _whole(name, value, valid, minimum, allow_inf):
    if isinstance(value, (str, bytes)) or isinstance(value, bool):
        raise ParameterError(name, value, valid)
    if type(value).__module__.startswith("sympy"):
        import sympy as sp

        if value is sp.oo and allow_inf:
            return float("inf")
        if value.is_number:
            if value.is_integer and value >= minimum:
                return int(value)
            raise ParameterError(name, _short(value), valid)
        return _check_sympy(name, value, positive=minimum >= 1, allow_zero=minimum == 0, integer=True)
    if isinstance(value, numbers.Integral) or (isinstance(value, np.ndarray) and value.ndim == 0
                                               and value.dtype.kind in "iu"):
        if int(value) < minimum:
            raise ParameterError(name, _short(value), valid)
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        if f != f:
            raise ParameterError(name, value, valid, "NaN")
        if f == float("inf"):
            if allow_inf:
                return f
            raise ParameterError(name, value, valid)
        if not f.is_integer() or f < minimum:
            raise ParameterError(name, value, valid)
        return int(f)
    raise ParameterError(name, value, valid, f"got a {type(value).__name__}")


def probability(name: str, value, kind: str, *, closed: bool = False):
    """Check a probability in (0, 1) (or [0, 1] with ``closed``)."""
    valid = "in [0, 1]" if closed else "strictly between 0 and 1"
    if kind == SYMBOLIC and type(value).__module__.startswith("sympy"):
        v = _check_sympy(name, value, positive=True, allow_zero=closed)
        if v.is_number and (v > 1 or (not closed and v >= 1)):
            raise ParameterError(name, v, valid)
        return v
    arr = _as_float_array(name, value)
    bad = np.isnan(arr) | ((arr < 0) | (arr > 1) if closed else (arr <= 0) | (arr >= 1))
    if bad.any():
        v, where = _first_bad(arr, bad)
        raise ParameterError(name, float(v), valid, where)
    return arr


def text(name: str, value) -> str:
    """Check that ``value`` is a string (it is never parsed, only printed)."""
    if not isinstance(value, str):
        raise ParameterError(name, _short(value) if np.ndim(value) else value, "a string")
    return value


def choice(name: str, value, options):
    """Check that ``value`` is one of ``options`` (strings compared exactly; an array or an
    unhashable value is never one)."""
    try:
        known = not isinstance(value, np.ndarray) and np.ndim(value) == 0 and value in options
    except (TypeError, ValueError):
        known = False
    if not known:
        raise ParameterError(name, value, "one of " + ", ".join(repr(o) for o in options))
    return value


def all_zero(names, values: dict, valid: str, detail: str) -> None:
    """Refuse a non-zero value (a number, or any element of an array) of each of ``names`` in ``values``:
    ParameterError naming the first one, ``valid`` what it must be, ``detail`` how to make it valid (a
    workload that uses a resource the platform does not have: a disk, the memory's bandwidth)."""
    for name in names:
        value = values.get(name, 0)
        if np.any(np.asarray(value) != 0):
            raise ParameterError(name, value if np.ndim(value) == 0 else "an array with non-zero values",
                                 valid, detail)
