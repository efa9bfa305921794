"""Fused single-pass kernels for large arrays: the compiled bundles as one numba loop.

NumPy evaluates an expression one operation at a time and makes a temporary
array for each; a fused kernel walks the points once and keeps every
intermediate in registers. The kernel is generated from the same hoisted,
common-subexpression-eliminated SymPy expressions as the NumPy stage of
:mod:`virtmodel.model._compile` (SymPy's Python code printer, scalar ``math``
functions), so there is no hand-kept twin; :math:`C(c, a)/a` (Erlang C over
the load) calls SciPy's own compiled ``gammaincc`` and ``gammaln``
(``scipy.special.cython_special``), the code the NumPy path runs for many
servers or a fractional number (for a whole number up to 64 it runs the Erlang B
recursion, :mod:`virtmodel.queueing.erlang_function`, within 1e-13 of it), so the
two paths agree to rounding (tested to :math:`10^{-12}` relative on every
technique and metric).

When it is used (``mode``, see :func:`configure`):

The kernels take arrays without broadcasting (every varying input of the
full shape: a 1-D sweep, scattered points, a meshgrid): on a broadcast grid
(an outer product, a sweep over two 1-D axes) NumPy computes each term on the
axes it depends on alone, which measured faster than any per-point loop, so
those keep the NumPy path.

- ``"auto"`` (default): for arrays of at least ``min_points`` points when
  numba is installed (the optional extra ``virtmodel[fast]``); the first such
  call of a bundle starts compiling its kernel in a background thread and is
  itself evaluated with NumPy, as is every call until the kernel is ready (so
  a first use never waits for a compiler). Small arrays and scalars always
  take the NumPy path.
- ``"numba"``: every array call of at least ``min_points`` points waits for
  the kernel (compiling it on first use); an error if numba is missing.
- ``"numpy"``: never.

A bundle whose expressions the printer cannot turn into a kernel keeps the
NumPy path. Kernels release the GIL, so dask's threaded scheduler runs chunks
in parallel.

Examples
--------
>>> from virtmodel.model import kernels
>>> kernels.configure(mode="auto")["mode"]
'auto'
>>> kernels.settings()["min_points"] > 0
True
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from .._background import Builds

_SETTINGS = {"mode": "auto", "min_points": 32_768}
_MODES = ("auto", "numba", "numpy")


@lru_cache(maxsize=None)
def available() -> bool:
    """Whether numba is installed (the optional extra ``virtmodel[fast]``; not imported here)."""
    from importlib.util import find_spec

    return find_spec("numba") is not None


def settings() -> dict:
    """The current settings: ``{"mode": ..., "min_points": ...}`` (a copy)."""
    return dict(_SETTINGS)


def configure(mode: str | None = None, min_points: int | None = None) -> dict:
    """Choose when the fused kernels are used; returns the previous settings.

    Parameters
    ----------
    mode : {"auto", "numba", "numpy"}, optional
        See the module docstring.
    min_points : int, optional
        Smallest array (points after broadcasting) given to a kernel.
    """
    from ..errors import ParameterError

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
    return old


@contextmanager
def using(mode: str, min_points: int | None = None):
    """:func:`configure` for a ``with`` block (the previous settings come back after it).

    Examples
    --------
    >>> from virtmodel.model import kernels
    >>> with kernels.using("numpy"):
    ...     kernels.settings()["mode"]
    'numpy'
    """
    old = configure(mode, min_points)
    try:
        yield
    finally:
        configure(**old)


# -- code generation -----------------------------------------------------------------

_ERLANG = None
_LOCK = threading.Lock()


def _special():
    """numba-callable ``erlang_c_over_load(c, a)``, ``minimum(a, b)``, ``erlang_lg(c, lg, a)`` (the
    same with ``lg = gammaln(c + 1)`` given, computed once per call for a fixed ``c``) and
    SciPy's ``gammaln`` (built once)."""
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

            @numba.njit(nogil=True, error_model="numpy", cache=False)
            def erlang_lg(c, lg, a):  # erlang_function.erlang_c_over_load, point by point
                if c == 1.0:
                    return 1.0
                xlogy = 0.0 if c - 1.0 == 0.0 and a == a else (c - 1.0) * math.log(a)
                b_over_a = math.exp(xlogy - a - lg) / gammaincc(c + 1.0, a)
                return c * b_over_a / (c - a * (1.0 - a * b_over_a))

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

            _ERLANG = (erlang, minimum, erlang_lg, log_gamma)
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

    return Printer({"fully_qualified_modules": True, "standard": "python3"})


def _ident(name: str) -> str:
    return "v_" + "".join(ch if ch.isalnum() else "_" for ch in name)


