"""Write the API reference pages from the package's ``__all__`` lists (run by ``conf.py``).

Every public module (no dotted part starts with ``_``) that defines ``__all__`` gets one
page, ``api/<module>.rst``. Each exported object is documented once, on the page of the
shortest public module that exports it (``virtmodel.queueing.mm1`` rather than the module
it is defined in); every other page that exports it links there. A name added to an
``__all__`` therefore appears in the reference with no edit here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path


def public_modules(package: str) -> list[str]:
    """Dotted names of the public modules of ``package`` that define ``__all__``, shortest first."""
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=package + "."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    found = [name for name in names if hasattr(importlib.import_module(name), "__all__")]
    return sorted(found, key=lambda name: (name.count("."), name))


def _directive(obj) -> str:
    if inspect.isclass(obj):
        return "autoclass"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj) or callable(obj) and hasattr(obj, "__wrapped__"):
        return "autofunction"
    return "autodata"


def _entry(module: str, name: str, obj) -> str:
    directive = _directive(obj)
    lines = [f".. {directive}:: {module}.{name}"]
    if directive == "autoclass":
        lines.append("   :members:")
    elif directive == "autodata":
        lines.append("   :no-value:")
        lines.append("")
        lines.append(f"   ``{type(obj).__name__}``" + (f" of {len(obj)} items" if hasattr(obj, "__len__")
                                                         and not isinstance(obj, str) else ""))
    return "\n".join(lines)


def _title(text: str) -> list[str]:
    return [text, "=" * len(text), ""]


def write_api(package: str, out: Path) -> list[str]:
    """Write ``out/index.rst`` and one page per public module; return the module names."""
    out.mkdir(parents=True, exist_ok=True)
    modules = public_modules(package)
    home: dict[tuple[str, int], str] = {}   # (name, id(object)) -> module documenting it
    pages: dict[str, str] = {}
    exported = {f"{module}.{name}" for module in modules for name in importlib.import_module(module).__all__}
    for module in modules:
        mod = importlib.import_module(module)
        lines = _title(f"``{module}``") + [f".. automodule:: {module}", "   :no-members:"]
        if module in exported:  # a module named like the function it holds (analysis.compare)
            lines.append("   :no-index:")
        lines.append("")
        here, elsewhere = [], []
        for name in mod.__all__:
            obj = getattr(mod, name)
            key = (name, id(obj))
            if key not in home:
                home[key] = module
                here.append(_entry(module, name, obj))
            else:
                elsewhere.append(f"- :py:obj:`{name} <{home[key]}.{name}>` (documented in "
                                 f":doc:`{home[key]}`)")
        if elsewhere:
            lines += ["Also exported here", "-" * 18, ""] + elsewhere + [""]
        if here:
            lines += ["Defined here", "-" * 12, ""] + ["\n\n".join(here), ""]
        pages[module] = "\n".join(lines) + "\n"
    index = _title("API reference") + [
        "Generated from the ``__all__`` of every public module at build time; each object is",
        "documented once, under the shortest module that exports it, and linked from the others.",
        "", ".. toctree::", "   :maxdepth: 1", ""] + [f"   {module}" for module in modules]
    pages["index"] = "\n".join(index) + "\n"
    for stem, text in pages.items():
        path = out / f"{stem}.rst"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    for stale in out.glob("*.rst"):
        if stale.stem not in pages:
            stale.unlink()
    return modules
