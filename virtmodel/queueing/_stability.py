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

    Raises :class:`UnstableError` for a scalar ``rho >= 1``.
    """
    if kind == SYMBOLIC:
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
