"""Independent oracle for the MVA tests: brute-force product-form solution.

Enumerates every state of a small closed network with exact rationals
(``fractions.Fraction``), weights it by the BCMP product-form factors and
normalizes. No MVA recursion is used anywhere here.

Station factor for station k with ``c_k`` servers (``None`` = delay), class
populations ``n_kc`` and demands ``D_kc``:

    f_k(n) = n_k! / prod_{j=1..n_k} min(j, c_k) * prod_c D_kc**n_kc / n_kc!

(``n_k!`` over ``n_k!`` for a delay station, ``n_k!`` over 1 for a single
server); the think time is one more delay station per class.
"""

from fractions import Fraction
from itertools import product
from math import factorial, prod


def _compositions(n, parts):
    if parts == 1:
        yield (n,)
        return
    for first in range(n + 1):
        for rest in _compositions(n - first, parts - 1):
            yield (first,) + rest


def _rate(j, servers):
    """Service-rate multiplier with j present: min(j, c) for c servers, alpha(min(j, L)) for a tuple alpha."""
    if isinstance(servers, tuple):
        return Fraction(servers[min(j, len(servers)) - 1])
    return min(j, servers)


def _factor(counts, demands, servers):
    total = sum(counts)
    busy = prod(_rate(j, servers) for j in range(1, total + 1)) if servers is not None else factorial(total)
    value = Fraction(factorial(total), busy)
    for n, d in zip(counts, demands):
        value *= Fraction(d) ** n / factorial(n)
    return value


def solve(demands, populations, think_times, servers):
    """Exact X_c, Q_kc, R_kc (residence) of a closed network by enumeration.

    ``demands`` K x C nested lists of Fractions, ``populations`` C ints,
    ``think_times`` C Fractions, ``servers`` K entries (int, None = delay, or a
    tuple of rate multipliers alpha(1..L), constant after L: load-dependent).
    """
    K, C = len(demands), len(populations)

    def states(pop):
        per_class = [list(_compositions(pop[c], K + 1)) for c in range(C)]
        return product(*per_class)  # per class: (n_1c..n_Kc, n_think_c)

    def weight(state):
        w = Fraction(1)
        for k in range(K):
            w *= _factor([state[c][k] for c in range(C)], [demands[k][c] for c in range(C)], servers[k])
        for c in range(C):
            w *= Fraction(think_times[c]) ** state[c][K] / factorial(state[c][K])
        return w

    def G(pop):
        return sum((weight(s) for s in states(pop)), Fraction(0))

    g = G(populations)
    X = [G([p - (i == c) for i, p in enumerate(populations)]) / g if populations[c] else Fraction(0)
         for c in range(C)]
    Q = [[Fraction(0)] * C for _ in range(K)]
    for s in states(populations):
        w = weight(s) / g
        for k in range(K):
            for c in range(C):
                Q[k][c] += w * s[c][k]
    R = [[Q[k][c] / X[c] if X[c] else Fraction(0) for c in range(C)] for k in range(K)]
    return X, Q, R


def throughput_by_convolution(demands, servers, think_time, N):
    """X(1..N) of a single-class network from exact normalization constants
    (convolution of the product-form factors), for populations too large to enumerate."""
    def factor(d, c):
        out = [Fraction(1)]
        for j in range(1, N + 1):
            out.append(out[-1] * Fraction(d) / (_rate(j, c) if c is not None else j))
        return out

    G = factor(think_time, None)
    for d, c in zip(demands, servers):
        f = factor(d, c)
        G = [sum(G[i] * f[n - i] for i in range(n + 1)) for n in range(N + 1)]
    return [G[n - 1] / G[n] for n in range(1, N + 1)]
