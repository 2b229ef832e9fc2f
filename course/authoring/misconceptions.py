"""Planted answers for making student notebooks: correct, blank, or a named misconception.

Used by the tests (every misconception must fail its own exercise and no other), the demo class
and the benchmarks. Correct answers are the instructor's own solution regions from source/, so
nothing here repeats the solutions; a misconception swaps one function's solution for a
realistic wrong body.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from ..paths import CourseDir
from .catalog import CORRECT_VARIANTS, HIDDEN_ONLY, MISCONCEPTIONS, Misconception  # noqa: F401

_SOLUTION = re.compile(r"([ \t]*)### BEGIN SOLUTION\n(.*?)\n[ \t]*### END SOLUTION", re.S)
_DEF = re.compile(r"^def\s+(\w+)\s*\(", re.M)
_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.M)


WRITTEN_ANSWER = "The embedding geometry matters for the model: (a student's written explanation)."


def _exercise_of(cell) -> int | None:
    gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
    match = re.match(r"ex(\d\d)_", gid)
    return int(match.group(1)) if match else None


def _is_answer(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("solution")) and cell.cell_type == "code"


def _solution_cells(course: CourseDir, assignment: str, notebook: str) -> dict[str, str]:
    """grade_id -> the instructor's answer cell with the solution markers removed (a correct answer)."""
    src = nbformat.read(course.source_notebook(assignment, notebook), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in src.cells if _is_answer(c)}


def _with_body(cell_source: str, function: str, body: str) -> str:
    """Replace the solution region inside `def function` with body."""

    def swap(match):
        start = cell_source.rfind("\ndef ", 0, match.start()) + 1
        defined = _DEF.match(cell_source, start)
        if not defined or defined.group(1) != function:
            return match.group(0)
        indent = match.group(1)
        return "\n".join(indent + line if line else line for line in body.splitlines())

    return _SOLUTION.sub(swap, cell_source)


def student_notebook(
    answers: dict[int, str] | None = None,
    course: CourseDir = CourseDir(),
    assignment: str = "embedding_space_math",
    notebook: str = "exercises",
    written: bool = True,
):
    """A student's notebook built from the release.

    answers maps exercise number -> "correct", "blank" or a key of MISCONCEPTIONS, HIDDEN_ONLY or
    CORRECT_VARIANTS (course.authoring.catalog); exercises not named stay blank. written=True also fills the manually graded answers of answered exercises.
    """
    answers = answers or {}
    nb = nbformat.read(course.release_notebook(assignment, notebook), as_version=4)
    nb = copy.deepcopy(nb)
    solutions = _solution_cells(course, assignment, notebook)
    for cell in nb.cells:
        ex = _exercise_of(cell)
        choice = answers.get(ex, "blank") if ex else "blank"
        if choice == "blank":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if _is_answer(cell):
            source = solutions[meta["grade_id"]]
            if choice != "correct":
                wrong = PLANTED[choice]
                if wrong.exercise != ex:
                    raise ValueError(
                        f"misconception {choice} belongs to exercise {wrong.exercise}, not {ex}"
                    )
                source = _with_body(source, wrong.function, wrong.body)
            cell.source = _MARKER.sub("", source).rstrip("\n")
        elif meta.get("solution") and cell.cell_type == "markdown" and written:
            cell.source = WRITTEN_ANSWER
    return nb


PLANTED = {**MISCONCEPTIONS, **HIDDEN_ONLY, **CORRECT_VARIANTS}


def all_correct(**kwargs):
    return student_notebook({n: "correct" for n in range(1, 11)}, **kwargs)


def write_submission(
    nb,
    course: CourseDir,
    student: str,
    assignment: str = "embedding_space_math",
    notebook: str = "exercises",
    timestamp: str | None = None,
) -> Path:
    """Put a notebook where `nbgrader collect` would: submitted/<student>/<assignment>/."""
    folder = course.submission_dir(student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook}.ipynb"
    nbformat.write(nb, path)
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)
    return path
