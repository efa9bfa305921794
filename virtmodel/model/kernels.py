"""Fused single-pass kernels for large arrays: the compiled bundles as one numba loop.

NumPy evaluates an expression one operation at a time and makes a temporary
array for each; a fused kernel walks the points once and keeps every
intermediate in registers. The kernel is generated from the same hoisted,
common-subexpression-eliminated SymPy expressions as the NumPy stage of
:mod:`virtmodel.model._compile` (SymPy's Python code printer, scalar ``math``
functions), so there is no hand-kept twin; :math:`C(c, a)/a` (Erlang C over
the load) of a whole number of servers from 2 to 64 whose load varies at every point
runs the NumPy path's Erlang B recursion (its step function, compiled, on tiles of
points: :func:`kernel_source`'s ``recursive``), and otherwise calls SciPy's own
compiled ``gammaincc`` and ``gammaln`` (``scipy.special.cython_special``), the code
the NumPy path runs for many servers or a fractional number (within 1e-13 of the
recursion), so the two paths agree to rounding (tested to :math:`10^{-12}` relative
on every technique and metric).

When it is used (``mode``, see :func:`configure`):

The kernels take arrays of the full shape (a 1-D sweep, scattered points, a
meshgrid) and broadcast grids (an outer product, a sweep over two 1-D axes, a
dask chunk of one): every term is computed per point in the NumPy stage's own
order (so the two paths round alike), except :math:`C(c, a)/a` of a load that
changes along one axis only, which is computed once per value of that axis
before the loops, as NumPy broadcasting computes it on that axis alone (SciPy's
``gammaincc`` per call is the costly part of a point).

- ``"auto"`` (default): for arrays of at least ``min_points`` points when
  numba is installed (the optional extra ``virtmodel[fast]``); the first such
  call of a bundle starts compiling its kernel in a background thread and is
  itself evaluated with NumPy, as is every call until the kernel is ready (so
  a first use never waits for a compiler). Small arrays and scalars always
  take the NumPy path.
- ``"numba"``: every array call of at least ``min_points`` points waits for
  the kernel (compiling it on first use); an error if numba is missing.
- ``"numpy"``: never.

A kernel that checks the stations' utilizations also writes ``inf`` into the latencies
they guard where one is not below the saturation edge (``kernel_source``'s ``masked``), so
no masking pass follows. A bundle whose expressions the printer cannot turn into a kernel keeps the
NumPy path. Kernels release the GIL, so dask's threaded scheduler runs chunks
in parallel.

Threads: a call of at least ``parallel_min_points`` points from the main thread, while the
1-minute load average and the tasks runnable at that instant leave a core to spare, runs a kernel
whose outermost loop is numba's ``prange`` (``parallel=True``, numba's default thread count: one
per core), and so does the percentile kernel (:mod:`virtmodel.queueing._percentile_kernel`); each
point is computed as in the one-thread loop, so the values are the same bits (tested). See
:func:`parallel`.

Examples
--------
>>> from virtmodel.model import kernels
>>> kernels.configure(mode="auto")["mode"]
'auto'
>>> kernels.settings()["min_points"] > 0
True
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from .._background import Builds

_SETTINGS = {"mode": "auto", "min_points": 32_768, "parallel_min_points": 262_144}
_MODES = ("auto", "numba", "numpy")


@lru_cache(maxsize=None)
def available() -> bool:
    """Whether numba is installed (the optional extra ``virtmodel[fast]``; not imported here)."""
    from importlib.util import find_spec

    return find_spec("numba") is not None


def settings() -> dict:
    """The current settings: ``{"mode": ..., "min_points": ..., "parallel_min_points": ...}`` (a copy)."""
    return dict(_SETTINGS)


def configure(mode: str | None = None, min_points: int | None = None,
              parallel_min_points: int | None = None) -> dict:
    """Choose when the fused kernels are used; returns the previous settings.

    Parameters
    ----------
    mode : {"auto", "numba", "numpy"}, optional
        See the module docstring.
    min_points : int, optional
        Smallest array (points after broadcasting) given to a kernel.
    parallel_min_points : int, optional
        Smallest array whose kernel splits its outermost loop over the processor's cores
        (see :func:`parallel`).
    """
    from ..errors import ParameterError

    global _GENERATION
    _GENERATION += 1  # what was kept for the previous settings is computed afresh (generation())
    old = settings()
    if mode is not None:
        if mode not in _MODES:
            raise ParameterError("mode", mode, "one of " + ", ".join(map(repr, _MODES)))
        if mode == "numba" and not available():
            raise ParameterError("mode", mode, "'auto' or 'numpy' (numba is not installed: "
                                               "install the extra virtmodel[fast])")
        _SETTINGS["mode"] = mode
    if min_points is not None:
        if not min_points >= 1:
            raise ParameterError("min_points", min_points, ">= 1")
        _SETTINGS["min_points"] = int(min_points)
    if parallel_min_points is not None:
        if not parallel_min_points >= 1:
            raise ParameterError("parallel_min_points", parallel_min_points, ">= 1")
        _SETTINGS["parallel_min_points"] = int(parallel_min_points)
    return old


_GENERATION = 0


def generation() -> int:
    """A number that :func:`configure` changes on every call: values kept between calls (the
    scalar stage's, :meth:`virtmodel.model._compile._Stages.scalars`) are dropped when it changed."""
    return _GENERATION


@contextmanager
def using(mode: str, min_points: int | None = None, parallel_min_points: int | None = None):
    """:func:`configure` for a ``with`` block (the previous settings come back after it).

    Examples
    --------
    >>> from virtmodel.model import kernels
    >>> with kernels.using("numpy"):
    ...     kernels.settings()["mode"]
    'numpy'
    """
    old = configure(mode, min_points, parallel_min_points)
    try:
        yield
    finally:
        configure(**old)


# -- code generation -----------------------------------------------------------------

_ERLANG = None
_LOCK = threading.Lock()


def _special():
    """numba-callable ``erlang_c_over_load(c, a)``, ``minimum(a, b)``, ``erlang_lg(c, lg, a)`` (the
    same with ``lg = gammaln(c + 1)`` given, computed once per call for a fixed ``c``),
    SciPy's ``gammaln`` and ``erlang_tile(c, a, out)`` (:math:`C(c, a)/a` on a tile of loads by
    the Erlang B recursion, :func:`virtmodel.queueing._erlang_b_recursion.erlang_b_step`)
    (built once)."""
    global _ERLANG
    with _LOCK:
        if _ERLANG is None:
            import ctypes
            import math

            import numba
            from numba.extending import get_cython_function_address

            dd_d = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double)
            d_d = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)
            gammaincc = dd_d(get_cython_function_address("scipy.special.cython_special", "gammaincc"))
            gammaln = d_d(get_cython_function_address("scipy.special.cython_special", "gammaln"))

            from ..queueing._erlang_b_recursion import erlang_b_step

            step = numba.njit(nogil=True, error_model="numpy", cache=False, inline="always")(erlang_b_step)

            @numba.njit(nogil=True, error_model="numpy", cache=False)
            def from_b_over_a(c, a, b_over_a):  # erlang_function.erlang_c_over_load's last step
                return c * b_over_a / (c - a * (1.0 - a * b_over_a))

            @numba.njit(nogil=True, error_model="numpy", cache=False)
            def erlang_lg(c, lg, a):  # erlang_function.erlang_c_over_load, point by point
                if c == 1.0:
                    return 1.0
                xlogy = 0.0 if c - 1.0 == 0.0 and a == a else (c - 1.0) * math.log(a)
                b_over_a = math.exp(xlogy - a - lg) / gammaincc(c + 1.0, a)
                return from_b_over_a(c, a, b_over_a)

            @numba.njit(nogil=True, error_model="numpy", cache=False)
            def erlang_tile(c, a, b):  # b = C(c, a)/a on a tile by the recursion, as erlang_function
                b[:] = 1.0  # does for a whole c up to RECURSION_SERVERS: B(c - 1, a), then B/a, then C/a
                for k in range(1, int(c)):  # each step across the tile (the inner loop vectorizes)
                    for x in range(a.shape[0]):
                        b[x] = step(a[x], b[x], k)
                for x in range(a.shape[0]):
                    before = b[x]
                    b[x] = from_b_over_a(c, a[x], before / (c + a[x] * before))

            @numba.njit(nogil=True, error_model="numpy", cache=False)
            def erlang(c, a):
                return erlang_lg(c, gammaln(c + 1.0), a)

            @numba.njit(nogil=True, error_model="numpy", cache=False)
            def log_gamma(x):
                return gammaln(x)

            @numba.njit(nogil=True, error_model="numpy", cache=False)
            def minimum(a, b):  # numpy.minimum: NaN wins
                if a != a or b != b:
                    return math.nan
                return a if a <= b else b

            _ERLANG = (erlang, minimum, erlang_lg, log_gamma, erlang_tile)
    return _ERLANG


