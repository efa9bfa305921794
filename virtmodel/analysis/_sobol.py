"""Variance-based sensitivity: first-order and total Sobol indices from a Saltelli design.

For independent inputs X_1..X_k and Y = f(X), the first-order index of X_i is
S_i = Var(E[Y | X_i]) / Var(Y) (the share of the variance X_i explains alone)
and the total index ST_i = E[Var(Y | X_~i)] / Var(Y) (its share with all its
interactions). With two independent draw matrices A, B (N x k) and AB_i = A
with column i from B (Saltelli et al. 2010, Comput. Phys. Commun. 181):

    S_i  = mean(f(B) * (f(AB_i) - f(A))) / V        (Saltelli 2010)
    ST_i = mean((f(A) - f(AB_i))**2) / (2 V)        (Jansen 1999)

with V the variance of f over A and B together, f centred on its mean
over A and B first (the estimators are shift-invariant in expectation, their
noise is not). The design takes N (k + 2)
evaluations, all stacked into one array so the model runs once.
"""

from __future__ import annotations

import numpy as np


def design(u_a: np.ndarray, u_b: np.ndarray) -> np.ndarray:
    """The stacked design ``[A; B; AB_1; ...; AB_k]``, shape ``(N (k + 2), k)``."""
    n, k = u_a.shape
    blocks = [u_a, u_b]
    for i in range(k):
        ab = u_a.copy()
        ab[:, i] = u_b[:, i]
        blocks.append(ab)
    return np.concatenate(blocks)


def indices(y: np.ndarray, n: int, k: int) -> tuple:
    """``(first, total)`` indices, each of shape ``(k, *rest)``, from outputs ``y`` of :func:`design`.

    ``y`` has shape ``(N (k + 2), *rest)``; points where any output is not finite
    (a saturated queue) or the variance is 0 give NaN.
    """
    y = np.asarray(y, dtype=float).reshape((k + 2, n) + y.shape[1:])
    with np.errstate(invalid="ignore", divide="ignore"):
        y = y - np.mean(y[:2], axis=(0, 1))  # centred: the estimators' noise grows with the mean
        f_a, f_b, f_ab = y[0], y[1], y[2:]
        var = np.var(np.concatenate([f_a, f_b]), axis=0)
        first = np.mean(f_b * (f_ab - f_a), axis=1) / var
        total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / var
    bad = ~np.all(np.isfinite(y), axis=(0, 1)) | ~(var > 0)
    first = np.where(bad, np.nan, first)
    total = np.where(bad, np.nan, total)
    return first, total
