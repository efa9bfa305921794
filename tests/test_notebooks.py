"""Every notebook in notebooks/ runs top to bottom, headless, and is stored clean.

Each ``notebooks/*.ipynb`` is executed with nbclient on the ``python3`` kernel
(this interpreter's ipykernel), with the inline matplotlib backend, from the
notebooks folder (as Binder and JupyterLab run it). A cell that raises fails
the test with the cell's traceback. Widgets are built but nobody moves them,
so a notebook must not need a live front-end to run.

How long they take is measured, not asserted: the budget of
``shared/design/performance.md`` (all notebooks within 3 minutes) is a target of
``benchmarks/run_all.py`` (area ``notebooks``), measured on a quiet machine. A test
that asserted it failed whenever other work shared the cores (the suite runs its files
side by side), which says nothing about the notebooks. Each execution's time is
printed (``pytest -s``).

Stored clean: no outputs, no execution counts, no saved widget state, the
python3 kernelspec (``python notebooks/strip_outputs.py`` makes it so).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from repo_scripts import load_script

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120          # seconds per cell


def _strip_module():
    return load_script("notebooks/strip_outputs.py")


def _ids(paths):
    return [p.name for p in paths]


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOKS_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    problems = _strip_module().problems(nb)
    assert not problems, f"{path.name} is not clean (run python notebooks/strip_outputs.py): {problems}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_executes(path, monkeypatch):
    # The inline backend, whatever the environment asks for (no GUI, no ipympl needed).
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})  # the kernel inherits os.environ
    with client.setup_kernel():
        start = time.perf_counter()
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        except nbclient.exceptions.CellExecutionError as error:
            pytest.fail(f"{path.name}, cell {index}:\n{error}", pytrace=False)
        elapsed = time.perf_counter() - start
    print(f"{path.name}: {elapsed:.1f} s")


def test_strip_outputs_cleans_a_notebook(tmp_path):
    """The strip script removes outputs, counts and widget state, and sets the kernelspec."""
    strip = _strip_module()
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# t"), v4.new_code_cell("1 + 1")])
    nb.cells[1].outputs = [v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    nb.cells[1].execution_count = 1
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    path = tmp_path / "dirty.ipynb"
    nbformat.write(nb, path)
    assert strip.problems(nbformat.read(path, as_version=4))
    assert strip.main(["--check", str(path)]) == 1
    assert strip.strip_file(path) is True
    clean = nbformat.read(path, as_version=4)
    assert strip.problems(clean) == []
    assert clean.cells[1].source == "1 + 1"
    assert strip.strip_file(path) is False          # idempotent
    assert strip.main(["--check", str(path)]) == 0