def _levels(exprs, varying, levels: dict, ndim: int) -> dict:
    """``{level: [(target, expression)]}``: each subexpression at the outermost loop it can run in.

    ``levels[s]`` is the innermost axis along which the varying symbol ``s``
    changes (-1: it does not). Working inwards-out, every maximal
    subexpression free of the symbols that change at level ``L`` or deeper is
    hoisted (:func:`virtmodel.model._compile.hoist`) to the enclosing loop; a
    service demand that depends on the I/O size only is then computed once per
    I/O size, not once per point of an (I/O size x arrival rate) grid, as NumPy
    broadcasting would. Targets are ``("out", k)`` or new symbols.
    """
    from ._compile import hoist

    targets, current, out = [("out", k) for k in range(len(exprs))], list(exprs), {}
    for level in range(ndim - 1, -2, -1):
        if level == -1 or not current:
            out[level] = list(zip(targets, current))
            break
        new, scalars = hoist(current, {s for s in varying if levels[s] >= level}, prefix=f"_level{level}_")
        out[level] = list(zip(targets, new))
        targets, current = [sym for sym, _ in scalars], [e for _, e in scalars]
    return out


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


def kernel_source(exprs, symbols, varying, levels, ones=(), below=(), limit=1.0) -> tuple:
    """``(source, kinds)``: Python source of ``kernel(outs..., args...)`` and each output's kind.

    ``exprs`` are the array stage's expressions in ``symbols``; ``varying``
    ones are arrays broadcast to the output shape, the rest floats.
    ``levels`` is the :func:`signature` ``(ndim, level, ...)``: the output's
    number of dimensions, then for each varying symbol (in the order of
    ``symbols``) the innermost axis it changes along (:func:`_levels`).
    Outputs that vary are written into the output arrays (kind ``"array"``);
    the others are returned as a tuple of floats (``"fixed"``). ``ones``: number-of-servers symbols equal
    to 1 in the calls this kernel serves (their :math:`C(c, a)/a` is 1: no
    call, and the loop vectorizes). ``below``: indices of outputs the caller
    needs only to know to be below ``limit`` at every point (a station's
    utilization, which decides saturation): a varying one is not written to an
    array (kind ``"checked"``); the kernel returns, after the fixed outputs,
    one flag that is True if any of them is not below ``limit`` (or NaN) at
    some point. An or-reduction of comparisons: the loop still vectorizes.
    """
    import sympy as sp

    ndim, *lv, _ = levels
    exprs = _one_server(exprs, set(ones))
    order = [s for s in symbols if s in varying]
    level_of = dict(zip(order, lv))
    servers = [c for c in erlang_servers(exprs, varying) if c in symbols]  # fixed: gammaln once per call
    printer = _printer(frozenset(servers))
    varies = [bool(e.free_symbols & varying) for e in exprs]
    reduced = [v and k in below for k, v in enumerate(varies)]
    loop = [e for e, v, r in zip(exprs, varies, reduced) if v and not r] + \
        [e for e, r in zip(exprs, reduced) if r]
    fixed = [e for e, v in zip(exprs, varies) if not v]
    written = sum(varies) - sum(reduced)
    outs = [f"out{k}" for k in range(max(written, 1))]
    rename = {s: sp.Symbol(s.name + "_") for s in order}
    lines = [f"def kernel({', '.join(outs + [_ident(s.name) for s in symbols])}):"]
    lines += [f"    _lg_{_ident(c.name)} = _gammaln(float({_ident(c.name)}) + 1.0)" for c in servers]
    if written < len(loop):
        lines.append("    above = False")
    for level, pairs in sorted(_levels(loop, set(order), level_of, ndim).items()):
        body = "    " * (level + 2)
        if level >= 0:
            lines.append(f"{'    ' * (level + 1)}for i{level} in range(out0.shape[{level}]):")
        idx = ", ".join(f"i{k}" if k <= level else "0" for k in range(ndim))
        for s in order:
            if level_of[s] == level:
                lines.append(f"{body}{_ident(s.name)}_ = {_ident(s.name)}[{idx}]")
        subs, rest = sp.cse([e for _, e in pairs], symbols=sp.numbered_symbols(f"_cse{level + 1}_"),
                            order="none")
        for sym, e in subs:
            lines.append(f"{body}{_ident(sym.name)} = {printer.doprint(e.xreplace(rename))}")
        for (target, _), e in zip(pairs, rest):
            value = printer.doprint(sp.sympify(e).xreplace(rename))
            if not isinstance(target, tuple):
                lines.append(f"{body}{_ident(target.name)} = {value}")
            elif target[1] < written:
                lines.append(f"{body}out{target[1]}[{idx}] = {value}")
            else:
                lines.append(f"{body}above |= not ({value} < {float(limit)!r})")
    lines.append("    return (" + "".join(f"float({printer.doprint(e)}), " for e in fixed)
                 + ("above, " if written < len(loop) else "") + ")")
    kinds = ["checked" if r else "array" if v else "fixed" for v, r in zip(varies, reduced)]
    return "\n".join(lines) + "\n", kinds


