"""Small nbgrader assignments written from code: the demo's second assignment and test fixtures.

Runs in the instructor's process (`python -m course demo`) and in tests. The real second
assignment comes from its own branch; until then the demo needs a second assignment that grades
in a fraction of a second, and tests need assignments nobody has seen (their own id, notebook
and points) to prove that adding one needs only source/<id>/ and course.toml. Each exercise is
an answer cell (solution between nbgrader's markers) and a locked test cell worth `points`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from . import shared_cells

_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)[ \t]*\n", re.M)


@dataclass(frozen=True)
class Exercise:
    name: str  # grade_id of the answer cell; the test cell is NAME_tests
    solution: str  # a function whose body is between ### BEGIN/END SOLUTION
    tests: str  # asserts (may hold a hidden region)
    points: int


def _meta(grade_id: str, *, grade: bool, solution: bool, points: int = 0) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def write_assignment(
    folder: Path, title: str, exercises: list[Exercise], notebook: str = "exercises"
) -> Path:
    """Write source/<id>/<notebook>.ipynb (instructor version) and return its path."""
    cells = [
        new_markdown_cell(f"# {title}\n\nWrite each function, then run the test below it."),
        # Every assignment carries the shared setup and check cells (release syncs them).
        *(shared_cells.new_cell(grade_id) for grade_id in shared_cells.SHARED),
    ]
    for ex in exercises:
        cells += [
            new_code_cell(ex.solution, metadata=_meta(ex.name, grade=False, solution=True)),
            new_code_cell(
                ex.tests,
                metadata=_meta(f"{ex.name}_tests", grade=True, solution=False, points=ex.points),
            ),
        ]
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook}.ipynb"
    nbformat.write(nb, path)
    return path


def answered(release_nb: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The release notebook with the answer cells named in `answers` replaced (a student's work)."""
    nb = nbformat.read(release_nb, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def correct_answers(exercises: list[Exercise]) -> dict[str, str]:
    return {ex.name: _MARKERS.sub("", ex.solution) for ex in exercises}


# The demo's second assignment (demo only: never committed under source/).
DOT_PRODUCTS = [
    Exercise(
        "ex01_dot",
        "def dot(u, v):\n    ### BEGIN SOLUTION\n    return sum(a * b for a, b in zip(u, v))\n"
        "    ### END SOLUTION",
        "assert dot([1, 2], [3, 4]) == 11\n### BEGIN HIDDEN TESTS\nassert dot([0, 1], [5, 0]) == 0\n"
        "### END HIDDEN TESTS",
        2,
    ),
    Exercise(
        "ex02_norm",
        "def norm(u):\n    ### BEGIN SOLUTION\n    return sum(a * a for a in u) ** 0.5\n"
        "    ### END SOLUTION",
        "assert abs(norm([3, 4]) - 5) < 1e-9",
        1,
    ),
]
