"""The scalar check every simulator input starts from (kept apart so that the input checks
and the distributions can both use it without importing each other)."""

from __future__ import annotations

import numpy as np

from .._backend import SCALAR
from .._validate import nonnegative, positive
from ..errors import ParameterError


def number(name: str, value, *, allow_zero: bool = False) -> float:
    """A finite real scalar > 0 (>= 0 with ``allow_zero``)."""
    if np.ndim(value) != 0 or type(value).__module__.startswith("sympy"):
        raise ParameterError(name, value, "a single real number", "the simulation takes numbers only")
    check = nonnegative if allow_zero else positive
    return float(check(name, value, SCALAR))
