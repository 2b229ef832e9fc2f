"""The planted-answer matrix as tests/test_training_math.py asserts it (each misconception caught in
its own exercise only, hints that differ); the notebook helpers and the class graded by both
graders are tests/planted_matrix.py's.

The matrix runs in ONE kernel (about 15 s instead of ~2 min for a notebook per planted answer):
the correct answers run once, then for each planted answer its body is swapped in, every
exercise's visible part and hidden part run as separate scored cells, and the correct answer is
swapped back. Scoring is nbgrader's own determine_grade on each cell.
"""

from __future__ import annotations

import re
from pathlib import Path

from planted_matrix import grade_class_both_ways as both_ways
from planted_matrix import run_matrix

from course.paths import CourseDir


def planted_matrix(
    assignment: str, planted: dict, exercises, run_dir: Path, own_visible_only: set = frozenset()
) -> dict[str, dict[tuple[int, str], tuple[float, str]]]:
    """tests/planted_matrix.py's run_matrix (every planted answer against every exercise; those
    named in `own_visible_only` against their own exercise's visible part only)."""
    return run_matrix(assignment, planted, exercises, run_dir, own_visible_only=own_visible_only)


def first_hint(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip().startswith("hint: ")), "")


def assert_caught_in_its_own_exercise_only(matrix: dict, name: str, wrong) -> None:
    """The planted misconception `wrong` fails a visible check of its own exercise (a FAIL line,
    the cell stopped before its takeaway) with its own hint, fails its hidden tests too, and
    costs no other exercise a point."""
    scores = matrix[name]
    score, text = scores[(wrong.exercise, "visible")]
    assert score == 0, f"{name} ({wrong.why}) passes the visible checks"
    assert re.search(r"^FAIL - .+", text, re.M) and "Takeaway:" not in text, text[-500:]
    assert wrong.hint and wrong.hint in first_hint(text), f"{name}: {first_hint(text)!r}"
    assert scores[(wrong.exercise, "hidden")][0] == 0, f"{name} passes the hidden tests"
    others = {k: s for k, (s, _) in scores.items() if k[0] != wrong.exercise and s != 1}
    assert not others, f"{name} in exercise {wrong.exercise} also fails {others}"


def assert_hints_differ(matrix: dict, misconceptions: dict) -> None:
    """Per-cause hints: two misconceptions of one exercise never print the same hint."""
    seen: dict[tuple[int, str], str] = {}
    for name, wrong in misconceptions.items():
        hint = first_hint(matrix[name][(wrong.exercise, "visible")][1])
        assert (wrong.exercise, hint) not in seen, f"{name}, {seen.get((wrong.exercise, hint))}"
        seen[(wrong.exercise, hint)] = name


def grade_class_both_ways(
    assignment: str, students: dict[str, tuple[dict, int]], tmp_path: Path
) -> dict[str, CourseDir]:
    """tests/planted_matrix.py's grade_class_both_ways, returning the two course copies by grader
    ("nbgrader", "course")."""
    return both_ways(tmp_path, assignment, students)[0]
