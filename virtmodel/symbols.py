"""Every SymPy symbol of the virtualization model, in one registry.

A symbol is named after the parameter it stands for (``exit_cycles``,
``arrival_rate``), so expressions, ``Model.evaluate(**overrides)`` and the
dataclass fields all use one vocabulary. The registry is built (on first use,
importing SymPy only then) from the :func:`virtmodel._params.param` fields of
:class:`~virtmodel.workload.Workload`, :class:`~virtmodel.platform.Platform`
and every technique. Assumptions follow the field's domain:

==============  ==========================================
positive        ``positive=True`` (rates, times that cannot be 0)
nonnegative     ``nonnegative=True`` (costs and counts that may be 0)
fraction        ``nonnegative=True`` (in [0, 1])
count           ``integer=True, positive=True`` (cores, VMs)
count0          ``integer=True, nonnegative=True``
real            ``real=True`` (an extra cost that may be a saving)
==============  ==========================================

One name, one symbol: a parameter declared by two techniques (``exit_cycles``
in hardware_assist, sriov, nitro) must agree on unit, domain and LaTeX, or the
registry refuses to build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ._params import numeric_fields
from .errors import ParameterError
from .platform import Platform
from .techniques import registered
from .workload import Workload

_ASSUMPTIONS = {
    "positive": dict(positive=True),
    "nonnegative": dict(nonnegative=True),
    "fraction": dict(nonnegative=True),
    "count": dict(integer=True, positive=True),
    "count0": dict(integer=True, nonnegative=True),
    "real": dict(real=True),
}


@dataclass(frozen=True)
class SymbolInfo:
    """A registered symbol: the SymPy ``symbol``, its LaTeX, unit, domain and description."""

    name: str
    symbol: Any
    latex: str
    unit: str
    domain: str
    description: str


def _owners(extra=()) -> tuple:
    owners = (Workload, Platform) + tuple(registered())
    return owners + tuple(o for o in extra if o not in owners)


def build(owners) -> dict:
    """``{name: SymbolInfo}`` of the numeric fields of ``owners`` (parameter dataclasses).

    One name, one symbol: a name declared twice must agree on unit, domain and
    LaTeX, else a :class:`ParameterError` names the parameter and both declarations.
    """
    import sympy as sp

    registry = {}
    for owner in owners:
        for f in numeric_fields(owner):
            m = f.metadata
            if f.name in registry:
                old = registry[f.name]
                if (old.unit, old.domain, old.latex) != (m["unit"], m["domain"], m["latex"]):
                    raise ParameterError(
                        f.name, (m["unit"], m["domain"], m["latex"]),
                        f"declared as elsewhere: unit {old.unit!r}, domain {old.domain!r}, latex {old.latex!r}",
                        f"{owner.__name__} declares a parameter of an existing name differently; "
                        "rename it or match the declaration")
                continue
            symbol = sp.Symbol(f.name, **_ASSUMPTIONS[m["domain"]])
            registry[f.name] = SymbolInfo(f.name, symbol, m["latex"], m["unit"], m["domain"], m["doc"])
    return registry


@lru_cache(maxsize=32)
def _registry_of(owners: tuple) -> dict:
    return build(owners)


def registry() -> dict:
    """``{name: SymbolInfo}`` of every model parameter (workload, platform, registered techniques).

    Cached per set of registered techniques (registering one adds its parameters).
    """
    return _registry_of(_owners())


class _OwnerSymbols:
    """Attribute access to the symbols of the parameters one technique class sees."""

    def __init__(self, registry: dict):
        self._registry = registry

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._registry[name].symbol
        except KeyError:
            raise ParameterError("parameter", name, "a parameter of the workload, the platform or the technique",
                                 "a technique's demands() can read only the parameters it declares with "
                                 "param() and those of Workload and Platform") from None


@lru_cache(maxsize=64)
def symbols_for(technique_cls) -> _OwnerSymbols:
    """The symbols a technique class's ``demands(s)`` receives (registered or not): ``s.exit_cycles``."""
    return _OwnerSymbols(_registry_of(_owners((technique_cls,))))


def info(name: str) -> SymbolInfo:
    """The :class:`SymbolInfo` of ``name`` (ParameterError listing the valid names)."""
    reg = registry()
    if not isinstance(name, str) or name not in reg:
        raise ParameterError("parameter", name, "a model parameter name",
                             "valid names: " + ", ".join(sorted(reg)))
    return reg[name]


def symbol(name: str):
    """The SymPy symbol of a parameter."""
    return info(name).symbol


class Symbols:
    """Attribute access to the symbols: ``S.exit_cycles`` (what techniques receive)."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return symbol(name)


S = Symbols()


def latex_names() -> dict:
    """``{Symbol: LaTeX}`` for ``sympy.latex(expr, symbol_names=...)``."""
    return {i.symbol: i.latex for i in registry().values()}
