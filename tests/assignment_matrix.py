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

import nbformat
from nbclient import NotebookClient
from nbgrader import utils as nbg_utils
from planted_matrix import _scored, answer_cell, meta, source_nb
from planted_matrix import grade_class_both_ways as both_ways

from course.authoring.misconceptions import student_notebook
from course.paths import CourseDir

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)\n### END HIDDEN TESTS", re.S)


def scored_parts(assignment: str, scenario: str) -> list:
    """Each exercise's test cell as two scored cells: its visible part, and its hidden part alone."""
    parts = []
    for cell in source_nb(assignment).cells:
        if meta(cell).get("grade") and cell.cell_type == "code":
            n = int(meta(cell)["grade_id"][2:4])
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
            parts.append(_scored(visible, f"{scenario}|{n}|visible"))
            parts.append(_scored(HIDDEN.search(cell.source).group(1), f"{scenario}|{n}|hidden"))
    return parts


def planted_matrix(
    assignment: str, planted: dict, exercises, run_dir: Path, own_visible_only: set = frozenset()
) -> dict[str, dict[tuple[int, str], tuple[float, str]]]:
    """scenario ("correct" or a planted answer's name) -> {(exercise, "visible" | "hidden"):
    (score, printed text)}, all in one kernel. The planted answers named in `own_visible_only`
    run only their own exercise's visible part (a cheap probe of the visible checks alone)."""
    correct = student_notebook({n: "correct" for n in exercises}, assignment=assignment)
    cells = [
        c
        for c in correct.cells
        if c.cell_type == "code"
        and not meta(c).get("grade")
        and not meta(c).get("grade_id", "").endswith("_figure")
    ]
    cells += scored_parts(assignment, "correct")
    for name, answer in planted.items():
        n = answer.exercise
        swapped = answer_cell(student_notebook({n: answer}, assignment=assignment), n)
        cells.append(nbformat.v4.new_code_cell(swapped.source))
        parts = scored_parts(assignment, name)
        if name in own_visible_only:
            parts = [p for p in parts if meta(p)["grade_id"] == f"{name}|{n}|visible"]
        cells += parts
        cells.append(nbformat.v4.new_code_cell(answer_cell(correct, n).source))
    nb = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(
        nb,
        timeout=120,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(run_dir)}},
    ).execute()
    out: dict = {}
    for cell in nb.cells:
        if nbg_utils.is_grade(cell):
            scenario, n, part = meta(cell)["grade_id"].split("|")
            score, _ = nbg_utils.determine_grade(cell)
            text = "".join(
                o.get("text", "") + (f"{o.ename}: {o.evalue}" if "ename" in o else "")
                for o in cell.outputs
            )
            out.setdefault(scenario, {})[(int(n), part)] = (score, text)
    return out


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
