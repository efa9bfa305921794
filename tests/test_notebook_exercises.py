"""Exercises with worked solutions in every notebook, and the student export without them.

Every ``notebooks/*.ipynb`` (globbed: notebooks added later are held to the same
convention) has at least two markdown cells tagged ``exercise``, each followed by
``solution`` cells with code that checks the answer. The solutions run where
``tests/test_notebooks.py`` executes each notebook whole; here the student
export is checked: no solution cell, the exercises kept, and its code still
parses (its code cells are the notebook's cells that are not solutions).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from virtmodel import notebook_export, notebooks
from virtmodel._cli import UserError

nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = sorted(notebooks.NOTEBOOKS_DIR.glob("*.ipynb"))
MIN_EXERCISES = 2


def _read(path):
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_has_exercises_each_with_a_checked_solution(path):
    nb = _read(path)
    found = notebook_export.exercises(nb)
    assert len(found) >= MIN_EXERCISES, f"{path.name}: {len(found)} exercise cells, want >= {MIN_EXERCISES}"
    assert notebook_export.exercise_problems(nb) == []
    for index, solution in found:
        code = "\n".join(nb.cells[i].source for i in solution if nb.cells[i].cell_type == "code")
        assert "assert" in code, f"{path.name}, exercise in cell {index}: its solution asserts nothing"
        assert nb.cells[index].source.strip(), f"{path.name}, cell {index}: empty exercise"


def test_the_student_export_has_no_solution_and_keeps_every_exercise(tmp_path):
    written = notebook_export.export(student=tmp_path / "student", solutions=tmp_path / "solutions")
    assert [p.name for p in written["student"]] == [p.name for p in NOTEBOOKS]
    for source, student, whole in zip(NOTEBOOKS, written["student"], written["solutions"]):
        original, nb = _read(source), _read(student)
        assert not any(notebook_export.is_solution(c) for c in nb.cells), student.name
        n_solutions = sum(notebook_export.is_solution(c) for c in original.cells)
        assert n_solutions > 0 and len(nb.cells) == len(original.cells) - n_solutions
        assert sum(map(notebook_export.is_exercise, nb.cells)) == len(notebook_export.exercises(original))
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                ast.parse("\n".join(line for line in cell.source.splitlines()
                                    if not line.lstrip().startswith(("%", "!"))))
        assert _read(whole) == original, f"{whole.name}: the solutions version is not the notebook"


def test_student_version_drops_only_solution_cells():
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("intro"),
                                v4.new_markdown_cell("Q1", metadata={"tags": ["exercise"]}),
                                v4.new_markdown_cell("why", metadata={"tags": ["solution"]}),
                                v4.new_code_cell("assert 1 + 1 == 2", metadata={"tags": ["solution"]}),
                                v4.new_code_cell("x = 1")])
    student = notebook_export.student_version(nb)
    assert [c.source for c in student.cells] == ["intro", "Q1", "x = 1"]
    assert len(nb.cells) == 5                                   # the original is untouched
    assert notebook_export.exercises(nb) == [(1, [2, 3])]
    assert notebook_export.exercise_problems(nb) == []


def test_broken_conventions_are_named():
    v4 = nbformat.v4
    lonely = v4.new_notebook(cells=[v4.new_markdown_cell("Q", metadata={"tags": ["exercise"]}),
                                    v4.new_markdown_cell("text"),
                                    v4.new_code_cell("assert True", metadata={"tags": ["solution"]})])
    problems = notebook_export.exercise_problems(lonely)
    assert any("not followed by a solution" in p for p in problems)
    assert any("not right after an exercise" in p for p in problems)
    prose_only = v4.new_notebook(cells=[v4.new_markdown_cell("Q", metadata={"tags": ["exercise"]}),
                                        v4.new_markdown_cell("A", metadata={"tags": ["solution"]})])
    assert any("no code cell" in p for p in notebook_export.exercise_problems(prose_only))


def test_bad_folders_are_refused_with_their_name(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(UserError, match=r"--student .*file.txt.* is a file"):
        notebook_export.export(student=a_file)
    with pytest.raises(UserError, match="same folder"):
        notebook_export.export(student=tmp_path / "x", solutions=tmp_path / "x")
    with pytest.raises(UserError, match="notebooks folder itself"):
        notebook_export.export(solutions=notebooks.NOTEBOOKS_DIR)
    with pytest.raises(UserError, match="at least one folder"):
        notebook_export.export()
    with pytest.raises(UserError, match="--solutions is empty"):
        notebook_export.export(solutions="  ")
    assert not (tmp_path / "x").exists()


def test_the_command_line_exports_and_reports_errors_in_one_line(tmp_path, capsys):
    assert notebooks.main(["export", "--student", str(tmp_path / "s")]) == 0
    assert len(list((tmp_path / "s").glob("*.ipynb"))) == len(NOTEBOOKS)
    assert "student: " in capsys.readouterr().out
    assert notebooks.main(["export", "--student", str(tmp_path / "s" / "01_tour.ipynb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--student" in err and "01_tour.ipynb" in err


def _names(source, kind):
    """Names a cell's code stores (kind=ast.Store, plus imports and defs) or loads (ast.Load)."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, kind):
            found.add(node.id)
        elif kind is ast.Store and isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif kind is ast.Store and isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_student_version_needs_nothing_a_solution_defines(path):
    """A cell left in the student version loads no name that only a solution cell stores."""
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    kept = set().union(*(_names(c.source, ast.Store) for c in code if not notebook_export.is_solution(c)))
    seen_in_solutions = set()
    for cell in code:
        if notebook_export.is_solution(cell):
            seen_in_solutions |= _names(cell.source, ast.Store) - kept
        else:
            missing = _names(cell.source, ast.Load) & seen_in_solutions
            assert not missing, f"{path.name}: a student cell uses {sorted(missing)}, set only in a solution"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_student_version_runs(path, monkeypatch):
    """Without its solutions, each notebook still runs top to bottom (nothing later needs an answer)."""
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    student = notebook_export.student_version(_read(path))
    client = nbclient.NotebookClient(student, timeout=120, kernel_name="python3", allow_errors=False,
                                     extra_arguments=notebooks.KERNEL_ARGUMENTS,
                                     resources={"metadata": {"path": str(notebooks.NOTEBOOKS_DIR)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"student version of {path.name}:\n{error}", pytrace=False)
