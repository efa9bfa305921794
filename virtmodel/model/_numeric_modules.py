"""The modules ``lambdify`` compiles expressions with: NumPy, and SciPy only where needed.

The Erlang function compiles to its numeric twin (:data:`virtmodel.queueing.erlang_function.NUMERIC`),
everything else to NumPy. SciPy's special functions are added only for an expression that
calls one NumPy has not (``gamma``, ``erf``, ``factorial``, ``uppergamma`` ...: SymPy's
SciPy printer prints them, its NumPy printer does not): ``lambdify`` with ``"scipy"``
imports ``scipy.special``, 0.15 s of a cold first use that the model's own expressions
never need.

NumPy is passed as the module object, not the name ``"numpy"``: with the name, ``lambdify``
runs ``from numpy import *``, which imports every lazily loaded NumPy submodule
(``f2py``, ``testing``, ``random``, ``ma`` ..., 0.05 s) although the printed code calls
only NumPy's own functions (``numpy.exp``, ``numpy.select`` ...). SymPy chooses its NumPy
printer for the module object as for the name.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..queueing.erlang_function import NUMERIC


def needs_scipy(exprs) -> bool:
    """Whether an expression calls a function that only SymPy's SciPy printer prints."""
    from sympy.printing.numpy import SciPyPrinter

    calls = set()
    for e in exprs:
        calls |= {type(f).__name__ for f in sp.sympify(e).atoms(sp.core.function.Application, sp.Integral)}
    return any(f"_print_{name}" in SciPyPrinter.__dict__ for name in calls - set(NUMERIC))


def numeric_modules(exprs) -> list:
    """``lambdify``'s ``modules`` for these expressions (see the module docstring)."""
    return [NUMERIC, np, "scipy"] if needs_scipy(exprs) else [NUMERIC, np]


__all__ = ["needs_scipy", "numeric_modules"]
