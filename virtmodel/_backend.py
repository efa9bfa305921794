"""One formula, three uses: numbers, NumPy arrays and SymPy expressions.

Every closed form in virtmodel is written once, as a plain Python function of its
inputs that uses only arithmetic and the operations of a *backend* (``exp``,
``sqrt``, ``where`` ...). Called with SymPy objects it builds an expression;
called with NumPy arrays it evaluates element-wise at NumPy speed (it *is* the
NumPy expression, with no interpretation layer); called with floats it gives
floats. This module classifies inputs and provides the two backends.

Kinds
-----
``"symbolic"``
    at least one input is a SymPy object (a ``Symbol``, an expression, or an
    exact number such as ``Rational(1, 2)``);
``"array"``
    at least one input is an array (or list/tuple) of dimension >= 1;
``"scalar"``
    every input is a real number.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

SYMBOLIC = "symbolic"
ARRAY = "array"
SCALAR = "scalar"


def _is_sympy(value) -> bool:
    # Cheap check that does not import SymPy when the value is numeric.
    return type(value).__module__.startswith("sympy")


def kind_of(*values) -> str:
    """Return the kind of a set of inputs: "symbolic", "array" or "scalar"."""
    kind = SCALAR
    for v in values:
        if v is None:
            continue
        if _is_sympy(v):
            return SYMBOLIC
        if isinstance(v, np.ndarray):
            if v.dtype == object and any(_is_sympy(x) for x in v.flat):
                return SYMBOLIC
            if v.ndim > 0:
                kind = ARRAY
        elif isinstance(v, (list, tuple)):
            if any(_is_sympy(x) for x in np.asarray(v, dtype=object).flat):
                return SYMBOLIC
            kind = ARRAY
    return kind


def _sympy_ops():
    import sympy as sp

    def where(cond, a, b):
        return sp.Piecewise((a, cond), (b, True))

    return SimpleNamespace(
        kind=SYMBOLIC,
        exp=sp.exp,
        log=sp.log,
        sqrt=sp.sqrt,
        factorial=sp.factorial,
        minimum=sp.Min,
        maximum=sp.Max,
        where=where,
        pi=sp.pi,
        inf=sp.oo,
    )


_NUMPY_OPS = SimpleNamespace(
    kind=ARRAY,
    exp=np.exp,
    log=np.log,
    sqrt=np.sqrt,
    factorial=lambda n: np.exp(_gammaln(np.asarray(n, dtype=float) + 1.0)),
    minimum=np.minimum,
    maximum=np.maximum,
    where=np.where,
    pi=math.pi,
    inf=math.inf,
)


def _gammaln(x):
    from scipy.special import gammaln

    return gammaln(x)


def ops_for(kind: str) -> SimpleNamespace:
    """The math namespace for a kind (SymPy functions or NumPy ufuncs)."""
    if kind == SYMBOLIC:
        return _sympy_ops()
    return _NUMPY_OPS


def as_output(value, kind: str):
    """Convert a computed value to the output type of ``kind``.

    Scalars come back as Python floats, arrays as float ndarrays (constants are
    broadcast by the caller), symbolic values unchanged.
    """
    if kind == SYMBOLIC:
        return value
    if kind == SCALAR:
        return float(np.asarray(value, dtype=float))
    return np.asarray(value, dtype=float)
