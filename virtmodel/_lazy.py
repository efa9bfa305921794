"""A package's public names imported from their submodules on first use (PEP 562).

A package's ``__init__`` gives ``{name: submodule}`` to :func:`lazy_names` and
binds the two functions it returns as its ``__getattr__`` and ``__dir__``.
Then ``package.name``, ``from package import name`` and ``getattr`` import the
submodule when the name is first asked for, and keep the value in the package
(one dictionary lookup afterwards); ``__all__`` and ``dir()`` list the names as
an eager ``__init__`` did, and so do star imports and the API reference. A
submodule that the package did not import is still reachable as an attribute
(``package.submodule`` imports it), as it was when the eager ``__init__`` had
imported it.

One rule of the import system needs care: after loading ``package.sub``, Python
sets the package's attribute ``sub`` to that module. An eager ``__init__``
(``from .mm1 import mm1``) rebinds it to the function at once; a lazy one
could not, since another module may import the submodule first. The package's
class (:class:`LazyPackage`) therefore keeps the name's value: setting an
attribute that is a lazy name to its own submodule stores the submodule's
attribute of that name instead, so ``virtmodel.queueing.mm1`` is the function
whoever imported the module first.

Why: ``virtmodel.model`` and ``virtmodel.queueing`` imported every closed
network, station and the simulation when an open model's first call needed a
few of them (benchmarks/README.md, perf11).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types


class LazyPackage(types.ModuleType):
    """A package module whose attribute named like a lazy name's own submodule stays that name's value."""

    def __setattr__(self, name, value):
        lazy = self.__dict__.get("__lazy_names__")
        if (lazy is not None and lazy.get(name) == name and isinstance(value, types.ModuleType)
                and value.__name__ == f"{self.__name__}.{name}"):
            value = getattr(value, name)
        super().__setattr__(name, value)


def lazy_names(package: str, names: dict):
    """Make ``names`` (``{name: submodule}``, relative to ``package``) lazy attributes of ``package``.

    Returns ``(__getattr__, __dir__)`` for the package's ``__init__`` to bind
    (PEP 562). ``__getattr__`` imports a name's submodule, or a submodule by its
    own name; anything else is an :class:`AttributeError`, as before.
    """
    module = sys.modules[package]
    module.__lazy_names__ = dict(names)
    module.__class__ = LazyPackage

    def __getattr__(name: str):
        source = names.get(name)
        if source is not None:
            value = getattr(importlib.import_module(f"{package}.{source}"), name)
            setattr(module, name, value)
            return value
        if not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}") is not None:
            return importlib.import_module(f"{package}.{name}")  # (the import sets the attribute)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(module.__dict__) | set(names))

    return __getattr__, __dir__
