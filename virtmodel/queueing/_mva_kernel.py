"""The fast float kernel of exact single-class MVA for queueing (load-independent) stations.

Delay stations do not queue: their demands add to the think time, so the
kernel sees only the queueing stations. Per step it needs one sum and two
element-wise operations on a 1-D array (NumPy for many stations, plain Python
floats for a few: the threshold was measured at K = 1..1000, see the MVA
section of ``benchmarks/README.md``).
"""

from __future__ import annotations

import numpy as np

#: up to this many queueing stations the loop runs on Python floats (faster than NumPy calls)
PYTHON_FLOATS_UP_TO = 16
#: the scale factor of the NumPy loop is renormalized when it leaves [1/BOUND, BOUND]
_BOUND = 1e100


def queueing_kernel(D, Z, N, history=False):
    """Exact MVA of queueing stations ``D`` (K,) > 0 with think time ``Z``; ``(X(N), R(N), X(1..N))``.

    The recursion is written for :math:`B(n) = R(n+1) = D\\,(1 + X(n)\\,B(n-1))`,
    :math:`B(0) = D`, :math:`X(n) = n / (Z + \\sum_k B_k(n-1))`. The NumPy loop
    carries :math:`B(n) = c_n Y(n)` with the scalar :math:`c_n = X(n)\\,c_{n-1}`,
    so that one step is :math:`Y \\leftarrow D\\,(Y + 1/c_n)`: positive terms
    only (no cancellation), two array operations and one dot product.
    ``X(1..N)`` is a list when ``history`` is true, else ``None``.
    """
    if D.size <= PYTHON_FLOATS_UP_TO:
        return _python_floats(D.tolist(), float(Z), N, history)
    return _numpy_arrays(D, float(Z), N, history)


def _python_floats(D, Z, N, history):
    B = list(D)
    Xs = [] if history else None
    for n in range(1, N):
        X = n / (Z + sum(B))
        B = [d * (1.0 + X * b) for d, b in zip(D, B)]
        if history:
            Xs.append(X)
    X = N / (Z + sum(B))
    if history:
        Xs.append(X)
    return X, np.array(B), Xs


def _numpy_arrays(D, Z, N, history):
    Y = np.array(D, dtype=float)
    total = np.ones(D.size).dot
    add, multiply = np.add, np.multiply
    Xs = [] if history else None
    c = 1.0
    for n in range(1, N):
        X = n / (Z + c * float(total(Y)))
        c *= X
        add(Y, 1.0 / c, out=Y)
        multiply(Y, D, out=Y)
        if not 1 / _BOUND < c < _BOUND:  # keep 1/c and Y away from overflow and underflow
            Y *= c
            c = 1.0
        if history:
            Xs.append(X)
    X = N / (Z + c * float(total(Y)))
    if history:
        Xs.append(X)
    return X, c * Y, Xs