def signature(symbols, varying, args, shape) -> tuple:
    """``(ndim, level, ..., layout)``: for each varying argument the innermost axis of ``shape`` it
    changes along; ``"C"`` when every varying argument is C-contiguous of the full shape (the
    loop then vectorizes), else ``"A"``."""
    ndim = len(shape)
    out = [ndim]
    contiguous = True
    for s, a in zip(symbols, args):
        if s in varying:
            dims = (1,) * (ndim - np.ndim(a)) + np.shape(a)
            out.append(max((k for k, n in enumerate(dims) if n > 1), default=-1))
            contiguous = contiguous and np.shape(a) == tuple(shape) and a.flags.c_contiguous
    return tuple(out) + ("C" if contiguous else "A",)


class Kernel:
    """The fused kernel of one array stage (compiled per :func:`signature`, on demand)."""

    def __init__(self, exprs, symbols, varying_names):
        self.exprs = tuple(exprs)
        self.symbols = tuple(symbols)
        self.varying = frozenset(s for s in self.symbols if s.name in varying_names)
        self.servers = [(k, s) for k, s in enumerate(self.symbols) if s in erlang_servers(self.exprs, self.varying)]
        self._builds = Builds(self._build, "virtmodel-kernel-compile")  # signature -> (dispatcher, kinds)

    def signature(self, args, shape, below=frozenset(), limit=1.0) -> tuple:
        """:func:`signature`, then the :func:`erlang_servers` equal to 1 at ``args``, then the
        outputs only checked against a limit and the limit (``below``, ``limit``: see
        :func:`kernel_source`)."""
        ones = tuple(s.name for k, s in self.servers if float(args[k]) == 1.0)
        return signature(self.symbols, self.varying, args, shape) + (ones, (frozenset(below), float(limit)))

    def _build(self, sig):
        import math

        import numba

        ones = {s for _, s in self.servers if s.name in sig[-2]}
        source, kinds = kernel_source(self.exprs, self.symbols, self.varying, sig[:-2], ones, *sig[-1])
        erlang, minimum, erlang_lg, log_gamma = _special()
        namespace = {"math": math, "_erlang": erlang, "_minimum": minimum, "_erlang_lg": erlang_lg,
                     "_gammaln": log_gamma}
        exec(compile(source, f"<virtmodel kernel {sig}>", "exec"), namespace)
        fn = numba.njit(nogil=True, error_model="numpy", cache=False)(namespace["kernel"])
        ndim, layout = sig[0], sig[-3]
        out = numba.types.Array(numba.float64, ndim, "C")
        arg = numba.types.Array(numba.float64, ndim, layout, readonly=True)
        fn.compile(tuple([out] * max(kinds.count("array"), 1)
                         + [arg if s in self.varying else numba.float64 for s in self.symbols]))
        fn.disable_compile()  # calls convert to this one signature: no compile on the caller's thread
        return fn, kinds

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

    def started(self) -> tuple:
        """The signatures whose kernel has been requested (compiled, compiling or failed)."""
        return self._builds.started()

    def error(self, sig):
        """The exception that kept this signature's kernel from compiling, or None."""
        got = self._builds.peek(sig)
        return got if isinstance(got, Exception) else None

    def __call__(self, args, shape, sig, out=None) -> tuple:
        """``(outputs, above)`` at ``args`` (arrays and 0-d): full arrays for varying outputs, 0-d
        for fixed ones, None for the checked ones (:func:`kernel_source`'s ``below``); ``above``
        True if a checked one is not below its limit somewhere, None if none was checked.

        ``out``: ``{output index: array}``, C-contiguous float arrays of ``shape`` that a varying
        output is written into (and returned as) instead of a new array."""
        fn, kinds = self._builds.peek(sig)
        out = out or {}
        outs = [out[k] if k in out else np.empty(shape) for k, kind in enumerate(kinds) if kind == "array"] \
            or [np.empty(shape)]  # loops read out0's shape
        params = [(a if sig[-3] == "C" else np.broadcast_to(a, shape)) if s in self.varying else float(a)
                  for s, a in zip(self.symbols, args)]
        numbers = fn(*outs, *params)
        fixed, arrays = iter(numbers), iter(outs)
        pick = {"array": lambda: next(arrays), "fixed": lambda: np.asarray(next(fixed)), "checked": lambda: None}
        out = [pick[k]() for k in kinds]
        return out, (bool(numbers[-1]) if "checked" in kinds else None)


def wanted(points: int, ndim: int) -> str | None:
    """``"now"`` (wait for the kernel), ``"if ready"``, or None: what the settings say for this array."""
    mode = _SETTINGS["mode"]
    if mode == "numpy" or ndim == 0 or points < _SETTINGS["min_points"]:
        return None
    if mode == "numba":
        return "now"
    return "if ready" if available() else None


__all__ = ["available", "configure", "settings", "using", "Kernel", "kernel_source", "wanted"]
