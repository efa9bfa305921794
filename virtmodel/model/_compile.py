"""Compiling the derived expressions to NumPy functions (once, cached).

``lambdify`` with NumPy (and SciPy's special functions only for an expression
that needs one: :mod:`._numeric_modules`) and ``cse=True``; the Erlang function
compiles to its numeric twin. A compiled bundle returns a list of
arrays for a tuple of expressions that share subexpressions (metrics, the
station utilizations that decide where they saturate, ...), so one pass
computes them all.

Scalars first (partial evaluation): a sweep varies a few parameters and keeps
the others fixed. For each set of *varying* arguments (those given as arrays)
the bundle is split in two stages: every maximal subexpression that depends on
fixed arguments only (a service demand, :math:`2c`, :math:`S^2 + V`, ...) is
hoisted into a scalar stage computed once per call, and the array stage sees
only the varying arguments and those scalars, so each array operation is one
that a hand-written NumPy expression would also do (``lam * k / (2 - lam * k2)``
instead of ``arrival_rate * vms * ... / (-2 * arrival_rate * io_bytes * ...)``).

Large arrays (and dask chunks) go through a fused single-pass kernel generated
from the same array-stage expressions when numba is installed
(:mod:`virtmodel.model.kernels`: when, and how to choose); small ones, scalars
and every call before the kernel is compiled take the NumPy stage, which runs
large arrays in pieces of about 16,384 points so that its temporaries stay in the
processor's cache (:mod:`._chunked`; the same bits).

Caches: :func:`compiled` by the expressions (their free symbols, sorted by
name, are the argument order), each bundle's stages by the varying names; after
the first use no symbolic work happens on the evaluation path.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

import numpy as np
import sympy as sp
from sympy.functions.elementary.piecewise import ExprCondPair

from . import _range_checks, kernels
from ._chunked import evaluate_in_pieces
from ._derive import derive
from ._numeric_modules import numeric_modules

PER_STATION = ("demand", "response_time", "response_variance", "utilization", "capacity",
               "service_variance", "servers", "arrival_rate", "splits")
_LOCK = threading.Lock()


def hoist(exprs, varying, prefix: str = "_hoisted") -> tuple:
    """``(array_exprs, scalars)``: maximal fixed subexpressions replaced by new symbols.

    ``varying`` is a set of symbols; ``scalars`` is ``[(symbol, expression)]``
    with every expression free of them. The sum or product of several fixed
    terms becomes one symbol, so ``-2*lam*b*c`` becomes ``k*lam``. The new
    symbols are named ``prefix`` and a number (distinct from the expressions' own).
    """
    table: dict = {}
    memo: dict = {}

    def name(e):
        if e.is_Number or e.is_Symbol:
            return e
        if e not in table:
            table[e] = sp.Symbol(f"{prefix}{len(table)}")
        return table[e]

    def varies(e):
        return bool(e.free_symbols & varying)

    def walk(e):
        if e in memo:
            return memo[e]
        if isinstance(e, (sp.logic.boolalg.Boolean, ExprCondPair)):  # a Piecewise's pieces stay pieces
            out = e.func(*(walk(a) for a in e.args)) if e.args else e
        elif not varies(e):
            out = name(e)
        elif e.is_Add or e.is_Mul:
            fixed = [a for a in e.args if not varies(a)]
            head = [name(fixed[0])] if len(fixed) == 1 else [name(e.func(*fixed))] if fixed else []
            out = e.func(*head, *(walk(a) for a in e.args if varies(a)), evaluate=False)
        elif e.args:
            out = e.func(*(walk(a) for a in e.args))
        else:
            out = e
        memo[e] = out
        return out

    out = tuple(walk(e) for e in exprs)
    return out, [(sym, e) for e, sym in table.items()]


#: how many sets of fixed values a bundle's stages keep the scalar stage's values of (:meth:`_Stages.scalars`)
SCALAR_VALUES = 64


class _Stages:
    """The two compiled stages of a bundle for one set of varying argument names."""

    def __init__(self, exprs, symbols, varying, modules):
        array_exprs, scalars = hoist(exprs, {s for s in symbols if s.name in varying}) if varying else (exprs, [])
        self.hoisted = tuple(s for s, _ in scalars)
        self.array_exprs, self.varying, self.symbols = array_exprs, varying, tuple(symbols) + self.hoisted
        self.kernel = None
        self.scalar = sp.lambdify(symbols, tuple(e for _, e in scalars), modules=modules, cse=True) \
            if scalars else None
        self.array = sp.lambdify(tuple(symbols) + self.hoisted, array_exprs, modules=modules, cse=True)
        self.fixed = tuple(k for k, s in enumerate(symbols) if s.name not in varying)
        self._known: dict = {}
        self._generation = kernels.generation()

    def scalars(self, args) -> tuple:
        """The scalar stage's values at ``args`` (read-only 0-d arrays), computed once per set of
        fixed values and kept: a sweep repeats the same ones call after call (its scalar stage cost
        17-30 us of a 10^6-point one-metric sweep, benchmarks/README.md, "Eleventh round").

        The key is the fixed arguments' bits (``-0.0`` is not ``0.0``, a NaN is its own pattern), so
        the same key means the same inputs, hence the same scalars; at most :data:`SCALAR_VALUES`
        sets are kept, and :func:`virtmodel.model.kernels.configure` empties them (its ``generation``)."""
        if self.scalar is None:
            return ()
        key = b"".join([args[k].tobytes() for k in self.fixed])
        if self._generation != kernels.generation():
            self._known, self._generation = {}, kernels.generation()
        got = self._known.get(key)
        if got is None:
            got = tuple(np.asarray(v, dtype=float) for v in self.scalar(*args))
            for v in got:
                v.flags.writeable = False  # shared by every call with these values
            if len(self._known) >= SCALAR_VALUES:
                self._known.clear()
            self._known[key] = got
        return got

    def __call__(self, args, shape=None, below=frozenset(), limit=1.0, out=None, masked=(), flags=True) -> tuple:
        """``(outputs, above, done)``: with the fused kernel, the outputs ``below`` are only checked
        against ``limit`` (None in ``outputs`` if every one is below it everywhere, else boolean
        arrays ``output < limit``; ``above`` says which, see
        :func:`virtmodel.model.kernels.kernel_source`) and ``done`` are the outputs of ``masked``
        the kernel set to ``inf`` where a guard is not below ``limit``; else ``above`` is None and
        ``done`` empty. ``out``: arrays the fused kernel writes outputs into (:meth:`Compiled.run`).

        An argument whose range check is pending (:mod:`._range_checks`) is checked by the kernel
        in its pass where it reads it as a C-contiguous array of the full shape, else here first."""
        args = _range_checks.substitute(args)
        checks = _range_checks.reading(args) if shape else ()
        scalars = self.scalars(args)
        sig = self.fused(args + list(scalars), shape, below, limit, masked, flags, checks) if shape else None
        if checks and (sig is None or not sig[-1][-2]):  # no kernel checks them: here, before either stage
            checked = _range_checks.check_now(args, checks)
            if any(a is not b for a, b in zip(checked, args)):  # (-0.0 made 0.0: new arrays, a new signature)
                return self(checked, shape, below, limit, out, masked, flags)
            checks = ()
        if sig is not None:
            outputs, above, failed = self.kernel(args + list(scalars), shape, sig, out)
            if failed:  # check_value raises, or gives the array without -0.0: evaluated again with it
                args = _range_checks.check_now(args, checks)
                return self(args, shape, below, limit, out, masked, flags)
            if checks:
                _range_checks.passed(args, checks)
            return outputs, above, self.kernel.masked(sig)
        if shape:  # large arrays: in pieces along the longest axis, outputs straight into ``out`` (._chunked)
            pieces = evaluate_in_pieces(self.array, args, scalars, shape, out or {})
            if pieces is not None:
                return pieces, None, frozenset()
        return self.array(*args, *scalars), None, frozenset()

    def fused(self, args, shape, below=frozenset(), limit=1.0, masked=(), flags=True, checks=()):
        """The fused kernel's signature (:mod:`.kernels`) if it evaluates these arrays now, else None."""
        points = math.prod(shape)
        how = kernels.wanted(points, len(shape))
        if how is None:
            return None
        if self.kernel is None:
            with _LOCK:
                if self.kernel is None:
                    self.kernel = kernels.Kernel(self.array_exprs, self.symbols, self.varying)
        sig = self.kernel.signature(args, shape, below, limit, masked, flags, checks)
        return sig if self.kernel.ready(sig, wait=how == "now") else self.kernel.other_threads(sig)


class Compiled:
    """A compiled bundle: ``names`` (argument order) and ``__call__(values)``.

    Returns one array per expression, of the arguments' broadcast shape. An
    output that does not depend on the varying arguments is a read-only
    broadcast view; one that is an argument itself is that array (do not
    modify outputs in place unless :meth:`run` says they are owned).
    """

    def __init__(self, exprs):
        self.exprs = tuple(sp.sympify(e) for e in exprs)
        self.symbols = tuple(sorted(set().union(*(e.free_symbols for e in self.exprs)), key=lambda s: s.name))
        self.names = tuple(s.name for s in self.symbols)
        self.size = len(self.exprs)
        self.modules = numeric_modules(self.exprs)
        self._stages: dict = {}

    def stages(self, varying: frozenset) -> _Stages:
        """The compiled stages for these varying names (compiled on first use)."""
        if varying not in self._stages:
            self._stages[varying] = _Stages(self.exprs, self.symbols, varying, self.modules)
        return self._stages[varying]

    def __call__(self, values: dict) -> list:
        out, _, shape, _ = self.run(values)
        return [o if o.shape == shape else np.broadcast_to(o, shape) for o in out]

    def run(self, values: dict, below=frozenset(), limit=1.0, out=None, masked=(), flags=True) -> tuple:
        """``(outputs, owned, shape, done)`` without broadcasting: an output keeps its own shape
        (0-d when it depends on no array argument); ``owned[i]`` says output ``i`` is a
        fresh array no other output or argument shares (it may be modified in place);
        ``shape`` is the arguments' broadcast shape.

        ``below``: indices of outputs (utilizations) the caller needs only compared with
        ``limit``. When the fused kernel runs they are None if every one is below it at every
        point, else boolean arrays ``output < limit`` (False where NaN); on the NumPy path
        they are the outputs in full.

        ``out``: ``{output index: array}`` the caller would like outputs written into
        (writeable C-contiguous float64 arrays of the broadcast shape, e.g. rows of a result
        block). The fused kernel writes a varying output there and returns that array (owned), and
        so does the NumPy stage where it runs in pieces (large arrays, :mod:`._chunked`); else it
        returns new arrays: the caller copies what is not its own.

        ``masked``: pairs ``(output index, guard indices)`` (guards among ``below``): where the
        fused kernel runs, it writes ``inf`` into such an output at every point where a guard is not
        below ``limit`` (:func:`virtmodel.model.kernels.kernel_source`); ``done`` are the outputs
        it so masked (none on the NumPy path: the caller masks the others).

        ``flags``: False when the caller reads the ``below`` outputs only to mask the outputs of
        ``masked``: a fused kernel that masks every one of them itself then leaves the ``below``
        outputs None (no boolean arrays written); the NumPy path returns them in full as always.
        """
        # NumPy scalars, never Python floats: 0/0 must give nan/inf, not raise
        args = [np.asarray(values[n], dtype=float) for n in self.names]
        varying = frozenset(n for n, a in zip(self.names, args) if a.ndim)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            shape = np.broadcast_shapes(*(a.shape for a in args if a.ndim))  # (0-d: nothing to broadcast)
            stages = self.stages(varying)
            out = {i: a for i, a in (out or {}).items() if _writable_into(a, shape)}
            raw, _, done = stages(args, shape, frozenset(below), limit, out, masked, flags)
        result = [None if o is None else o if getattr(o, "dtype", None) == bool else np.asarray(o, dtype=float)
                  for o in raw]
        owned = [o is not None and o.ndim > 0 and o.flags.writeable and (o.flags.owndata or o is out.get(i))
                 and not any(o is a for a in args) and sum(x is o for x in result) == 1
                 for i, o in enumerate(result)]
        return result, owned, shape, done


def _writable_into(array, shape) -> bool:
    """Whether a kernel can write an output of ``shape`` straight into ``array``."""
    return isinstance(array, np.ndarray) and array.shape == tuple(shape) and array.dtype == np.float64 \
        and array.flags.c_contiguous and array.flags.writeable


@lru_cache(maxsize=None)
def compiled(exprs: tuple) -> Compiled:
    """The cached :class:`Compiled` bundle of these expressions."""
    return Compiled(exprs)


def _utilizations(stations):
    return tuple(st.utilization for st in stations)


def metric_bundle(structure: tuple, metric: str) -> Compiled:
    """``(metric, rho_1, ..., rho_k)`` with the utilizations that saturate it.

    For ``overhead`` the native path's utilizations are included too.
    """
    d = derive(structure)
    rhos = _utilizations(d.stations)
    if metric == "overhead":
        rhos += _utilizations(d.native_stations)
    return compiled((d.metrics[metric],) + rhos)


@lru_cache(maxsize=256)
def station_bundle(structure: tuple) -> Compiled:
    """Per station ``(S_i, R_i, Var(R_i), rho_i, capacity_i, Var(S_i), servers_i, arrivals_i, splits_i)``,
    then the path delay; cached by the structure (as :func:`closed_station_bundle`): building the
    tuple of every station's expressions and looking it up in :func:`compiled` (hashing each
    expression) cost 150-210 us of each station query (:meth:`Model.station_table`, the shared
    host's per-VM stations) before it was cached."""
    d = derive(structure)
    exprs = []
    for st in d.stations:
        exprs += [st.demand, st.response, st.response_variance, st.utilization, st.capacity,
                  st.variance, st.servers, st.arrivals, st.splits]
    return compiled(tuple(exprs) + (d.delay,))


#: what :func:`closed_station_bundle` gives per station
CLOSED_PER_STATION = ("demand", "servers", "splits")


@lru_cache(maxsize=256)
def closed_station_bundle(structure: tuple) -> Compiled:
    """Per station ``(S_i, servers_i, splits_i)``, then the path delay: what the closed model
    (:mod:`.closed`) reads at each step of its fixed point, cached by the structure.

    The same expressions as :func:`station_bundle`'s, without the response times, variances,
    utilizations and capacities the closed model does not read: compiling them (SymPy's
    common-subexpression search over every station's Erlang C and throughput limit) was most of
    a closed structure's first use, and building their tuple (each station's symbolic capacity)
    most of each step before it was cached."""
    d = derive(structure)
    return compiled(tuple(e for st in d.stations for e in (st.demand, st.servers, st.splits)) + (d.delay,))
