"""Erlang B for large server counts, with no loop over the servers.

.. math::
    B(c, a) = \\frac{a^c e^{-a}/c!}{Q(c+1, a)}

with :math:`Q` the regularized upper incomplete gamma function (the Poisson
CDF :math:`\\sum_{k \\le c} e^{-a}a^k/k!`). The numerator is evaluated in log
form without cancellation, :math:`\\ln(a^c e^{-a}/c!) = c\\,\\ell((a-c)/c) -
\\tfrac12\\ln(2\\pi c) - \\tfrac{1}{12c} + \\tfrac{1}{360c^3}` (Stirling, with
:math:`\\ell(x) = \\ln(1+x) - x`), and :math:`Q` by SciPy's ``gammaincc``
(Temme's uniform asymptotics for large arguments). Where the load is far
above the servers, :math:`Q` underflows; there the reciprocal

.. math::
    \\frac{1}{B(c, a)} = \\frac{\\Gamma(c+1, a)}{a^c e^{-a}}
    = a\\Bigl(\\frac{1}{a+1-s-}\\,\\frac{1\\cdot(1-s)}{a+3-s-}\\,
      \\frac{2\\,(2-s)}{a+5-s-}\\cdots\\Bigr),\\quad s = c+1,

is the Legendre continued fraction of the incomplete gamma function
(evaluated by the modified Lentz algorithm), which converges quickly there.

References
----------
N. M. Temme, "Asymptotic and numerical aspects of the noncentral chi-square
distribution", and *Special Functions*, Wiley 1996, ch. 11; W. H. Press et al.,
*Numerical Recipes*, 3rd ed., section 6.2 (the continued fraction, Lentz's method);
D. L. Jagerman, "Some properties of the Erlang loss function", Bell Syst. Tech. J. 53 (1974).
"""

from __future__ import annotations

import numpy as np

#: above this many servers the closed form replaces the recursion
LARGE_SERVERS = 2000


def log1p_minus_x(x):
    """:math:`\\ln(1+x) - x` without cancellation for small :math:`|x|` (``x > -1``)."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 0.01
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = np.log1p(x) - x
    xs = np.where(small, x, 0.0)
    series = np.zeros_like(xs)
    for k in range(14, 1, -1):  # sum_{k >= 2} (-1)^(k+1) x^k / k, by Horner in x
        series = (-1) ** (k + 1) / k + xs * series
    return np.where(small, series * xs * xs, direct)


def _log_poisson_mode_term(c, a):
    """:math:`\\ln(a^c e^{-a}/c!)` for large ``c``, stably (see the module docstring)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (c * log1p_minus_x((a - c) / c) - 0.5 * np.log(2 * np.pi * c)
                - 1 / (12 * c) + 1 / (360 * c**3))


def _inverse_b_continued_fraction(c, a, iterations=400):
    """:math:`1/B(c, a)` by the continued fraction (for :math:`a` well above :math:`c`)."""
    tiny = 1e-300
    s = c + 1.0
    b = a + 1 - s
    cc = np.full_like(a, 1 / tiny)
    d = 1 / b
    h = d.copy()
    for i in range(1, iterations):
        an = -i * (i - s)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        cc = b + an / cc
        cc = np.where(np.abs(cc) < tiny, tiny, cc)
        d = 1 / d
        delta = d * cc
        h = h * delta
        if np.all(np.abs(delta - 1) < 1e-16):
            break
    return a * h


def erlang_b_large(c: float, a):
    """Erlang B for ``c > LARGE_SERVERS`` (any load), element-wise over ``a``."""
    from scipy.special import gammaincc

    a = np.asarray(a, dtype=float)
    c = float(c)
    far = a > c + 1 + 10 * np.sqrt(c)
    out = np.empty(np.shape(a))
    near = ~far
    if near.any():
        an = a[near]
        with np.errstate(divide="ignore", under="ignore"):
            out[near] = np.exp(_log_poisson_mode_term(c, an)) / gammaincc(c + 1, an)
    if far.any():
        out[far] = 1 / _inverse_b_continued_fraction(c, a[far])
    return np.clip(out, 0.0, 1.0)  # rounding in the last place must not leave [0, 1]
