"""A metric as a chain of named steps, the way a lecturer writes it: from the technique's costs to the metric.

``derivation(model, "mean_latency")`` gives, for each station on the path,
its demand :math:`S_i` (from the technique's costs), service variance
:math:`\\sigma_i^2`, arrival rate :math:`\\lambda_i`, utilization
:math:`\\rho_i = \\lambda_i S_i / c_i`, the Erlang C probability of waiting
:math:`C_i = C(c_i, \\lambda_i S_i)` where it has more than one server, and its
response time :math:`R_i` by its named formula (Pollaczek-Khinchine for one
server, Allen-Cunneen with Erlang C for several; the queueing core's
:func:`~virtmodel.queueing.mgc.allen_cunneen`, so the formula is the model's
own), then the path's delay and the sum. ``overhead`` and
``low_load_slowdown`` add native's chain and the ratio; ``throughput_limit``,
``capacity_ratio`` and ``cpu_per_request`` are built from the demands (with the
wake-up terms of :mod:`virtmodel.techniques.notifications` as the model evaluates them:
``low_load_slowdown`` takes the demands at :math:`\\lambda = 0`, the limit of a station whose
demand grows with the load is the root of :math:`\\lambda S(\\lambda) = c/m`, and
``cpu_per_request`` adds the work paid off the queues, :math:`W`); any
other symbolic metric is the demands and then its expression.

:meth:`Derivation.latex` writes each step as its own numbered equation
(``align``, broken to the page width), with ``numbers=True`` each followed by
the step with the numbers put in and its value with its unit; a glossary of
every symbol follows. :meth:`Derivation.values` evaluates the steps in order;
:meth:`Derivation.expanded` substitutes them back, which is the model's own
expression (the tests check both against ``Model.evaluate``).

>>> from virtmodel.model import Model
>>> d = derivation(Model("sriov", "small_packet_rr"), "mean_latency")
>>> [s.key for s in d.steps][:4]
['S_guest', 'var_guest', 'lambda_guest', 'rho_guest']
>>> abs(d.values()["R"] - Model("sriov", "small_packet_rr").evaluate("mean_latency")) < 1e-15
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from .errors import ParameterError, SymbolicUnsupportedError
from .latex import ARTICLE_WIDTH, ERLANG_C, glossary_table, unit_latex
from .latex_layout import align_rows
from .metrics import metric as _metric_info
from .queueing.erlang_function import ErlangCOverLoad, erlang_c_over_load
from .queueing.mgc import allen_cunneen
from .symbols import latex_names, registry, symbol
from .units import engineering_unit


class ErlangC(sp.Function):
    """:math:`C(c, a)`, Erlang C, as one printed symbol (the model keeps :math:`a\\,K(c, a)`)."""

    nargs = 2

    def _latex(self, printer, exp=None):
        c, a = (printer._print(arg) for arg in self.args)
        body = rf"C\left({c}, {a}\right)"
        return rf"{body}^{{{exp}}}" if exp else body

    def _eval_evalf(self, prec):
        c, a = self.args
        if c.is_number and a.is_number:
            return sp.Float(float(erlang_c_over_load(float(c), float(a))) * float(a), prec)
        return None

    def as_model(self):
        c, a = self.args
        return a * ErlangCOverLoad(c, a)


@dataclass(frozen=True)
class Step:
    """One named quantity: ``key`` (its symbol's name), ``lhs`` LaTeX, ``expr`` over parameters and
    earlier steps, ``meaning``, ``unit`` and the ``formula`` it is (``"Pollaczek-Khinchine (M/G/1)"``)."""

    key: str
    lhs: str
    expr: Any
    meaning: str
    unit: str
    formula: str = ""

    @property
    def symbol(self):
        return _sym(self.key)


def _sym(key: str):
    return sp.Symbol("step_" + key, real=True)


class _Chain:
    def __init__(self):
        self.steps = []

    def add(self, key, lhs, expr, meaning, unit, formula=""):
        self.steps.append(Step(key, lhs, expr, meaning, unit, formula))
        return _sym(key)


def _stations(chain, stations, tag: str = "", latency: bool = True, at_zero: bool = False) -> list:
    """Steps of each station; returns ``[(name, S, R or None, servers, VMs per station)]`` (a VM's
    resource split over :math:`q` queues: :math:`1/q`). ``at_zero``: the demands at :math:`\\lambda = 0`
    (those that depend on the load, the wake-up terms, at their light-load value)."""
    out = []
    for st in stations:
        n = st.name
        zero = at_zero and st.rate is not None and sp.sympify(st.demand).has(st.rate)   # a load-dependent demand
        suffix = (r",\mathrm{nat}" if tag else "") + (",0" if zero else "")
        words = (" (native)" if tag else "") + (" as the arrival rate goes to 0" if zero else "")
        sub = rf"_{{\mathrm{{{n}}}{suffix}}}"
        s = chain.add(
            f"S_{n}{tag}",
            "S" + sub,
            st.demand.subs(st.rate, 0) if zero else st.demand,
            f"mean service time per request at the {n} station{words}",
            "s",
            "demand from the technique's costs",
        )
        if not latency:
            out.append((n, s, None, st.servers, st.multiplicity / st.splits))
            continue
        v = chain.add(
            f"var_{n}{tag}", r"\sigma^2" + sub, st.variance, f"variance of that service time{words}", "s^2"
        )
        lam = chain.add(
            f"lambda_{n}{tag}",
            r"\lambda" + sub,
            st.arrivals,
            f"arrival rate at the {n} station" + (" (all VMs)" if st.shared else "") + words,
            "1/s",
        )
        c = st.servers
        rho = chain.add(
            f"rho_{n}{tag}",
            r"\rho" + sub,
            lam * s / c,
            f"utilization of the {n} station{words}",
            "1",
            "utilization law",
        )
        if c == 1:
            r = allen_cunneen(lam, s, v, 1, rho)["response_time"]
            formula = "Pollaczek-Khinchine (M/G/1)"
        else:
            pw = chain.add(
                f"C_{n}{tag}",
                "C" + sub,
                ErlangC(c, lam * s),
                f"probability that a request waits at the {n} station{words}",
                "1",
                "Erlang C",
            )
            r = allen_cunneen(lam, s, v, c, pw)["response_time"]
            formula = "Allen-Cunneen (M/G/c)"
        rr = chain.add(
            f"R_{n}{tag}", "R" + sub, r, f"mean response time at the {n} station{words}", "s", formula
        )
        out.append((n, s, rr, c, st.multiplicity / st.splits))
    return out


def _delay(chain, delay, tag=""):
    if sp.sympify(delay) == 0:
        return sp.Integer(0)
    suffix = r"_{\mathrm{nat}}" if tag else ""
    return chain.add(
        "d" + tag,
        r"d" + suffix,
        delay,
        "pure delay on the path (no queueing)" + (" (native)" if tag else ""),
        "s",
    )


def _latency(chain, derived, native: bool):
    tag = "_nat" if native else ""
    stations = derived.native_stations if native else derived.stations
    delay = _native_delay(derived) if native else derived.delay
    rs = _stations(chain, stations, tag)
    d = _delay(chain, delay, tag)
    lhs = r"\bar R_{\mathrm{nat}}" if native else r"\bar R"
    return chain.add(
        "R" + tag,
        lhs,
        sum((r for *_, r, _c, _m in rs), sp.Integer(0)) + d,
        "mean latency" + (" on bare metal" if native else ""),
        "s",
        "sum over the path",
    )


def _native_delay(derived):
    from .symbols import symbols_for
    from .techniques import Native

    return Native().demands(symbols_for(Native)).delay


def _idle(chain, derived, native: bool):
    tag = "_nat" if native else ""
    stations = derived.native_stations if native else derived.stations
    delay = _native_delay(derived) if native else derived.delay
    ss = _stations(chain, stations, tag, latency=False, at_zero=True)
    d = _delay(chain, sp.sympify(delay).subs(symbol("arrival_rate"), 0), tag)
    lhs = r"\bar R_{0,\mathrm{nat}}" if native else r"\bar R_{0}"
    return chain.add(
        "R0" + tag,
        lhs,
        sum((s for _, s, *_ in ss), sp.Integer(0)) + d,
        "mean latency of a lone request (no queueing)" + (" on bare metal" if native else ""),
        "s",
        "sum of the service times and the delay",
    )


def _limit(chain, derived, native: bool):
    """The throughput limit: :math:`c/(m S)` per station, or for a demand linear in the load (the
    interrupts paid outside NAPI's window) the root of :math:`\\lambda S(\\lambda) = c/m` (a step of its own)."""
    tag = "_nat" if native else ""
    stations = derived.native_stations if native else derived.stations
    ss = _stations(chain, stations, tag, latency=False)
    caps, nat = [], (r",\mathrm{nat}" if tag else "")
    for st, (n, s, _r, c, m) in zip(stations, ss):
        if st.rate is not None and sp.sympify(st.demand).has(st.rate):
            caps.append(chain.add(
                f"X_{n}{tag}", rf"X_{{\mathrm{{{n}}}{nat}}}", st.capacity,
                f"largest arrival rate per VM at the {n} station, whose demand grows with the load", "1/s",
                "root of lambda S(lambda) = servers / VMs sharing (interrupts outside NAPI's window)"))
        else:
            caps.append(c / (m * s))
    lhs = r"X_{\max,\mathrm{nat}}" if native else r"X_{\max}"
    return chain.add(
        "X" + tag,
        lhs,
        sp.Min(*caps),
        "largest arrival rate per VM before a station saturates" + (" (native)" if native else ""),
        "1/s",
        "min over stations of servers / (VMs sharing x demand)",
    )


def _build(metric: str, derived, model) -> list:
    chain = _Chain()
    info = _metric_info(metric)
    if metric == "mean_latency":
        _latency(chain, derived, False)
    elif metric in ("overhead", "low_load_slowdown", "capacity_ratio"):
        part = {"overhead": _latency, "low_load_slowdown": _idle, "capacity_ratio": _limit}[metric]
        a, b = part(chain, derived, False), part(chain, derived, True)
        chain.add(metric, info.symbol, a / b, info.description, info.unit, "ratio to native")
    elif metric == "throughput_limit":
        _limit(chain, derived, False)
    elif metric == "cpu_per_request":
        ss = _stations(
            chain, [st for st in derived.stations if st.cores_of in ("guest", "host", "card")], latency=False
        )
        wake = [chain.add(f"W_{kind}", rf"W_{{\mathrm{{{kind}}}}}", expr,
                          f"{kind} CPU per request paid off the queues: wake-ups of an idle vCPU or back-end "
                          "and the interrupts they bring (b p)", "s", "techniques.notifications")
                for kind, expr in (derived.off_queue or {}).items() if sp.sympify(expr) != 0]
        chain.add(
            metric,
            info.symbol,
            sum((s for _, s, *_ in ss), sp.Integer(0)) + sum(wake, sp.Integer(0)),
            info.description,
            info.unit,
            "sum of the CPU stations' demands and the work off the queues",
        )
    else:
        _stations(chain, derived.stations, latency=False)
        chain.add(metric, info.symbol, model.expression(metric).expr, info.description, info.unit)
    return chain.steps


@dataclass(frozen=True)
class Derivation:
    """The steps of one metric of one model (see the module docstring)."""

    model: Any
    metric: str
    steps: tuple

    def step(self, key: str) -> Step:
        """The step called ``key`` (``"R_guest"``)."""
        for s in self.steps:
            if s.key == key:
                return s
        raise ParameterError(
            "key", key, "a step of this derivation", "steps: " + ", ".join(s.key for s in self.steps)
        )

    def simplified(self) -> "Derivation":
        """The same chain with each step's right-hand side put through :func:`sympy.simplify`.

        One step is a handful of operations (a utilization, one station's named
        formula, a sum), so this takes about a second for a whole chain, where
        ``sympy.simplify`` of the flat expression (:meth:`expanded`, hundreds of
        operations with ``Min``/``Max`` and Erlang terms) runs for minutes. The
        steps, their symbols and the metric's value are unchanged.
        """
        steps = tuple(replace(s, expr=sp.simplify(s.expr)) for s in self.steps)
        return replace(self, steps=steps)

    def expanded(self):
        """The last step with every earlier one substituted back: the model's expression for the metric."""
        expr = self.steps[-1].expr
        for s in reversed(self.steps[:-1]):
            expr = expr.xreplace({s.symbol: s.expr})
        return expr.replace(lambda e: isinstance(e, ErlangC), lambda e: e.as_model())

    def values(self, **overrides) -> dict:
        """``{step key: value}`` at the model's parameter values (``overrides`` by name, scalars).

        A station at utilization >= 1 has an infinite response time, and so
        has every step built on it (the model's ``inf``).
        """
        params = self.model.values()
        for name, value in overrides.items():
            if name not in params:
                raise ParameterError(
                    name, value, "a parameter of this model", "valid names: " + ", ".join(sorted(params))
                )
        params.update(overrides)
        subs = {
            i.symbol: sp.Float(params[n]) if not i.symbol.is_integer else sp.Integer(int(params[n]))
            for n, i in registry().items()
            if n in params
        }
        out = {}
        for s in self.steps:
            rho = out.get("rho" + s.key[1:]) if s.key.startswith("R_") else None
            if rho is not None and rho >= 1:  # a saturated station: no steady state
                out[s.key], subs[s.symbol] = math.inf, sp.oo
                continue
            value = sp.sympify(s.expr).xreplace(subs).evalf(30)
            out[s.key] = float(value) if value.is_finite is not False else math.inf
            subs[s.symbol] = sp.Float(out[s.key], 30) if math.isfinite(out[s.key]) else sp.oo
        last = self.steps[-1].key
        if _metric_info(self.metric).saturates and any(
            float(sp.sympify(st.utilization).xreplace(subs).evalf()) >= 1
            for st in self.model._derived.stations
        ):
            out[last] = math.inf
        return out

    def latex(
        self,
        numbers: bool = False,
        *,
        glossary: bool = True,
        width: float = ARTICLE_WIDTH,
        label: str = "",
        **overrides,
    ) -> str:
        """Each step a numbered equation of an ``align`` block (needs amsmath), fitting ``width`` points.

        With ``numbers=True`` each step is followed by the step with the
        model's numbers put in and its value (engineering units); ``overrides``
        set parameters. ``label`` prefixes the ``\\label`` of each step
        (``eq:<label><key>``).
        """
        names = {**latex_names(), **{s.symbol: s.lhs for s in self.steps}}
        values = self.values(**overrides) if numbers else {}
        if numbers:
            params = {**self.model.values(), **overrides}
            shown = {i.symbol: _number(params[n]) for n, i in registry().items() if n in params}
            shown.update({s.symbol: _number(values[s.key]) for s in self.steps})
        rows = []
        for s in self.steps:
            tag = rf" \label{{eq:{label}{s.key}}}"
            rows += align_rows(s.lhs, s.expr, width - 30, names, label=tag)
            if numbers:
                rows[-1] = rows[-1].replace(tag, r" \nonumber")
                rows += (
                    align_rows("", s.expr, width - 30, {**names, **shown}, numbered=False, mul_symbol="dot")
                    if s.expr.free_symbols
                    else []
                )
                rows.append(r"&= " + _quantity(values[s.key], s.unit) + tag)
        text = "\\begin{align}\n" + " \\\\\n".join(f"  {r}" for r in rows) + "\n\\end{align}\n"
        if glossary:
            text += glossary_table(self.glossary(), width)
        return text

    def _repr_latex_(self):
        """The steps for a notebook (MathJax): no labels, which MathJax refuses to define twice."""
        return re.sub(r" \\label\{[^}]*\}", "", self.latex(glossary=False))

    def __repr__(self):
        return (
            f"Derivation({self.metric!r} of {self.model.technique.name}: "
            + ", ".join(s.key for s in self.steps)
            + ")"
        )

    def glossary(self) -> list:
        """``[(latex, meaning, unit)]``: each step, then each parameter, then Erlang C if used."""
        from .latex import glossary_rows

        rows = [(s.lhs, s.meaning + (f" ({s.formula})" if s.formula else ""), s.unit) for s in self.steps]
        params = set().union(*(sp.sympify(s.expr).free_symbols for s in self.steps)) - {
            s.symbol for s in self.steps
        }
        rows += glossary_rows([sp.Add(*params)]) if params else []
        if any(sp.sympify(s.expr).atoms(ErlangC) for s in self.steps) and ERLANG_C not in rows:
            rows.append(ERLANG_C)
        return rows


def _number(value) -> str:
    """A parameter or step value as LaTeX for the substitution row (4 significant digits)."""
    value = float(value)
    if value == int(value) and abs(value) < 1e6:
        return f"{int(value)}"
    text = f"{value:.4g}"
    if "e" in text:  # SymPy puts a power's base in parentheses itself (it sees the ^)
        mantissa, exp = text.split("e")
        text = rf"{mantissa} \cdot 10^{{{int(exp)}}}"
    return text if value >= 0 else rf"\left({text}\right)"


def _quantity(value: float, unit: str) -> str:
    """``29.1\\,\\mu\\mathrm{s}``: a step's value in engineering units."""
    if value == float("inf"):
        return r"\infty"
    scale, shown = engineering_unit([value], unit)
    number = _number(value / scale)
    if not shown:
        return number
    return number + r"\ \text{" + unit_latex(shown).replace("\\textmu{}", "$\\mu$") + "}"


def derivation(model, metric: str = "mean_latency") -> Derivation:
    """The chain of named steps of an open model's ``metric`` (see the module docstring).

    Parameters
    ----------
    model : virtmodel.model.Model
    metric : str
        A symbolic metric of the open model (percentiles and ``bottleneck`` have no closed form).

    Examples
    --------
    >>> from virtmodel.model import Model
    >>> d = derivation(Model("hardware_assist", "small_packet_rr"), "overhead")
    >>> d.steps[-1].key, d.step("R_guest").formula
    ('overhead', 'Allen-Cunneen (M/G/c)')
    """
    from .model import Model

    if not isinstance(model, Model):
        raise ParameterError("model", model, "a virtmodel.model.Model", "e.g. Model(\"sriov\", \"small_packet_rr\")")
    from .metrics import symbolic_names

    _metric_info(metric)  # an unknown name: ParameterError listing the metrics
    if metric not in symbolic_names():
        raise SymbolicUnsupportedError(
            f"{metric} has no closed form to derive; symbolic metrics: " + ", ".join(symbolic_names())
        )
    if getattr(model.workload, "users", 0) > 0:
        raise ParameterError(
            "model", model, "an open model (users = 0)", "a derivation follows the open model"
        )
    return Derivation(model, metric, tuple(_build(metric, model._derived, model)))


__all__ = ["Derivation", "ErlangC", "Step", "derivation"]