def _printer(fixed=frozenset()):
    """The kernel's code printer; :math:`C(c, a)/a` with ``c`` one of the symbols ``fixed`` (a
    kernel argument that is a float) reads ``gammaln(c + 1)`` from ``_lg_<c>``, set once per call."""
    from sympy.printing.pycode import PythonCodePrinter

    class Printer(PythonCodePrinter):
        def _print_ErlangCOverLoad(self, e):
            c, a = e.args
            if c in fixed:
                return f"_erlang_lg(float({self._print(c)}), _lg_{self._print(c)}, {self._print(a)})"
            return f"_erlang(float({self._print(c)}), {self._print(a)})"

        def _fold(self, e, pair):
            args = [self._print(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = pair.format(out, a)
            return out

        def _print_Min(self, e):
            return self._fold(e, "_minimum({}, {})")

        def _print_Max(self, e):
            return self._fold(e, "-_minimum(-({}), -({}))")

        def _print_Function(self, e):  # anything else: no kernel (the NumPy path stays)
            raise NotImplementedError(f"no kernel for {type(e).__name__}")

        def _print_Symbol(self, e):
            return _ident(e.name)

        def _print_Indexed(self, e):  # a per-axis value (_per_axis) at the loop's index
            return f"{_ident(str(e.base.label))}[{', '.join(str(i) for i in e.indices)}]"

    return Printer({"fully_qualified_modules": True, "standard": "python3"})


def _ident(name: str) -> str:
    return "v_" + "".join(ch if ch.isalnum() else "_" for ch in name)


def _stages(exprs, varying) -> dict:
    """``{0: [(target, expression)], -1: [(symbol, expression)]}``: the per-point statements, with
    every maximal subexpression free of the ``varying`` symbols hoisted before the loops (``-1``,
    :func:`virtmodel.model._compile.hoist`). Targets are ``("out", k)`` or new symbols."""
    from ._compile import hoist

    new, scalars = hoist(exprs, set(varying), prefix="_fixed")
    return {0: list(zip([("out", k) for k in range(len(exprs))], new)), -1: scalars}


def _one_server(exprs, ones) -> tuple:
    """``exprs`` with :math:`C(c, a)/a` replaced by 1 where ``c`` is one of the symbols ``ones``
    (equal to 1 in this call: one server), as the NumPy stage's numeric twin does."""
    from ..queueing.erlang_function import ErlangCOverLoad

    if not ones:
        return tuple(exprs)
    return tuple(e.replace(lambda x: isinstance(x, ErlangCOverLoad) and x.args[0] in ones, lambda x: 1)
                 for e in exprs)


def erlang_servers(exprs, varying) -> tuple:
    """The fixed symbols that are the number of servers of some :math:`C(c, a)/a` in ``exprs``."""
    from ..queueing.erlang_function import ErlangCOverLoad

    found = {x.args[0] for e in exprs for x in e.atoms(ErlangCOverLoad)}
    return tuple(sorted((c for c in found if c.is_Symbol and c not in varying), key=lambda c: c.name))


def _per_axis(pairs, axes_of: dict, fixed: set) -> tuple:
    """``(pairs, [(symbol, expression, axis)])``: every :math:`C(c, a)/a` in ``pairs`` whose varying
    arguments all change along one and the same axis only (``axes_of[s]``: the axes ``s`` changes
    along), replaced by ``symbol[i<axis>]``: the kernel computes it once per value of that axis,
    before the loops (as NumPy computes it on that axis alone), not at every point of the grid.
    The same expression, so the same value."""
    import sympy as sp

    from ..queueing.erlang_function import ErlangCOverLoad

    pre = []
    for x in sorted({x for _, e in pairs for x in e.atoms(ErlangCOverLoad)}, key=sp.default_sort_key):
        along = {axes_of[s] for s in x.free_symbols - fixed if s in axes_of}
        if x.free_symbols <= fixed | set(axes_of) and len(along) == 1 and len(next(iter(along))) == 1:
            pre.append((sp.Symbol(f"_axis{len(pre)}"), x, next(iter(along))[0]))
    table = {x: sp.Indexed(sp.IndexedBase(sym.name), sp.Symbol(f"i{axis}")) for sym, x, axis in pre}
    return [(t, e.xreplace(table)) for t, e in pairs], pre


#: points per tile of the Erlang B recursion in a kernel (its loads and values stay in the L1 cache)
TILE = 256


def _tiled(pairs, recursive: set) -> tuple:
    """``(pairs, [(symbol, C(c, a)/a)])``: every :math:`C(c, a)/a` in ``pairs`` (the per-point
    statements) whose ``c`` is one of the ``recursive`` symbols, replaced by a new symbol that the
    kernel reads from its tile (:func:`_tile_loops`)."""
    import sympy as sp

    from ..queueing.erlang_function import ErlangCOverLoad

    found = sorted({x for _, e in pairs for x in e.atoms(ErlangCOverLoad) if x.args[0] in recursive},
                   key=sp.default_sort_key)
    table = {x: sp.Symbol(f"_tile{j}") for j, x in enumerate(found)}
    return ([(t, e.xreplace(table)) for t, e in pairs] if table else pairs), [(table[x], x) for x in found]


def _tile_loops(tiles, ndim: int, threads: bool, order, idx: str, printer, rename) -> list:
    """The loop heads of a kernel with :func:`_tiled` terms: the outer axes as usual, the last one
    in tiles of :data:`TILE` points; per tile, a first pass writes each term's load ``a`` at every
    point, ``erlang_tile`` turns the loads into :math:`C(c, a)/a`, and the loop over the tile's
    points that the caller's body goes into follows (its ``i<last>`` reads ``_tb<j>[i - _s]``)."""
    last, lines = ndim - 1, []
    pad = "    " * (last + 2)
    scratch = [f"_ta{j} = np.empty({TILE})" for j in range(len(tiles))]         + [f"_tb{j} = np.empty({TILE})" for j in range(len(tiles))]
    if not threads:  # one set for the call; on every core one per iteration of the split loop
        lines += [f"    {line}" for line in scratch]
    for k in range(last):
        lines.append(f"{'    ' * (k + 1)}for i{k} in {'prange' if threads and k == 0 else 'range'}(out0.shape[{k}]):")
        if threads and k == 0:
            lines += [f"{'    ' * (k + 2)}{line}" for line in scratch]
    split = "prange" if threads and last == 0 else "range"
    lines.append(f"{'    ' * (last + 1)}for _tile in {split}((out0.shape[{last}] + {TILE - 1}) // {TILE}):")
    if threads and last == 0:
        lines += [f"{pad}{line}" for line in scratch]
    lines += [f"{pad}_s = _tile * {TILE}", f"{pad}_e = min(_s + {TILE}, out0.shape[{last}])", f"{pad}_n = _e - _s",
              f"{pad}for i{last} in range(_s, _e):"]
    used = set().union(*(x.args[1].free_symbols for _, x in tiles))
    lines += [f"{pad}    {_ident(s.name)}_ = {_ident(s.name)}[{idx}]" for s in order if s in used]
    lines += [f"{pad}    _ta{j}[i{last} - _s] = {printer.doprint(x.args[1].xreplace(rename))}"
              for j, (_, x) in enumerate(tiles)]
    lines += [f"{pad}_erlang_tile(float({_ident(x.args[0].name)}), _ta{j}[:_n], _tb{j}[:_n])"
              for j, (_, x) in enumerate(tiles)]
    lines.append(f"{pad}for i{last} in range(_s, _e):")
    return lines


def kernel_source(exprs, symbols, varying, levels, ones=(), below=(), limit=1.0, threads=False,
                  echo=(), recursive=(), masked=(), flags=True, checks=()) -> tuple:
    """``(source, kinds)``: Python source of ``kernel(outs..., args...)`` and each output's kind.

    ``exprs`` are the array stage's expressions in ``symbols``; ``varying``
    ones are arrays broadcast to the output shape, the rest floats.
    ``levels`` is the :func:`signature` ``(ndim, axes, ..., layout)``: the output's
    number of dimensions, then for each varying symbol (in the order of
    ``symbols``) the axes it changes along (:func:`_per_axis`).
    Outputs that vary are written into the output arrays (kind ``"array"``);
    the others are returned as a tuple of floats (``"fixed"``). ``ones``: number-of-servers symbols equal
    to 1 in the calls this kernel serves (their :math:`C(c, a)/a` is 1: no
    call, and the loop vectorizes). ``below``: indices of outputs the caller
    needs only to know to be below ``limit`` at every point (a station's
    utilization, which decides saturation): a varying one is written as a boolean
    array ``output < limit`` (kind ``"checked"``: one byte a point, not eight;
    False where it is NaN), into the arguments after the float outputs; the
    kernel returns, after the fixed outputs, one flag that is True if any of
    them is not below ``limit`` at some point. ``threads``: the outermost loop is a
    ``prange`` (numba's ``parallel=True``: its iterations are split over the cores; every
    point is computed as in the one-thread loop, and the flag is a count, a sum over the
    threads). ``echo``: names of varying symbols whose values the loop also writes, as it reads
    them, into arrays of the output's shape (the arguments after the flags, in this order): a
    copy of an input made in the same pass (:func:`copying`; a sweep's coordinate).
    ``recursive``: number-of-servers symbols that are whole numbers from 2 to
    :data:`~virtmodel.queueing.erlang_function.RECURSION_SERVERS` in these calls: a
    :math:`C(c, a)/a` of theirs whose load varies at every point is computed as the NumPy
    path computes it there, by the Erlang B recursion, on tiles of :data:`TILE` points along
    the last axis (the loads of a tile first, then the recursion's steps across the tile,
    which vectorize, then the points): about 19 ns a point for 32 servers against 45-95 ns
    for SciPy's ``gammaincc`` per point (measured), and the same bits as the NumPy path.
    ``masked``: pairs ``(k, guards)``, output ``k`` to be ``inf`` at every point where one of the
    outputs ``guards`` (indices in ``below``) is not below ``limit`` (a latency where a station
    saturates), written so in the loop: no separate pass over the output afterwards. Only a
    varying output whose guards are all varying and in ``below`` is masked (:func:`masked_outputs`).
    ``flags``: False writes no boolean arrays for the checked outputs (no such arguments either): a
    caller that reads them only to mask outputs the kernel masks itself (2 MB less written for
    two stations over 10^6 points, benchmarks/README.md, "Eleventh round"); the flag is still returned.
    ``checks``: pairs ``(name, positive)`` of varying symbols whose values the loop also checks as
    it reads them (:mod:`virtmodel.model._range_checks`): each must be finite with its sign bit
    clear, and above 0 if ``positive``; the kernel counts the points where one is not and
    returns, last, one flag that is True if there was any.
    """
    import sympy as sp

    ndim, *lv, _ = levels
    exprs = _one_server(exprs, set(ones))
    order = [s for s in symbols if s in varying]
    axes_of = dict(zip(order, lv))
    servers = [c for c in erlang_servers(exprs, varying) if c in symbols]  # fixed: gammaln once per call
    printer = _printer(frozenset(servers))
    varies = [bool(e.free_symbols & varying) for e in exprs]
    reduced = [v and k in below for k, v in enumerate(varies)]
    loop = [e for e, v, r in zip(exprs, varies, reduced) if v and not r] + \
        [e for e, r in zip(exprs, reduced) if r]
    fixed = [e for e, v in zip(exprs, varies) if not v]
    written = sum(varies) - sum(reduced)
    position = {k: j for j, k in enumerate([k for k, (v, r) in enumerate(zip(varies, reduced)) if v and not r]
                                           + [k for k, r in enumerate(reduced) if r])}
    guards = {position[k]: [position[g] - written for g in gs] for k, gs in masked_outputs(varies, reduced, masked)}
    outs = [f"out{k}" for k in range(max(written, 1))] + [f"below{k}" for k in range(sum(reduced) if flags else 0)] \
        + [f"echo{k}" for k in range(len(echo))]
    rename = {s: sp.Symbol(s.name + "_") for s in order}
    lines = [f"def kernel({', '.join(outs + [_ident(s.name) for s in kernel_arguments(exprs, symbols, varying)])}):"]
    lines += [f"    _lg_{_ident(c.name)} = _gammaln(float({_ident(c.name)}) + 1.0)" for c in servers]
    if written < len(loop):
        lines.append("    above = 0")
    if checks:
        lines.append("    outside = 0")
    # every varying term per point, in the NumPy stage's own order (hoisting terms out to the axes
    # they vary along regroups sums and products: other rounding, 1e-12 apart near saturation)
    staged = _stages(loop, order)
    pre = []
    if ndim >= 2:  # an Erlang C term varying along one axis only: once per value of that axis
        staged[0], pre = _per_axis(staged[0], axes_of, set(symbols) - set(order) | {t for t, _ in staged[-1]})
    idx = ", ".join(f"i{k}" for k in range(ndim))
    staged[0], tiles = _tiled(staged[0], set(recursive))
    body = "    " * (ndim + 1 + bool(tiles))
    for level in (-1, 0):
        pairs = staged[level]
        if level == 0:
            for sym, e, axis in pre:
                at = ", ".join("j" if k == axis else "0" for k in range(ndim))
                lines.append(f"    {_ident(sym.name)} = np.empty(out0.shape[{axis}])")
                lines.append(f"    for j in range(out0.shape[{axis}]):")
                lines += [f"        {_ident(s.name)}_ = {_ident(s.name)}[{at}]"
                          for s in order if s in e.free_symbols]
                lines.append(f"        {_ident(sym.name)}[j] = {printer.doprint(e.xreplace(rename))}")
            if tiles:
                lines += _tile_loops(tiles, ndim, threads, order, idx, printer, rename)
            else:
                lines += [f"{'    ' * (k + 1)}for i{k} in {'prange' if threads and k == 0 else 'range'}(out0.shape[{k}]):"
                          for k in range(ndim)]
            lines += [f"{body}{_ident(s.name)}_ = {_ident(s.name)}[{idx}]" for s in order]
            lines += [f"{body}{_ident(sym.name)} = _tb{j}[i{ndim - 1} - _s]" for j, (sym, _) in enumerate(tiles)]
            lines += [f"{body}echo{k}[{idx}] = {_ident(name)}_" for k, name in enumerate(echo)]
            lines += [f"{body}outside += 0 if {_in_range(_ident(name) + '_', positive)} else 1"
                      for name, positive in checks]
        indent = body if level == 0 else "    "
        subs, rest = sp.cse([e for _, e in pairs], symbols=sp.numbered_symbols(f"_cse{level + 1}_"),
                            order="none")
        for sym, e in subs:
            lines.append(f"{indent}{_ident(sym.name)} = {printer.doprint(e.xreplace(rename))}")
        for (target, _), e in zip(pairs, rest):
            value = printer.doprint(sp.sympify(e).xreplace(rename))
            if not isinstance(target, tuple):
                lines.append(f"{indent}{_ident(target.name)} = {value}")
            elif target[1] in guards:  # written after the guards are known
                lines.append(f"{indent}_value{target[1]} = {value}")
            elif target[1] < written:
                lines.append(f"{indent}out{target[1]}[{idx}] = {value}")
            else:
                j = target[1] - written
                lines.append(f"{indent}_below{j} = {value} < {float(limit)!r}")
                if flags:
                    lines.append(f"{indent}below{j}[{idx}] = _below{j}")
                lines.append(f"{indent}above += 0 if _below{j} else 1")
        if level == 0:
            for k, gs in sorted(guards.items()):
                ok = " and ".join(f"_below{j}" for j in gs)
                lines.append(f"{indent}out{k}[{idx}] = _value{k} if {ok} else math.inf")
    lines.append("    return (" + "".join(f"float({printer.doprint(e)}), " for e in fixed)
                 + ("above > 0, " if written < len(loop) else "") + ("outside > 0, " if checks else "") + ")")
    kinds = ["checked" if r else "array" if v else "fixed" for v, r in zip(varies, reduced)]
    return "\n".join(lines) + "\n", kinds


def _in_range(x: str, positive: bool) -> str:
    """The kernel's test of one value ``x`` of a checked argument (:func:`kernel_source`'s ``checks``):
    ``check_value``'s fast path (``virtmodel._params._plain_nonnegative``) point by point."""
    return f"0.0 < {x} < math.inf" if positive else f"({x} < math.inf and math.copysign(1.0, {x}) > 0.0)"


def kernel_arguments(exprs, symbols, varying, ones=()) -> tuple:
    """The symbols (of ``symbols``, in their order) a kernel of :func:`kernel_source` takes after
    its outputs: every varying one (the loops read them all) and every fixed one that appears in
    the array stage's expressions once :math:`C(c, a)/a` of one server (``ones``) is 1. A bundle's
    array stage sees every parameter of the model, most of them only through the hoisted scalars
    (36 arguments for the SR-IOV mean latency, 10 used): the others are not passed at all."""
    used = set(varying).union(*(e.free_symbols for e in _one_server(exprs, set(ones))))
    return tuple(s for s in symbols if s in used)


def masked_outputs(varies, reduced, masked) -> list:
    """``[(k, guards)]`` of ``masked`` (:func:`kernel_source`) that the kernel masks itself: output
    ``k`` varies and is written (not only checked), and every guard is a checked output."""
    return [(k, tuple(gs)) for k, gs in masked
            if varies[k] and not reduced[k] and gs and all(reduced[g] for g in gs)]


def signature(symbols, varying, args, shape) -> tuple:
    """``(ndim, axes, ..., layout)``: for each varying argument the axes of ``shape`` it changes
    along (those where it is longer than 1); ``"C"`` when every varying argument is C-contiguous
    of the full shape (the loop then vectorizes), else ``"A"`` (a broadcast grid: the kernel reads
    each input through a broadcast view)."""
    return _levels([np.asarray(a) for s, a in zip(symbols, args) if s in varying], shape)


def _levels(arrays, shape) -> tuple:
    """:func:`signature` of the varying arguments ``arrays`` (in order)."""
    ndim, shape = len(shape), tuple(shape)
    out = [ndim]
    contiguous = True
    for a in arrays:
        dims = (1,) * (ndim - a.ndim) + a.shape
        out.append(tuple(k for k, n in enumerate(dims) if n > 1))
        contiguous = contiguous and a.shape == shape and a.flags.c_contiguous
    return tuple(out) + ("C" if contiguous else "A",)


class Kernel:
    """The fused kernel of one array stage (compiled per :func:`signature`, on demand)."""

    def __init__(self, exprs, symbols, varying_names):
        self.exprs = tuple(exprs)
        self.symbols = tuple(symbols)
        self.varying = frozenset(s for s in self.symbols if s.name in varying_names)
        self.servers = [(k, s) for k, s in enumerate(self.symbols) if s in erlang_servers(self.exprs, self.varying)]
        self._varying_at = tuple((k, s.name) for k, s in enumerate(self.symbols) if s in self.varying)
        self._builds = Builds(self._build, "virtmodel-kernel-compile")  # signature -> (dispatcher, kinds)
        from ..queueing.erlang_function import RECURSION_SERVERS

        self._recursion_servers = float(RECURSION_SERVERS)

    def signature(self, args, shape, below=frozenset(), limit=1.0, masked=(), flags=True, checks=()) -> tuple:
        """:func:`signature`, then the :func:`erlang_servers` equal to 1 at ``args``, then the
        outputs only checked against a limit, the limit (``below``, ``limit``: see
        :func:`kernel_source`), whether the kernel runs on every core (:func:`parallel`), the
        inputs it copies as it reads them (:func:`copying`), the recursive Erlang C terms, the
        outputs it masks (``masked``, :func:`kernel_source`) and, when ``flags`` is False (the
        caller reads the checked outputs only to mask ``masked``) True: the kernel then writes no
        boolean arrays if it masks every one of ``masked`` itself (else it does). ``checks``:
        ``(argument index, positive)`` of arguments whose range the kernel checks as it reads them
        (:func:`kernel_source`'s ``checks``), kept only where every varying argument is a
        C-contiguous array of the full shape (else none: the caller checks them)."""
        ones = tuple(s.name for k, s in self.servers if float(args[k]) == 1.0)
        threads = parallel(math.prod(shape))
        sig = _levels([args[k] for k, _ in self._varying_at], shape)  # (signature(), the varying arguments only)
        echo = tuple(name for name, _ in self._echoes(args)) if sig[-1] == "C" else ()
        checked = tuple((self.symbols[k].name, positive) for k, positive in checks) if sig[-1] == "C" else ()
        return sig + (ones, (frozenset(below), float(limit), threads, echo, self._recursive(args),
                             tuple(sorted((k, tuple(gs)) for k, gs in masked)), checked, not flags))

    def _recursive(self, args) -> tuple:
        """The number-of-servers symbols whose :math:`C(c, a)/a` the NumPy path computes by the Erlang
        B recursion at ``args`` (a whole number from 2 to ``RECURSION_SERVERS``; see
        :func:`kernel_source`)."""
        return tuple(s.name for k, s in self.servers
                     if 2.0 <= float(args[k]) <= self._recursion_servers and float(args[k]).is_integer())

    def _echoes(self, args) -> list:
        """``[(name, target)]``: the varying arguments a :func:`copying` block of this thread asks
        to be copied (each source at most once, the first argument reading its memory)."""
        pending = getattr(_COPYING, "pending", None)
        if not pending:
            return []
        found, taken = [], set()
        for k, name in self._varying_at:
            for j, (source, target) in enumerate(pending):
                if j not in taken and _same_memory(args[k], source):
                    found.append((name, target))
                    taken.add(j)
                    break
        return found

    def _build(self, sig):
        import math

        import numba

        ones = {s for _, s in self.servers if s.name in sig[-2]}
        below, limit, threads, echo, recursive, masked, checks, masks_only = sig[-1]
        recursive = {s for _, s in self.servers if s.name in recursive}
        source, kinds = kernel_source(self.exprs, self.symbols, self.varying, sig[:-2], ones, below, limit, threads,
                                      echo, recursive, masked, checks=checks)
        done = frozenset(k for k, _ in masked_outputs([kind != "fixed" for kind in kinds],
                                                      [kind == "checked" for kind in kinds], masked))
        written = not (masks_only and len(done) == len(masked))  # (an output left for the caller to mask: flags)
        if not written:
            source, kinds = kernel_source(self.exprs, self.symbols, self.varying, sig[:-2], ones, below, limit,
                                          threads, echo, recursive, masked, flags=False, checks=checks)
        echoes = len(sig[-1][3])
        erlang, minimum, erlang_lg, log_gamma, erlang_tile = _special()
        namespace = {"math": math, "np": np, "prange": numba.prange, "_erlang": erlang, "_minimum": minimum,
                     "_erlang_lg": erlang_lg, "_gammaln": log_gamma, "_erlang_tile": erlang_tile}
        exec(compile(source, f"<virtmodel kernel {sig}>", "exec"), namespace)
        fn = numba.njit(nogil=True, error_model="numpy", cache=False, parallel=sig[-1][2])(namespace["kernel"])
        ndim, layout = sig[0], sig[-3]
        out = numba.types.Array(numba.float64, ndim, "C")
        arg = numba.types.Array(numba.float64, ndim, layout, readonly=True)
        flags = numba.types.Array(numba.boolean, ndim, "C")
        taken = kernel_arguments(_one_server(self.exprs, ones), self.symbols, self.varying)
        fn.compile(tuple([out] * max(kinds.count("array"), 1) + [flags] * (kinds.count("checked") if written else 0)
                         + [out] * echoes + [arg if s in self.varying else numba.float64 for s in taken]))
        fn.disable_compile()  # calls convert to this one signature: no compile on the caller's thread
        at = {s: k for k, s in enumerate(self.symbols)}
        return fn, kinds, done, tuple((at[s], s in self.varying) for s in taken), written

    def ready(self, sig, wait: bool) -> bool:
        """Whether the kernel for this signature can run now; starts (``wait``: finishes) compiling it
        (in a background thread, :class:`virtmodel._background.Builds`).

        The kernel is compiled for one set of argument types (any layout,
        read-only inputs), so no call compiles again on the caller's thread.
        A signature whose kernel cannot be built keeps the NumPy path.
        """
        got = self._builds.get(sig, wait)
        if isinstance(got, Exception):
            if wait:  # mode "numba": a kernel that cannot be built is an error, not a silent fallback
                raise RuntimeError(f"no fused kernel for signature {sig}") from got
            return False
        return got is not None

    def other_threads(self, sig):
        """The same kernel with the other choice of threads (:func:`parallel`) if it is compiled,
        else None: a call uses it rather than the NumPy path while its own compiles."""
        other = sig[:-1] + (sig[-1][:2] + (not sig[-1][2],) + sig[-1][3:],)
        got = self._builds.peek(other)
        return other if got is not None and not isinstance(got, Exception) else None

    def masked(self, sig) -> frozenset:
        """The outputs the kernel of this signature masks itself (:func:`masked_outputs`)."""
        return self._builds.peek(sig)[2]

    def started(self) -> tuple:
        """The signatures whose kernel has been requested (compiled, compiling or failed)."""
        return self._builds.started()

    def error(self, sig):
        """The exception that kept this signature's kernel from compiling, or None."""
        got = self._builds.peek(sig)
        return got if isinstance(got, Exception) else None

    def __call__(self, args, shape, sig, out=None) -> tuple:
        """``(outputs, above, outside)`` at ``args`` (arrays and 0-d): full arrays for varying outputs, 0-d
        for fixed ones; for the checked ones (:func:`kernel_source`'s ``below``) None when
        every one is below its limit everywhere, else boolean arrays ``output < limit`` (None
        always from a kernel built to mask only, :meth:`signature`'s ``flags``);
        ``above`` True if a checked one is not below its limit somewhere, None if none was checked;
        ``outside`` True if an argument whose range the kernel checks (:meth:`signature`'s
        ``checks``) has a value outside it somewhere.
        The boolean arrays are the calling thread's scratch memory (:func:`scratch`): read
        them before this thread's next kernel call.

        ``out``: ``{output index: array}``, C-contiguous float arrays of ``shape`` that a varying
        output is written into (and returned as) instead of a new array."""
        fn, kinds, _, taken, written = self._builds.peek(sig)
        out = out or {}
        outs = [out[k] if k in out else np.empty(shape) for k, kind in enumerate(kinds) if kind == "array"] \
            or [np.empty(shape)]  # loops read out0's shape
        flags = scratch("flags", shape, bool, kinds.count("checked") if written else 0)
        full = sig[-3] == "C"
        params = [(args[k] if full else np.broadcast_to(args[k], shape)) if varies else float(args[k])
                  for k, varies in taken]
        echoes = dict(self._echoes(args)) if sig[-1][3] else {}
        copies = [echoes[name] for name in sig[-1][3]]
        numbers = fn(*outs, *flags, *copies, *params)
        if copies:
            _COPYING.written.extend(copies)
            _COPYING.pending = [(a, b) for a, b in _COPYING.pending if not any(b is c for c in copies)]
        outside = bool(numbers[-1]) if sig[-1][6] else False
        above = bool(numbers[-1 - bool(sig[-1][6])]) if "checked" in kinds else None
        fixed, arrays, below = iter(numbers), iter(outs), iter(flags)
        pick = {"array": lambda: next(arrays), "fixed": lambda: np.asarray(next(fixed)),
                "checked": lambda: next(below) if above and written else None}
        out = [pick[k]() for k in kinds]
        return out, above, outside


_COPYING = threading.local()


@contextmanager
def copying(pairs):
    """While inside, the first fused kernel this thread runs that reads one of the ``sources`` also
    writes its values into ``target`` in the same pass (no separate copy: one read of the input
    less, for a sweep's coordinate). Yields a list that gets each ``target`` so written; a
    source no kernel read (the NumPy path, a broadcast grid, another dtype) is not copied: the
    caller copies what is not in the list.

    ``pairs``: ``[(source, target)]``, ``source`` a float64 array, ``target`` a writeable
    C-contiguous float64 array of its shape. A kernel reads a source when one of its varying
    arguments is that memory (same address, shape and strides) and every varying argument has
    the kernel's full shape, C-contiguous (a 1-D sweep); it writes ``target[i] = source[i]``
    at each point it computes, so the copy has the values the results were computed from.
    """
    written: list = []
    _COPYING.pending = [(a, b) for a, b in pairs if _copyable(a, b)]
    _COPYING.written = written
    try:
        yield written
    finally:
        _COPYING.pending = []


def _copyable(source, target) -> bool:
    return isinstance(source, np.ndarray) and isinstance(target, np.ndarray) and source.dtype == np.float64 \
        and target.dtype == np.float64 and source.shape == target.shape and source.flags.c_contiguous \
        and target.flags.c_contiguous and target.flags.writeable and source.ndim > 0


def _same_memory(a, source) -> bool:
    """Whether array ``a`` is ``source``'s memory read the same way (a view of it, or itself)."""
    return isinstance(a, np.ndarray) and a.dtype == source.dtype and a.shape == source.shape \
        and a.strides == source.strides and a.ctypes.data == source.ctypes.data


#: the largest scratch (bytes) a thread keeps for each kind of kernel temporaries between calls
SCRATCH_BYTES = 1 << 24
_SCRATCH = threading.local()


def scratch(slot: str, shape, dtype, count: int) -> list:
    """``count`` arrays of ``shape`` and ``dtype`` in memory the calling thread keeps between its
    calls, one buffer per ``slot`` (up to :data:`SCRATCH_BYTES` each; larger ones are new each
    time): for temporaries a caller reads at once and never hands on, e.g. a kernel's
    saturation flags (slot ``"flags"``, :meth:`Kernel.__call__`) or the queueing time and
    variance the percentiles are computed from (:mod:`virtmodel.model._evaluate`). Each call
    for a slot reuses the memory of the previous one on the same thread.

    A new array per call cost page faults on fresh memory every time (glibc returns large
    freed blocks to the system): about a quarter of the CPU time of the dask benchmark's
    chunks (benchmarks/README.md, "Sixth round")."""
    dtype = np.dtype(dtype)
    size = math.prod(shape)
    if count == 0:
        return []
    if size * count * dtype.itemsize > SCRATCH_BYTES:
        return [np.empty(shape, dtype=dtype) for _ in range(count)]
    buffers = _SCRATCH.__dict__.setdefault("buffers", {})
    have = buffers.get(slot)
    if have is None or have.size < size * count * dtype.itemsize:
        have = buffers[slot] = np.empty(max(size * count * dtype.itemsize, 4096), dtype=np.uint8)
    flat = have[:size * count * dtype.itemsize].view(dtype)
    return [flat[k * size:(k + 1) * size].reshape(shape) for k in range(count)]


def parallel(points: int) -> bool:
    """Whether a kernel of this many points runs its outermost loop on every core (numba's
    ``prange``; the points are independent, so the results are the same as one thread's).

    For arrays of at least ``parallel_min_points`` points, on a machine with several cores
    available to the process, called from the main thread only: dask's threads (and any
    other caller's) run one-thread kernels side by side instead, which also keeps numba's
    thread pool from being entered by two threads at once (its ``workqueue`` layer,
    the one left when neither OpenMP nor TBB is installed, aborts then). And only while the
    machine has a core to spare: a 1-minute load average below the cores available less
    one half (Unix; elsewhere always), and no more tasks runnable at this instant than leave
    a core to this one (:func:`_runnable_now`: the other runnable tasks at most the cores
    less two). A loop split over the cores ends when its slowest part does, so on a machine
    whose cores other processes keep busy a one-millisecond kernel waited for a descheduled
    thread: 3.6 ms against 1.85 ms on one thread at a load of 4 on 2 cores (benchmarks/README.md,
    "Fifth round"); and the 1-minute average lags: a test run started a few seconds before kept it
    at 0.5 while one of the 2 cores was busy, and a 10^6-point sweep took 11.9 ms on two threads
    against 1.5 ms on one ("Twelfth round").
    """
    if points < _SETTINGS["parallel_min_points"] or threading.current_thread() is not threading.main_thread():
        return False
    return _spare_core()


def _spare_core() -> bool:
    """Whether the process has several cores, the 1-minute load average leaves one half free and
    the tasks runnable right now (:func:`_runnable_now`, this one included) leave a core to it."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this system
        load = 0.0
    if not (cores > 1 and load < cores - 0.5):
        return False
    running = _runnable_now()
    return running is None or running - 1 <= cores - 2


_PROC_LOADAVG: list = []


def _runnable_now():
    """The number of tasks runnable on the system at this instant, the calling thread included (Linux:
    the first number of ``/proc/loadavg``'s fourth field, "runnable/total"; read from a descriptor
    kept open, about 1 us), or None where there is no such file. The load average is an
    exponential average over a minute; this is what the scheduler has now."""
    import os

    if not _PROC_LOADAVG:
        try:
            _PROC_LOADAVG.append(os.open("/proc/loadavg", os.O_RDONLY))
        except (AttributeError, OSError):
            _PROC_LOADAVG.append(None)
    fd = _PROC_LOADAVG[0]
    if fd is None:
        return None
    try:
        return int(os.pread(fd, 256, 0).split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):  # not the Linux format
        return None


def _build_copy(_key=None):
    import numba

    @numba.njit(nogil=True, parallel=True, cache=False)
    def copy(source, out):  # element by element on every core
        for i in numba.prange(source.shape[0]):
            out[i] = source[i]

    array = numba.types.Array(numba.float64, 1, "C")
    copy.compile((numba.types.Array(numba.float64, 1, "C", readonly=True), array))
    copy.compile((array, array))
    copy.disable_compile()
    return copy


_COPY = Builds(_build_copy, "virtmodel-copy-compile")


def copy(array: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A copy of a C-contiguous 1-D float64 array (a sweep's coordinate), made on every core when
    the fused kernels are used for it and :func:`parallel` says so (0.27 ms instead of 0.53 ms
    for 10^6 points, measured); else ``numpy.array(array)``. The same values either way.
    ``out``: a C-contiguous float64 array of the same shape to copy into (and return)."""
    if array.ndim == 1 and array.dtype == np.float64 and array.flags.c_contiguous \
            and wanted(array.size, 1) and parallel(array.size) \
            and (out is None or (out.shape == array.shape and out.dtype == np.float64 and out.flags.c_contiguous)):
        fn = _COPY.get(None, wait=_SETTINGS["mode"] == "numba")
        if fn is not None and not isinstance(fn, Exception):
            out = np.empty_like(array) if out is None else out
            fn(array, out)
            return out
    if out is None:
        return np.array(array)
    np.copyto(out, array)
    return out


def _build_largest(_key=None):
    import numba

    @numba.njit(nogil=True, parallel=True, cache=False)
    def largest(bits, shift):  # max of bits - shift (unsigned, so 0 - 1 wraps to the top), on every core
        top = numba.uint64(0)
        for i in numba.prange(bits.shape[0]):
            top = max(top, bits[i] - shift)
        return top

    for readonly in (True, False):
        largest.compile((numba.types.Array(numba.uint64, 1, "C", readonly=readonly), numba.uint64))
    largest.disable_compile()
    return largest


_LARGEST = Builds(_build_largest, "virtmodel-check-compile")


def largest_bits(bits: np.ndarray, shift: int):
    """The largest ``bits[i] - shift`` (``numpy.uint64``, wrapping below 0) of a C-contiguous 1-D
    ``uint64`` array (a float array's bit patterns, :func:`virtmodel._params.check_value`'s range
    check), computed on every core, or None where that is not for this array: the fused kernels
    are not used for it or :func:`parallel` says one thread (the caller reduces with NumPy).
    One reduction over the 8 MB of a 10^6-point sweep took 0.15 ms of its 1.4 ms, read from the
    last-level cache on one core (benchmarks/README.md, "Eleventh round")."""
    if not (bits.ndim == 1 and bits.dtype == np.uint64 and bits.flags.c_contiguous
            and wanted(bits.size, 1) and parallel(bits.size)):
        return None
    fn = _LARGEST.get(None, wait=_SETTINGS["mode"] == "numba")
    if fn is None or isinstance(fn, Exception):
        return None
    return np.uint64(fn(bits, np.uint64(shift)))


def wanted(points: int, ndim: int) -> str | None:
    """``"now"`` (wait for the kernel), ``"if ready"``, or None: what the settings say for this array."""
    mode = _SETTINGS["mode"]
    if mode == "numpy" or ndim == 0 or points < _SETTINGS["min_points"]:
        return None
    if mode == "numba":
        return "now"
    return "if ready" if available() else None


__all__ = ["available", "configure", "copy", "copying", "generation", "scratch", "settings", "using", "Kernel", "kernel_arguments", "kernel_source", "largest_bits", "masked_outputs", "parallel", "wanted"]
