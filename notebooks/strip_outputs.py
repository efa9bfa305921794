"""Strip outputs from the notebooks before they are committed.

Usage (from the repository root)::

    python notebooks/strip_outputs.py              # strip every notebooks/*.ipynb in place
    python notebooks/strip_outputs.py a.ipynb ...  # strip these
    python notebooks/strip_outputs.py --check      # list dirty notebooks, exit 1 if any

A clean notebook has no outputs, no execution counts, no saved widget state
(``metadata.widgets``) and the ``python3`` kernelspec, so a diff shows only
what a person wrote. The stripping is nbstripout's (the ``test`` extra);
``tests/test_notebooks.py`` checks the result with :func:`problems`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
#: per-cell metadata written by front-ends while running (not authored content)
_RUNTIME_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def problems(nb) -> list[str]:
    """What keeps ``nb`` from being stored clean (empty list: clean)."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            out.append(f"cell {i}: has outputs")
        if cell.get("execution_count") is not None:
            out.append(f"cell {i}: has an execution count")
    if "widgets" in nb.metadata:
        out.append("metadata: saved widget state")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        out.append("metadata: kernelspec is not python3")
    return out


def strip(nb):
    """Remove outputs, execution counts and run-time metadata from ``nb`` (nbstripout, in place).

    Returns ``nb``.
    """
    from nbstripout import strip_output

    strip_output(nb, keep_output=False, keep_count=False, keep_id=True,
                 extra_keys=["metadata.widgets", *(f"cell.metadata.{key}" for key in _RUNTIME_CELL_METADATA)])
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.setdefault("language_info", {"name": "python"})
    return nb


def strip_file(path) -> bool:
    """Strip one notebook file in place; True if it changed."""
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    nb = strip(nbformat.reads(before, as_version=4))
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after, encoding="utf-8")
        return True
    return False


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [Path(a) for a in args if a != "--check"] or sorted(HERE.glob("*.ipynb"))
    dirty = 0
    for path in paths:
        if check:
            found = problems(nbformat.read(path, as_version=4))
            for p in found:
                print(f"{path}: {p}")
            dirty += bool(found)
        elif strip_file(path):
            print(f"stripped {path}")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main())
