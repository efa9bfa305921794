"""Erlang B (blocking) and Erlang C (waiting) probabilities.

Numerically, Erlang B is computed by the forward recursion

.. math::
    B(0, a) = 1, \\qquad B(k, a) = \\frac{a\\,B(k-1, a)}{k + a\\,B(k-1, a)}

(equivalently :math:`1/B(k) = 1 + (k/a)/B(k-1)`; :mod:`._erlang_b_recursion`), which never
overflows and is accurate for thousands of servers and loads up to and past capacity. With SymPy,
a concrete number of servers gives the finite sum (a rational function of the
load) and a symbolic number of servers an unevaluated ``Sum``. Erlang C is
derived from Erlang B by :math:`C = c B / (c - a (1 - B))`.

For more than ``LARGE_SERVERS`` servers the recursion is replaced by a closed
form through the regularized incomplete gamma function (no loop per server;
:mod:`._erlang_b_large`), so millions or :math:`10^{20}` servers cost the same
as ten. With SymPy, more than ``SYMBOLIC_TERMS`` concrete servers give the
unevaluated ``Sum`` (an explicit sum that long is of no use and slow to build).

Past saturation (:math:`a \\ge c`) an M/M/c queue has no steady state: every
arrival eventually waits, so in an array Erlang C is 1 at those points (a
scalar call raises :class:`~virtmodel.errors.UnstableError`).
"""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, as_output, kind_of
from .._validate import nonnegative, same_shape, whole
from ._erlang_b_large import LARGE_SERVERS, erlang_b_large
from ._erlang_b_recursion import erlang_b_recursion
from ._stability import check_stability, quiet_numerics

#: concrete server counts above this give an unevaluated SymPy ``Sum``
SYMBOLIC_TERMS = 300
#: the most servers accepted (counts are used as floats above ``LARGE_SERVERS``)
MAX_SERVERS = 10**300


def symbolic_factorial(c):
    """:math:`c!` for SymPy: left unevaluated for large concrete ``c`` (10**6! has 5.5 million digits)."""
    import sympy as sp

    if isinstance(c, int) and c > SYMBOLIC_TERMS:
        return sp.factorial(sp.Integer(c), evaluate=False)
    return sp.factorial(c)


def _symbolic_partial_sum(a, c):
    """:math:`\\sum_{k=0}^{c} a^k/k!`: explicit for small concrete ``c``, else a ``Sum``."""
    import sympy as sp

    if isinstance(c, int) and c <= SYMBOLIC_TERMS:
        return sp.Add(*(a**i / sp.factorial(i) for i in range(c + 1)))
    k = sp.Dummy("k", integer=True, nonnegative=True)
    return sp.Sum(a**k / sp.factorial(k), (k, 0, c))


def erlang_b_value(c, a, kind):
    """Erlang B for validated inputs (``c`` an int or SymPy integer)."""
    if kind == SYMBOLIC:
        import sympy as sp

        return a**c / symbolic_factorial(c) / _symbolic_partial_sum(a, c)
    a = np.asarray(a, dtype=float)
    if c > LARGE_SERVERS:
        return erlang_b_large(c, a)
    return erlang_b_recursion(c, a)


def erlang_c_from_b(c, a, b):
    """Erlang C from Erlang B: :math:`C = c B / (c - a (1 - B))` (valid for :math:`a < c`)."""
    return c * b / (c - a * (1 - b))


def erlang_c_value(c, a, kind):
    """Erlang C for validated inputs; symbolic: the explicit ratio (no nested B inside C)."""
    if kind == SYMBOLIC:
        top = a**c / symbolic_factorial(c) * c / (c - a)
        below = _symbolic_partial_sum(a, c) - a**c / symbolic_factorial(c)
        return top / (below + top)
    return erlang_c_from_b(c, a, erlang_b_value(c, a, kind))


def _inputs(servers, offered_load):
    kind = kind_of(servers, offered_load)
    same_shape(offered_load=offered_load)
    c = whole("servers", servers, maximum=MAX_SERVERS)
    a = nonnegative("offered_load", offered_load, kind)
    return kind, c, a


def erlang_b(servers, offered_load):
    """Erlang B formula: the blocking probability of an M/M/c/c loss system.

    .. math::
        B(c, a) = \\frac{a^c / c!}{\\sum_{k=0}^{c} a^k / k!}

    Assumptions: Poisson arrivals, ``servers`` servers and no waiting room
    (blocked calls are lost); by insensitivity any service-time distribution
    with the given mean gives the same value.

    Parameters
    ----------
    servers : int or SymPy integer symbol
        :math:`c`, the number of servers (>= 1).
    offered_load : float, array or SymPy expression
        :math:`a = \\lambda/\\mu`, the offered load in erlangs (>= 0).

    Returns
    -------
    float, ndarray or SymPy expression
        The probability that an arrival finds all servers busy.

    Examples
    --------
    ``erlang_b(10, 5.0)`` is about 0.01838 (the Erlang B table value).

    References
    ----------
    D. Gross, J. Shortle, J. Thompson, C. Harris, *Fundamentals of Queueing
    Theory*, 4th ed., Wiley 2008, section 2.6.
    """
    kind, c, a = _inputs(servers, offered_load)
    return as_output(erlang_b_value(c, a, kind), kind)


def erlang_c(servers, offered_load):
    """Erlang C formula: the probability of waiting in an M/M/c queue.

    .. math::
        C(c, a) = \\frac{c\\,B(c, a)}{c - a\\,(1 - B(c, a))}
        = \\frac{\\frac{a^c}{c!}\\frac{c}{c-a}}
          {\\sum_{k=0}^{c-1}\\frac{a^k}{k!} + \\frac{a^c}{c!}\\frac{c}{c-a}}

    Assumptions: Poisson arrivals, exponential service, ``servers`` servers,
    infinite waiting room. A steady state exists for :math:`a < c` only: a
    scalar :math:`a \\ge c` raises :class:`~virtmodel.errors.UnstableError`;
    in an array such points are 1 (past saturation every arrival waits), never NaN.

    Parameters
    ----------
    servers : int or SymPy integer symbol
        :math:`c`, the number of servers (>= 1).
    offered_load : float, array or SymPy expression
        :math:`a = \\lambda/\\mu` in erlangs (>= 0, < ``servers``).

    Returns
    -------
    float, ndarray or SymPy expression
        The probability that an arrival has to wait.

    Examples
    --------
    ``erlang_c(2, 1.0)`` is 1/3.

    References
    ----------
    D. Gross et al., *Fundamentals of Queueing Theory*, 4th ed., section 2.3;
    A. K. Erlang (1917).
    """
    kind, c, a = _inputs(servers, offered_load)
    with quiet_numerics(kind):
        value = erlang_c_value(c, a, kind)
    stable = check_stability(a / c, kind, f"M/M/{c}")
    if kind == SYMBOLIC:
        return value
    return as_output(np.where(stable, np.clip(value, 0.0, 1.0), 1.0), kind)
