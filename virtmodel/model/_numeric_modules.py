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

``select`` (SymPy's NumPy printer prints every ``Piecewise`` as ``numpy.select``) is compiled to
:func:`select`, which gives ``numpy.select``'s values, dtype and shape but skips the work for
conditions that are one boolean (a condition on fixed parameters, ``io_ops != 0``: NumPy
broadcasts it to every point and copies through it as a mask) and takes one ``numpy.where``
for one condition left that varies.

The Erlang function is compiled to :func:`erlang_c_over_load_numeric`, its numeric twin
that also refuses, while a bundle is evaluated in pieces (:mod:`._chunked`), a number of
servers for which the twin's way of computing would depend on the number of points.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..queueing.erlang_function import NUMERIC, RECURSION_SERVERS
from ._chunked import SizeDependent, in_pieces


def needs_scipy(exprs) -> bool:
    """Whether an expression calls a function that only SymPy's SciPy printer prints."""
    from sympy.printing.numpy import SciPyPrinter

    calls = set()
    for e in exprs:
        calls |= {type(f).__name__ for f in sp.sympify(e).atoms(sp.core.function.Application, sp.Integral)}
    return any(f"_print_{name}" in SciPyPrinter.__dict__ for name in calls - set(NUMERIC))


def erlang_c_over_load_numeric(c, a):
    """The compiled :math:`C(c, a)/a` (``NUMERIC["ErlangCOverLoad"]``); inside pieces
    (:func:`._chunked.in_pieces`) it raises :class:`._chunked.SizeDependent` unless every number of
    servers is 1 or a whole number up to ``RECURSION_SERVERS``, the servers for which
    :func:`~virtmodel.queueing.erlang_function.erlang_c_over_load` takes the Erlang B recursion
    whatever the number of points."""
    if in_pieces() and not _size_free(np.asarray(c, dtype=float)):
        raise SizeDependent("Erlang C over the load: the way of computing depends on the number of points")
    return _ERLANG(c, a)


def _size_free(c) -> bool:
    if c.ndim == 0:  # (the usual case, once per piece: no array reductions)
        v = float(c)
        return 1 <= v <= RECURSION_SERVERS and v == math.floor(v)
    return c.size > 0 and bool(np.all(c >= 1) and np.all(c <= RECURSION_SERVERS) and np.all(c == np.floor(c)))


def select(condlist, choicelist, default=0):
    """``numpy.select(condlist, choicelist, default)``: the same values, dtype and shape.

    A condition that is one boolean (0-d) is decided here: a false one drops its choice, a true
    one makes its choice the default of the conditions before it and drops those after it. No
    condition left: that choice itself (a read-only broadcast view where its shape is not the
    result's); one left: ``numpy.where``; more: ``numpy.select`` of those left. The dtype is
    ``numpy.select``'s (Python numbers taking part as Python numbers, NEP 50), and every choice
    is cast to it before it is chosen (as ``numpy.select`` does); a result of a smaller shape is
    broadcast to it.
    """
    if len(condlist) != len(choicelist) or not condlist:
        return np.select(condlist, choicelist, default)
    conds, choices, otherwise = [], [], default
    for cond, choice in zip(condlist, choicelist):
        if np.ndim(cond) or getattr(cond, "dtype", None) != np.bool_ and type(cond) is not bool:
            conds.append(cond)
            choices.append(choice)
        elif cond:
            otherwise = choice
            break
    everything = (*choicelist, default)
    dtype = np.result_type(*(v if type(v) in (int, float, complex) else np.asarray(v) for v in everything))
    shape = np.broadcast_shapes(*(np.shape(c) for c in condlist), *(np.shape(v) for v in everything))
    # each choice cast to the dtype first, as numpy.select does: the choices left (without those dropped)
    # could promote to a narrower dtype (float32 and a Python float) and round before the cast
    otherwise = np.asarray(otherwise, dtype=dtype)
    if not conds:
        out = otherwise
    elif len(conds) == 1 and getattr(conds[0], "dtype", None) == np.bool_:
        out = np.where(conds[0], np.asarray(choices[0], dtype=dtype), otherwise)
    else:
        out = np.select(conds, [np.asarray(c, dtype=dtype) for c in choices], otherwise)
    return out if out.shape == shape else np.broadcast_to(out, shape)


_ERLANG = NUMERIC["ErlangCOverLoad"]
_MODULE = {**NUMERIC, "ErlangCOverLoad": erlang_c_over_load_numeric, "select": select}


def numeric_modules(exprs) -> list:
    """``lambdify``'s ``modules`` for these expressions (see the module docstring)."""
    return [_MODULE, np, "scipy"] if needs_scipy(exprs) else [_MODULE, np]


__all__ = ["erlang_c_over_load_numeric", "needs_scipy", "numeric_modules", "select"]
