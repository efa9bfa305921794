"""Visit ratios of a closed network from its routing matrix (the traffic equations)."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, kind_of
from .._validate import whole
from ..errors import ParameterError
from ._closed_network_input import _times

#: how far a row of float routing probabilities may sum from 1
ROW_SUM_TOLERANCE = 1e-9


def visits_from_routing(routing, reference=0):
    """Visit ratios :math:`V_k` of a closed network: the traffic equations :math:`V = V P`, :math:`V_r = 1`.

    A customer leaving station i goes to station j with probability
    :math:`P_{ij}` (each row sums to 1: nobody leaves a closed network). The
    visit ratios solve

    .. math::
        V_j = \\sum_i V_i P_{ij}, \\qquad V_r = 1

    (visits to each station per visit to the reference station r, for example
    the terminals), unique when every station reachable from r can reach it
    back (one closed class of the routing chain); stations that the reference
    station never reaches get 0. Multiply by the service times for the demands
    :math:`D_k = V_k S_k`.

    Parameters
    ----------
    routing : array_like (K, K), or (C, K, K) for C classes without class switching
        Routing probabilities :math:`P_{ij}` in [0, 1], rows summing to 1.
        Floats or SymPy numbers/expressions (exact visits).
    reference : int or array_like (C,) of int, optional
        The reference station r (0-based), per class for a (C, K, K) routing.

    Returns
    -------
    numpy.ndarray
        (K,) visit ratios, or (K, C) stations x classes (the layout of
        :func:`mva_multiclass` demands). Object array of SymPy numbers for
        symbolic input.

    Examples
    --------
    A CPU (station 0) sending 30% of its requests to disk 1 and 20% to disk 2,
    the rest back to the terminals through itself; the disks return to the CPU:

    >>> V = visits_from_routing([[0.5, 0.3, 0.2], [1, 0, 0], [1, 0, 0]])
    >>> V.round(12).tolist()
    [1.0, 0.3, 0.2]

    References
    ----------
    E. D. Lazowska et al., *Quantitative System Performance*, Prentice-Hall
    1984, sec. 3.5. G. Bolch et al., *Queueing Networks and Markov Chains*,
    2nd ed., Wiley 2006, sec. 7.1. GNU Octave ``queueing``: ``qncsvisits``.
    """
    kind = SYMBOLIC if kind_of(routing) == SYMBOLIC else "array"
    P = _times("routing", routing, kind)
    if P.ndim not in (2, 3) or P.shape[-1] != P.shape[-2] or P.shape[-1] == 0:
        raise ParameterError("routing", f"an array of shape {P.shape}",
                             "a square (K, K) matrix, or (C, K, K) for C classes")
    if P.ndim == 2:
        return _one_class(P, _reference(reference, P.shape[0], 1)[0], kind, "routing")
    refs = _reference(reference, P.shape[1], P.shape[0])
    return np.stack([_one_class(P[c], refs[c], kind, f"routing[{c}]") for c in range(P.shape[0])], axis=1)


def _reference(reference, K, classes):
    refs = np.asarray(reference, dtype=object)
    if refs.ndim == 0:
        refs = np.full(classes, reference, dtype=object)
    if refs.shape != (classes,):
        raise ParameterError("reference", reference, f"a station index, or {classes} of them (one per class)")
    out = [whole("reference", r, minimum=0) for r in refs]
    for r in out:
        if r >= K:
            raise ParameterError("reference", reference, f"station indices 0..{K - 1}")
    return out


def _one_class(P, r, kind, name):
    K = P.shape[0]
    if any(p > 1 for p in P.flat):
        raise ParameterError(name, "a matrix with an entry > 1", "probabilities in [0, 1]")
    sums = P.sum(axis=1)
    bad = [i for i, s in enumerate(sums)
           if (s != 1 if kind == SYMBOLIC else abs(float(s) - 1) > ROW_SUM_TOLERANCE)]
    if bad:
        raise ParameterError(name, f"row {bad[0]} summing to {sums[bad[0]]}", "rows summing to 1",
                             "a closed network: every customer leaving a station goes to a station")
    if kind == SYMBOLIC:
        import sympy as sp

        A = sp.Matrix(P).T - sp.eye(K)
        A[r, :] = sp.zeros(1, K)
        A[r, r] = 1
        b = sp.zeros(K, 1)
        b[r] = 1
        try:
            return np.array(list(A.LUsolve(b).applyfunc(sp.cancel)), dtype=object)
        except (ValueError, ZeroDivisionError):
            raise _not_one_chain(name, r) from None
    A = P.T - np.eye(K)
    A[r, :] = 0
    A[r, r] = 1
    b = np.zeros(K)
    b[r] = 1
    try:
        V = np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        raise _not_one_chain(name, r) from None
    if not np.all(np.isfinite(V)) or np.any(V < -1e-9) or not np.allclose(V @ P, V, rtol=1e-9, atol=1e-12):
        raise _not_one_chain(name, r)
    return np.maximum(V, 0.0)


def _not_one_chain(name, r):
    return ParameterError(name, "this routing matrix", f"one closed chain through the reference station {r}",
                          "the traffic equations have no unique solution with V_r = 1")
