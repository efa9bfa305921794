"""Closed-form queueing models: single stations, open and closed networks.

Every function takes numbers, NumPy arrays (broadcast together) or SymPy
expressions, and returns results of the same kind, from one formula written
once (see :mod:`virtmodel._backend`).
"""

from ._result import StationResult
from .mm1 import mm1

__all__ = ["StationResult", "mm1"]
