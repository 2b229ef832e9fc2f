"""Planted answers for making student notebooks: correct, blank, or a named misconception.

Used by the tests (every misconception must fail its own exercise and no other), the demo class
and the benchmarks. Correct answers are the instructor's own solution regions from source/, so
nothing here repeats the solutions; a misconception swaps one function's solution for a
realistic wrong body.

Runs in: the grader/CLI process (tests, the demo, benchmarks).
"""

from __future__ import annotations

import copy
import importlib
import re
from pathlib import Path

import nbformat

from course.nb import (
    Delimiters,
    drop_delimiter_lines,
    exercise_number,
    grade_id,
    is_answer_cell,
    is_written_answer,
    load_config,
    region_spans,
)
from course.paths import CourseDir

from .catalog import CORRECT_VARIANTS, HIDDEN_ONLY, MISCONCEPTIONS, Misconception  # noqa: F401

_DEF = re.compile(r"^def\s+(\w+)\s*\(")

# Each further assignment keeps its planted answers in a package of its own: module path ->
# MISCONCEPTIONS (wrong bodies) and UNUSUAL (correct bodies written unusually).
_PLANTED_ELSEWHERE = {
    "attention_math": (
        "course.authoring.attention_math.planted",
        "course.authoring.attention_math.unusual",
    ),
    "training_math": ("course.authoring.planted.training_math",) * 2,
}


def misconceptions_for(assignment: str) -> dict[str, Misconception]:
    """The planted misconceptions of one assignment, by name."""
    if assignment in _PLANTED_ELSEWHERE:
        return importlib.import_module(_PLANTED_ELSEWHERE[assignment][0]).MISCONCEPTIONS
    return MISCONCEPTIONS


def planted_for(assignment: str) -> dict[str, Misconception]:
    """Every named planted answer of one assignment (wrong, hidden-only, unusual correct)."""
    if assignment in _PLANTED_ELSEWHERE:
        wrong, unusual = (importlib.import_module(m) for m in _PLANTED_ELSEWHERE[assignment])
        return {**wrong.MISCONCEPTIONS, **unusual.UNUSUAL}
    return PLANTED


WRITTEN_ANSWER = "The embedding geometry matters for the model: (a student's written explanation)."


def _solution_cells(course: CourseDir, assignment: str, notebook: str) -> dict[str, str]:
    """grade_id -> the instructor's answer cell, solution delimiters still in."""
    src = nbformat.read(course.source_notebook(assignment, notebook), as_version=4)
    return {grade_id(c): c.source for c in src.cells if is_answer_cell(c)}


def _with_body(cell_source: str, function: str, body: str, solution: tuple[str, str]) -> str:
    """Replace the solution region inside top-level `def function` with body (delimiter
    lines included), indented like the region's begin line."""
    lines = cell_source.split("\n")
    for begin, end in reversed(list(region_spans(lines, solution))):
        defs = (_DEF.match(line) for line in reversed(lines[:begin]))
        owner = next((m.group(1) for m in defs if m), None)
        if owner == function:
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            lines[begin : end + 1] = [indent + ln if ln else ln for ln in body.splitlines()]
    return "\n".join(lines)


def student_notebook(
    answers: dict[int, str] | None = None,
    course: CourseDir = CourseDir(),
    assignment: str = "embedding_space_math",
    notebook: str = "exercises",
    written: bool = True,
):
    """A student's notebook built from the release.

    answers maps exercise number -> "correct", "blank", the name of one of the assignment's
    planted answers (planted_for), or a Misconception itself; exercises not named stay blank.
    written=True also fills the manually graded answers of answered exercises.
    """
    answers = answers or {}
    nb = nbformat.read(course.release_notebook(assignment, notebook), as_version=4)
    nb = copy.deepcopy(nb)
    solutions = _solution_cells(course, assignment, notebook)
    solution = Delimiters.from_config(load_config(course.root)).solution
    for cell in nb.cells:
        ex = exercise_number(grade_id(cell))
        choice = answers.get(ex, "blank") if ex else "blank"
        if choice == "blank":
            continue
        if is_answer_cell(cell):
            source = solutions[grade_id(cell)]
            if choice != "correct":
                wrong = (
                    choice if isinstance(choice, Misconception) else planted_for(assignment)[choice]
                )
                if wrong.exercise != ex:
                    raise ValueError(
                        f"misconception {choice} belongs to exercise {wrong.exercise}, not {ex}"
                    )
                source = _with_body(source, wrong.function, wrong.body, solution)
            cell.source = drop_delimiter_lines(source, solution).rstrip("\n")
        elif is_written_answer(cell) and written:
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
