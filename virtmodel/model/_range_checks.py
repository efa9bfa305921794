"""Range checks of large array parameters, made in the fused kernel's own pass.

:meth:`Model._resolve <virtmodel.model.Model>` checks every parameter given as an override against
its domain (:func:`virtmodel._params.check_value`). For a large float64 array of the ``positive`` or
``nonnegative`` domain (a sweep's arrival rates) that check is a pass of its own over the array:
0.09-0.19 ms of a 1.5-2 ms 10^6-point one-metric sweep (benchmarks/README.md, "Eleventh round").
While a :func:`deferring` block of the calling thread is open, such an array's check is left to
the first fused kernel that reads it (:func:`reading`): the kernel tests each value as it loads
it and counts those that fail, the same condition as the check's own fast path
(``_params._plain_nonnegative``): finite (not NaN, not inf) with the sign bit clear (no negative,
no ``-0.0``), and above 0 for ``positive``. A few instructions per point that vectorize, on
values already in registers: 0.01-0.03 ms measured for 10^6 points.

Where a value fails, :func:`check_value` runs on the whole array as before: it raises the same
:class:`~virtmodel.errors.ParameterError` naming the parameter and its first bad value, or
(``-0.0`` only) returns the array with ``-0.0`` made ``0.0``, which the stage then evaluates again
(:func:`substitute`). An array that no kernel checks (the NumPy stage, a broadcast grid's kernel, a
parameter the metrics do not use) is checked by :func:`check_now` before a NumPy stage reads
it, or when the block closes. If anything in the block raises, the pending checks are made first:
a bad value is reported as it was before, ahead of what it caused.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np

from .._params import check_value

#: the domains whose arrays a kernel checks (``check_value``'s fast path covers exactly these)
DOMAINS = ("positive", "nonnegative")

_STATE = threading.local()


def deferrable(value, domain: str) -> bool:
    """Whether :meth:`Model._resolve` may leave ``value``'s check to a kernel: a C-contiguous
    float64 array of a :data:`DOMAINS` domain, large enough for the fused kernels
    (:func:`virtmodel.model.kernels.wanted`)."""
    from . import kernels

    return domain in DOMAINS and isinstance(value, np.ndarray) and value.dtype == np.float64 \
        and value.ndim > 0 and value.flags.c_contiguous and kernels.wanted(value.size, value.ndim) is not None


@contextmanager
def deferring(pending: list):
    """While inside, the checks ``pending`` (``[(name, value, domain)]`` in the order the parameters
    were given, arrays :func:`deferrable`) are made by the kernels that read the arrays, or by
    :func:`check_now`; what is left is checked on the way out. If the block raises, the checks of
    the parameters given before the one whose check raised (all, if none did) are made first: the
    first bad value given is the one reported, as when each was checked in order."""
    before = getattr(_STATE, "pending", None), getattr(_STATE, "fixed", None), getattr(_STATE, "failed", None)
    _STATE.pending, _STATE.fixed, _STATE.failed = list(pending), [], None
    try:
        yield
    except BaseException:
        upto = next((j for j, p in enumerate(pending) if p is _STATE.failed), len(pending))
        left = [p for p in pending[:upto] if any(p is q for q in _STATE.pending)]
        _STATE.pending = []
        settle(left)
        raise
    else:
        _settle()
    finally:
        _STATE.pending, _STATE.fixed, _STATE.failed = before


def settle(pending: list) -> None:
    """Check ``pending`` (``[(name, value, domain)]``) now, in order (the first bad value raises)."""
    for name, value, domain in pending:
        check_value(name, value, domain)


def _settle() -> None:
    pending, _STATE.pending = _STATE.pending, []
    settle(pending)


def reading(args) -> tuple:
    """``((k, positive), ...)``: the arguments ``args[k]`` that are an array whose check is pending in
    this thread (the same object), with whether its domain is ``positive`` (else ``nonnegative``)."""
    pending = getattr(_STATE, "pending", None)
    if not pending:
        return ()
    return tuple((k, domain == "positive") for k, a in enumerate(args)
                 for _, value, domain in pending if a is value)


def passed(args, checks) -> None:
    """The kernel found every value of ``args[k]`` for ``k`` in ``checks`` in range: done."""
    done = [args[k] for k, _ in checks]
    _STATE.pending = [p for p in _STATE.pending if not any(p[1] is a for a in done)]


def check_now(args, checks) -> list:
    """Check ``args[k]`` for each ``k`` of ``checks`` with :func:`check_value`, in the order the
    parameters were given (the first bad one raises, as when :meth:`Model._resolve` checked them);
    returns ``args`` with each array the check changed (``-0.0`` made ``0.0``) replaced, as
    :func:`substitute` does for the other stages of the block."""
    args = list(args)
    read = [args[k] for k, _ in checks]
    for p in [p for p in _STATE.pending if any(p[1] is a for a in read)]:
        _STATE.pending = [q for q in _STATE.pending if q is not p]
        _STATE.failed = p  # (until it passes: the one that raised, for deferring)
        got = check_value(*p)
        _STATE.failed = None
        if got is not p[1]:
            _STATE.fixed.append((p[1], got))
            args = [got if a is p[1] else a for a in args]
    return args


def substitute(args) -> list:
    """``args`` with every array that a check of this block changed replaced by the changed one."""
    fixed = getattr(_STATE, "fixed", None)
    if not fixed:
        return args
    return [next((new for old, new in fixed if a is old), a) for a in args]


__all__ = ["DOMAINS", "check_now", "deferrable", "deferring", "passed", "reading", "settle", "substitute"]
