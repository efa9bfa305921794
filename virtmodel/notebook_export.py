"""Exercises and their worked solutions: the tags, and the student and solutions exports.

A notebook states an exercise in a markdown cell tagged ``exercise``; its worked
solution follows it as one or more cells tagged ``solution`` (a markdown
explanation and a code cell that computes the answer with virtmodel and asserts
it is what the prose says, so running the notebook checks the solution). Tags
are Jupyter's own cell tags (``cell.metadata.tags``), which JupyterLab shows and
edits in its property inspector.

``python -m virtmodel.notebooks export --student DIR [--solutions DIR]`` writes

* the **student** version: every notebook without its ``solution`` cells (the
  exercises stay), for a problem sheet;
* the **solutions** version: every notebook as it is, exercises and solutions.

A notebook added later follows the same two tags; nothing here lists notebooks
by name.
"""

from __future__ import annotations

import copy
from pathlib import Path

from ._cli import UserError

EXERCISE = "exercise"
SOLUTION = "solution"


def tags(cell) -> list:
    """The cell's Jupyter tags (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def is_exercise(cell) -> bool:
    """True for a cell tagged ``exercise``."""
    return EXERCISE in tags(cell)


def is_solution(cell) -> bool:
    """True for a cell tagged ``solution``."""
    return SOLUTION in tags(cell)


def exercises(nb) -> list:
    """``(exercise index, [solution indices])`` for each exercise of ``nb``, in order.

    The solution of an exercise is the run of ``solution`` cells right after it
    (an exercise with none gets an empty list).
    """
    found = []
    for index, cell in enumerate(nb.cells):
        if not is_exercise(cell):
            continue
        following = []
        for later in range(index + 1, len(nb.cells)):
            if not is_solution(nb.cells[later]):
                break
            following.append(later)
        found.append((index, following))
    return found


def exercise_problems(nb) -> list:
    """What keeps ``nb``'s exercises from following the convention (empty list: fine).

    Each exercise is a markdown cell followed by solution cells of which at least
    one is code (the check that runs); no cell is both; no solution cell stands
    outside an exercise's run.
    """
    problems = []
    attached = set()
    for index, solution in exercises(nb):
        cell = nb.cells[index]
        if cell.cell_type != "markdown":
            problems.append(f"cell {index}: an exercise must be a markdown cell")
        if not solution:
            problems.append(f"cell {index}: exercise not followed by a solution cell")
        elif not any(nb.cells[i].cell_type == "code" for i in solution):
            problems.append(f"cell {index}: its solution has no code cell that checks the answer")
        attached.update(solution)
    for index, cell in enumerate(nb.cells):
        if is_exercise(cell) and is_solution(cell):
            problems.append(f"cell {index}: tagged both exercise and solution")
        elif is_solution(cell) and index not in attached:
            problems.append(f"cell {index}: solution cell not right after an exercise")
    return problems


def student_version(nb):
    """A copy of ``nb`` without its ``solution`` cells (``nb`` itself is left as it is)."""
    student = copy.deepcopy(nb)
    student.cells = [cell for cell in student.cells if not is_solution(cell)]
    return student


def _target(text, option) -> Path:
    from ._cli import output_folder
    from .notebooks import NOTEBOOKS_DIR

    try:
        path = output_folder(text)
    except UserError as error:
        raise UserError(str(error).replace("--out", option, 1)) from None
    if path == NOTEBOOKS_DIR.resolve():
        raise UserError(f"{option} {text}: that is the notebooks folder itself; "
                        "name another folder (the sources would be overwritten)")
    return path


def export(student=None, solutions=None, directory=None) -> dict:
    """Write the student and/or solutions version of every notebook in ``directory``.

    Parameters
    ----------
    student, solutions : str or path, optional
        Output folders (created if missing); at least one. They must differ, and
        neither may be the notebooks folder.
    directory : path, optional
        Where the notebooks are (default: the checkout's ``notebooks/``).

    Returns
    -------
    dict
        ``{"student": [paths], "solutions": [paths]}`` for the folders asked for.
    """
    import nbformat

    from .notebooks import NOTEBOOKS_DIR, notebooks

    if student is None and solutions is None:
        raise UserError("name at least one folder: --student DIR and/or --solutions DIR")
    targets = {}
    if student is not None:
        targets["student"] = _target(str(student), "--student")
    if solutions is not None:
        targets["solutions"] = _target(str(solutions), "--solutions")
    if len(set(targets.values())) < len(targets):
        raise UserError(f"--student and --solutions are the same folder ({targets['student']}): "
                        "the solutions would overwrite the student version")
    sources = notebooks(NOTEBOOKS_DIR if directory is None else directory)
    written = {kind: [] for kind in targets}
    for kind, folder in targets.items():
        folder.mkdir(parents=True, exist_ok=True)
        for path in sources:
            nb = nbformat.read(path, as_version=4)
            if kind == "student":
                nb = student_version(nb)
            nbformat.write(nb, folder / path.name)
            written[kind].append(folder / path.name)
    return written


__all__ = ["EXERCISE", "SOLUTION", "exercise_problems", "exercises", "export", "is_exercise",
           "is_solution", "student_version", "tags"]
