"""The normalizing constant G(n) of a closed single-class product-form network (Buzen's convolution)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._backend import SYMBOLIC
from ._closed_network_input import demands_array, network_kind, populations_array, think_times_array
from ._load_dependence import MAX_WORK, check_work, closed_stations


@dataclass(frozen=True)
class NormalizingConstant:
    """:math:`G(0..N)` and :math:`\\log G(0..N)`; ``throughput`` gives :math:`X(n) = G(n-1)/G(n)`."""

    G: Any
    log_G: Any
    kind: str

    @property
    def throughput(self):
        """:math:`X(n) = G(n-1)/G(n)` for :math:`n = 1..N` (from the logarithms: no overflow)."""
        if self.kind == SYMBOLIC:
            import sympy as sp

            return np.array([sp.cancel(self.G[n - 1] / self.G[n]) for n in range(1, len(self.G))],
                            dtype=object)
        return np.exp(self.log_G[:-1] - self.log_G[1:])


def normalizing_constant(demands, population, think_time=0, servers=1, *, rates=None,
                         max_work=MAX_WORK) -> NormalizingConstant:
    """Buzen's convolution: the normalizing constant of the product-form distribution.

    .. math::
        P(n_1, \\dots, n_K) = \\frac{1}{G(N)}\\,\\frac{Z^{n_0}}{n_0!}
          \\prod_{k} \\frac{D_k^{n_k}}{\\prod_{j=1}^{n_k} \\alpha_k(j)},\\qquad
        G(N) = \\sum_{n_0 + \\dots + n_K = N} \\frac{Z^{n_0}}{n_0!}
          \\prod_k \\frac{D_k^{n_k}}{\\prod_{j \\le n_k}\\alpha_k(j)}

    computed one station at a time: :math:`G_k(n) = G_{k-1}(n) + D_k\\,G_k(n-1)`
    for a queueing station, :math:`G_k(n) = \\sum_{j=0}^{n} F_k(j)\\,G_{k-1}(n-j)`
    with :math:`F_k(j) = D_k^j / \\prod_{i \\le j}\\alpha_k(i)` for a load-dependent
    one, starting from the think time and delay stations,
    :math:`G_0(n) = (Z + \\sum_{delay} D_k)^n / n!`. Then
    :math:`X(n) = G(n-1)/G(n)` and :math:`U_k = X D_k` at a queueing station.

    Floats are kept as logarithms: a queueing station's column is
    :math:`G_k(n) = D_k^n \\sum_{j \\le n} D_k^{-j} G_{k-1}(j)`, one log-sum-exp
    scan (all terms positive: no cancellation, no overflow or underflow at any
    :math:`N`; :math:`G` itself overflows to ``inf`` beyond :math:`10^{308}`,
    ``log_G`` does not). The logarithms carry an absolute rounding error of
    about :math:`10^{-16}` times their size per station, so :math:`G` and
    :math:`X` are accurate to about :math:`10^{-11}` relative at
    :math:`N = 10^4`. SymPy inputs give :math:`G(n)` exactly.

    Assumptions: as :func:`mva` (a closed single-class product-form network).
    Cost :math:`O(N K)`, plus :math:`O(N^2)` per load-dependent station.

    Parameters
    ----------
    demands : array_like (K,), floats or SymPy expressions
        Service demands (s), >= 0 with a positive total.
    population : int
        :math:`N` (>= 1).
    think_time : float or SymPy expression, optional
        :math:`Z` (s), >= 0.
    servers, rates : optional
        As in :func:`mva` (servers, ``numpy.inf`` for a delay station, or
        the load-dependent rate multipliers :math:`\\alpha_k(1..L)`).
    max_work : float or None, optional
        As in :func:`mva`.

    Returns
    -------
    NormalizingConstant
        ``G`` and ``log_G`` for :math:`n = 0..N` (:math:`G(0) = 1`), and the
        ``throughput`` :math:`X(1..N)`.

    Examples
    --------
    >>> nc = normalizing_constant([1.0, 2.0], 2)
    >>> nc.G.round(12).tolist()  # G(1) = 1 + 2, G(2) = 1 + 2 + 4
    [1.0, 3.0, 7.0]

    References
    ----------
    J. P. Buzen, "Computational algorithms for closed queueing networks with
    exponential servers", Comm. ACM 16(9), 1973. G. Bolch et al., *Queueing
    Networks and Markov Chains*, 2nd ed., Wiley 2006, sec. 8.1.
    GNU Octave ``queueing``: ``qncsconv``, ``qncsconvld``.
    """
    kind = network_kind(demands, think_time)
    D = demands_array(demands, kind, ndim=1)
    N = int(populations_array("population", population, 1, minimum=1)[0])
    Z = think_times_array("think_time", think_time, kind, 1)[0]
    check_work("population", N, N * (D.shape[0] + 40), max_work, "use mva (O(N K)) or mva_approx")  # before any array of N
    stations = closed_stations(servers, rates, D.shape[0], N, kind)
    ld = stations.load_dependent
    check_work("population", N, N * (D.shape[0] + 40) + ld.size * N * N, max_work,
               "use mva (O(N K)) or mva_approx")
    delay = stations.delay
    scaled = [D[k] if r is None else D[k] / r[0] for k, r in enumerate(stations.rates)]  # D / alpha
    queue = [k for k, r in enumerate(stations.rates) if r is not None and len(r) == 1 and D[k] != 0]
    Zt = Z + sum(D[delay], 0)
    if kind == SYMBOLIC:
        G = _exact(Zt, [scaled[k] for k in queue], [(D[k], stations.rates[k]) for k in ld], N)
        import sympy as sp

        return NormalizingConstant(G, np.array([sp.log(g) for g in G], dtype=object), kind)
    log_G = _logarithmic(float(Zt), np.array([scaled[k] for k in queue], dtype=float),
                         [(float(D[k]), stations.rates[k]) for k in ld], N)
    with np.errstate(over="ignore"):
        return NormalizingConstant(np.exp(log_G), log_G, kind)


def _log_factors(D, rates, N):
    """:math:`\\log F(j)` for j = 0..N, :math:`F(j) = D^j / \\prod_{i \\le j}\\alpha(i)`."""
    alpha = np.array([float(rates[min(j, len(rates)) - 1]) for j in range(1, N + 1)])
    with np.errstate(divide="ignore"):
        return np.concatenate([[0.0], np.arange(1, N + 1) * np.log(D) - np.cumsum(np.log(alpha))])


def _logarithmic(Zt, Dq, ld, N):
    from scipy.special import gammaln, logsumexp

    n = np.arange(N + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        thinking = n * np.log(Zt) - gammaln(n + 1) if Zt > 0 else -np.inf  # log of Zt^n / n!
        log_G = np.where(n == 0, 0.0, thinking)
        for d in Dq:
            # G_k(n) = sum_j d^(n-j) G_{k-1}(j) = d^n * cumsum(d^-j G_{k-1}(j)): a log-sum-exp scan
            log_d = n * np.log(d)
            log_G = log_d + np.logaddexp.accumulate(log_G - log_d)
    for D, rates in ld:
        F = _log_factors(D, rates, N)
        log_G = np.array([logsumexp(F[:m + 1] + log_G[m::-1]) for m in range(N + 1)])
    return log_G


def _exact(Zt, Dq, ld, N):
    import sympy as sp

    G = [sp.Integer(1)] + [Zt ** n / sp.factorial(n) for n in range(1, N + 1)]
    for d in Dq:
        for n in range(1, N + 1):
            G[n] = G[n] + d * G[n - 1]
    for D, rates in ld:
        F = [sp.Integer(1)]
        for j in range(1, N + 1):
            F.append(F[-1] * D / rates[min(j, len(rates)) - 1])
        G = [sum(F[j] * G[n - j] for j in range(n + 1)) for n in range(N + 1)]
    return np.array([sp.cancel(g) for g in G], dtype=object)
