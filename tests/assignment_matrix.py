"""Test machinery every assignment's notebook tests share (tests/test_attention_math.py,
tests/test_training_math.py): the planted-answer matrix in one kernel, and a small class graded by
`nbgrader autograde` and by `course grade`.

The matrix runs in ONE kernel (about 15 s instead of ~2 min for a notebook per planted answer):
the correct answers run once, then for each planted answer its body is swapped in, every
exercise's visible part and hidden part run as separate scored cells, and the correct answer is
swapped back. Scoring is nbgrader's own determine_grade on each cell.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader import utils as nbg_utils

from course.authoring.misconceptions import student_notebook, write_submission
from course.paths import CourseDir

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)\n### END HIDDEN TESTS", re.S)


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def source_nb(assignment: str):
    return nbformat.read(CourseDir().source_notebook(assignment), as_version=4)


def answer_cell(nb, n: int):
    return next(
        c
        for c in nb.cells
        if c.cell_type == "code"
        and meta(c).get("solution")
        and re.match(rf"ex{n:02d}_", meta(c)["grade_id"])
    )


def _scored(source: str, grade_id: str):
    cell_meta = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": cell_meta})


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


def auto_scores(course: CourseDir, assignment: str) -> dict[tuple, float | None]:
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        return {
            (sub.student_id, g.name): g.auto_score
            for sub in gb.find_assignment(assignment).submissions
            for nb in sub.notebooks
            for g in nb.grades
        }


def grade_class_both_ways(
    assignment: str, students: dict[str, tuple[dict, int]], tmp_path: Path
) -> dict[str, CourseDir]:
    """Check that the committed release is what `python -m course release` makes now, then grade
    `students` (name -> (answers, expected autograded total)) with `nbgrader autograde` and with
    `course grade` in two copies of the course, and assert identical scores and the totals.
    Returns the two course copies by grader ("nbgrader", "course")."""
    from course.authoring.release import add_header, generate
    from course.config import load
    from course.grading.run import grade
    from course.nb import nbgrader_env
    from course.paths import new_course

    released = new_course(tmp_path / "released")
    generate(released, assignment)
    term = load(released.root)  # `python -m course release` heads it with course.toml's due date
    add_header(released.release_notebook(assignment), term.title, term.assignment(assignment))
    fresh = nbformat.read(released.release_notebook(assignment), as_version=4)
    committed = nbformat.read(CourseDir().release_notebook(assignment), as_version=4)
    assert [(c.source, meta(c)) for c in fresh.cells] == [
        (c.source, meta(c)) for c in committed.cells
    ], f"release/{assignment} is stale: run `python -m course release {assignment}`"

    courses = {}
    for grader in ("nbgrader", "course"):
        shutil.copytree(released.root, tmp_path / grader)
        courses[grader] = CourseDir(tmp_path / grader)
        for student, (answers, _) in students.items():
            nb = student_notebook(answers, course=courses[grader], assignment=assignment)
            write_submission(nb, courses[grader], student, assignment=assignment)
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", assignment],
        cwd=courses["nbgrader"].root,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = grade(course=courses["course"], assignment=assignment, progress=False)
    assert summary.graded == sorted(students) and not summary.failed

    theirs = auto_scores(courses["nbgrader"], assignment)
    ours = auto_scores(courses["course"], assignment)
    graded_cells = sum(1 for c in source_nb(assignment).cells if meta(c).get("grade"))
    assert len(theirs) == len(students) * graded_cells and ours == theirs
    for student, (_, total) in students.items():
        assert sum(s or 0 for (st, _), s in ours.items() if st == student) == total, student
    return courses
