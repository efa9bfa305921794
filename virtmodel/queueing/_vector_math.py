r"""``exp`` and ``log`` for compiled loops that the CPU's vector units can run (numba kernels).

Why: NumPy's own vector ``exp`` and ``log`` for float64 need AVX-512; on a processor
without it (AVX2 only, most laptops and many servers) every point is one libm call,
5-8 ns each, which is most of a percentile kernel's time per point. numba has no vector
math library either (its SVML needs Intel's runtime). These two functions use only
multiplications, additions, one division (``log``) and integer shifts on the bits of a
float, with no branch on the data, so LLVM vectorizes a loop that calls them.

``exp_poly(v)``: :math:`e^v = 2^n e^r` with :math:`n = \operatorname{round}(v/\ln 2)`
(rounded by adding :math:`1.5 \cdot 2^{52}`, whose low bits then hold :math:`n`),
:math:`r = v - n \ln 2` in two parts (Cody and Waite: :math:`\ln 2` split so that
:math:`n \ln 2_{hi}` is exact), :math:`|r| \le \ln 2 / 2`, and :math:`e^r` its Taylor
polynomial to degree 13 (truncation below :math:`(\ln 2/2)^{14}/14! < 3 \cdot 10^{-18}`).
:math:`2^n` is built from its bits, in two factors :math:`2^{\lfloor n/2 \rfloor}
2^{n - \lfloor n/2 \rfloor}` so that results down to the subnormals and up to overflow
come out as :func:`numpy.exp` gives them (``0`` below about -745, ``inf`` above 709.78).
The argument is clamped to [-1000, 1000] first (a NaN stays NaN).

``log_poly(x)``, for positive normal ``x``: :math:`x = 2^e m` with ``m`` from the bits,
moved to :math:`[\sqrt{1/2}, \sqrt 2)`; :math:`\ln m = 2\,\operatorname{atanh} s =
2(s + s^3/3 + s^5/5 + \dots)` with :math:`s = (m - 1)/(m + 1)`, :math:`|s| \le 0.1716`,
to :math:`s^{23}` (truncation below :math:`10^{-19}`), plus :math:`e \ln 2` in two parts.
Zero, negative, subnormal, infinite or NaN ``x`` give an unspecified number (no error):
a caller uses the result only where ``x`` is a positive normal number.

Accuracy (tested against NumPy over their ranges, ``tests/test_vector_math.py``): ``exp_poly``
within 1 unit in the last place of NumPy's value, ``log_poly`` within 3 (relative :math:`\le 4.5
\cdot 10^{-16}`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

LOG2E = 1.4426950408889634
#: ln 2 in two parts: the high part has its low 32 bits zero, so n * LN2_HI is exact for |n| < 2^21
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
#: 1.5 * 2^52: adding it rounds to an integer kept in the low bits of the mantissa
ROUND = 6755399441055744.0
ROUND_BITS = 4843621399236968448   # its bits, as a signed 64-bit integer
EXP_MIN, EXP_MAX = -1000.0, 1000.0
MANTISSA = (1 << 52) - 1
ONE_BITS = 1023 << 52              # the bits of 1.0
SQRT_HALF = 0.7071067811865476
#: e^r's Taylor coefficients 1/13!, ..., 1/1!, 1/0! (highest power first)
EXP_COEFFICIENTS = tuple(1.0 / math.factorial(j) for j in range(13, -1, -1))
#: atanh(s)/s = sum of z^j / (2j + 1), z = s^2: 1/23, ..., 1/3, 1 (highest power first)
ATANH_COEFFICIENTS = tuple(1.0 / (2 * j + 1) for j in range(11, -1, -1))


def exp_poly(v):
    """:math:`e^v` with no branch on the data (see the module docstring for the method and its error)."""
    v = EXP_MIN if v < EXP_MIN else v   # (a NaN compares False both ways: it stays NaN)
    v = EXP_MAX if v > EXP_MAX else v
    y = v * LOG2E + ROUND
    n = y - ROUND
    r = v - n * LN2_HI
    r = r - n * LN2_LO
    p = 0.0
    for c in EXP_COEFFICIENTS:   # Horner's rule (a loop over constants: unrolled when compiled)
        p = p * r + c
    k = np.float64(y).view(np.int64) - ROUND_BITS   # n, as an integer
    half = k >> 1
    first = np.int64((half + 1023) << 52).view(np.float64)
    second = np.int64((k - half + 1023) << 52).view(np.float64)
    return p * first * second


def log_poly(x):
    """:math:`\\ln x` for positive normal ``x``, no branch on the data (see the module docstring)."""
    bits = np.float64(x).view(np.int64)
    e = (bits >> 52) - 1023
    m = np.int64((bits & MANTISSA) | ONE_BITS).view(np.float64)   # in [1, 2)
    big = m > 2.0 * SQRT_HALF
    m = m * 0.5 if big else m
    e = e + 1 if big else e
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    q = 0.0
    for c in ATANH_COEFFICIENTS:
        q = q * z + c
    f = np.int64(e + ROUND_BITS).view(np.float64) - ROUND   # e as a float (no int-to-float instruction)
    return f * LN2_HI + (2.0 * s * q + f * LN2_LO)


@lru_cache(maxsize=1)
def compiled():
    """``(exp_poly, log_poly)`` as numba functions to inline into a caller's loop (NumPy's error
    model: no check for a division by zero, which would stop the loop's vectorization)."""
    import numba

    jit = numba.njit(inline="always", error_model="numpy")
    return jit(exp_poly), jit(log_poly)


__all__ = ["exp_poly", "log_poly", "compiled"]
