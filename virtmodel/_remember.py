"""Remembering the results of pure functions whose arguments may not be hashable.

:func:`remember` is :func:`functools.lru_cache` for a function of hashable
arguments (frozen dataclasses such as models, workloads and techniques, tuples,
numbers); a call whose arguments cannot be hashed (a parameter held as an
array) is computed afresh instead of raising. Only for functions whose result
depends on nothing but their arguments, and whose result callers do not change.
"""

from __future__ import annotations

from functools import lru_cache, wraps


def remember(maxsize: int):
    """Decorator: remember the last ``maxsize`` results by argument (positional arguments only)."""
    def wrap(fn):
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(*args):
            try:
                hash(args)
            except TypeError:       # an unhashable argument: nothing to look up
                return fn(*args)
            return cached(*args)

        call.cache_clear = cached.cache_clear
        return call
    return wrap


__all__ = ["remember"]
