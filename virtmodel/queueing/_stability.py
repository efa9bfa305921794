"""Stability checks shared by the open-queue models.

An open queue with per-server utilization :math:`\\rho \\ge 1` has no steady
state. For a scalar call that is an error (:class:`~virtmodel.errors.UnstableError`
stating the utilization); for an array sweep it is a point to mark, so the check
returns a boolean mask and the result builder puts ``inf`` there.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .._backend import SCALAR, SYMBOLIC
from ..errors import UnstableError


def check_stability(rho, kind: str, station: str):
    """Return the stability mask of ``rho`` (``True`` for symbolic input).

    Raises :class:`UnstableError` for a scalar ``rho >= 1``, and for a SymPy
    ``rho`` that is a number (exact inputs such as ``Integer(2)``) at or above 1;
    a ``rho`` with free symbols stays symbolic (the user owns its range).
    """
    if kind == SYMBOLIC:
        if getattr(rho, "is_number", False) and not getattr(rho, "free_symbols", True):
            value = complex(rho.evalf())
            if not value.real < 1:
                raise UnstableError(value.real, station)
        return True
    stable = np.asarray(rho) < 1
    if kind == SCALAR and not stable:
        raise UnstableError(float(rho), station)
    return stable


def quiet_numerics(kind: str):
    """Silence NumPy's divide/invalid warnings while computing a sweep.

    Unstable points of a sweep legitimately divide by zero or go negative
    before they are masked; the mask, not a warning, tells the user.
    """
    if kind == SYMBOLIC:
        return contextlib.nullcontext()
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")
