"""Machinery shared by the per-assignment tests of planted answers (test_attention_math,
test_backprop_math): the misconception matrix in ONE kernel, and a small class graded by both
graders.

The matrix: the correct answers run once, then for each planted answer its body is swapped in,
every exercise's visible part and hidden part run as separate scored cells, and the correct answer
is swapped back (about 15 s per assignment instead of ~2 min for a notebook per planted answer).
Scoring is nbgrader's own determine_grade on each cell.
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
    nbgrader = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": nbgrader})


def _test_parts(source, scenario: str, only: int | None = None, visible_only=False) -> list:
    """Each exercise's test cell (or exercise `only`'s) as two scored cells: its visible part, and
    its hidden part alone (a written answer's numbers cell, which has no hidden part, as one part
    "numbers"); with visible_only, the visible parts alone."""
    parts = []
    for cell in source.cells:
        if meta(cell).get("grade") and cell.cell_type == "code":
            n = int(meta(cell)["grade_id"][2:4])
            if only is not None and n != only:
                continue
            if meta(cell)["grade_id"].endswith("_numbers_tests"):
                if not visible_only:
                    parts.append(_scored(cell.source, f"{scenario}|{n}|numbers"))
                continue
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
            parts.append(_scored(visible, f"{scenario}|{n}|visible"))
            if not visible_only:
                hidden = HIDDEN.search(cell.source).group(1)
                parts.append(_scored(hidden, f"{scenario}|{n}|hidden"))
    return parts


def run_matrix(
    assignment: str,
    planted: dict,
    exercises,
    run_dir: Path,
    own_only: dict | None = None,
    own_visible_only: set = frozenset(),
) -> dict[str, dict[tuple[int, str], tuple[float, str]]]:
    """scenario ("correct" or a planted answer's name) -> {(exercise, "visible" | "hidden"):
    (score, printed text)}, every scenario run in one kernel. The answers of `own_only` run their
    own exercise's test parts only (a quicker matrix for answers that cannot affect the others);
    the planted answers named in `own_visible_only` their own exercise's visible part only."""
    source = source_nb(assignment)
    correct = student_notebook({n: "correct" for n in exercises}, assignment=assignment)
    cells = [
        c
        for c in correct.cells
        if c.cell_type == "code"
        and not meta(c).get("grade")
        and not meta(c).get("grade_id", "").endswith("_figure")
    ]
    cells += _test_parts(source, "correct")
    for name, answer in {**planted, **(own_only or {})}.items():
        n = answer.exercise
        swapped = answer_cell(student_notebook({n: answer}, assignment=assignment), n)
        cells.append(nbformat.v4.new_code_cell(swapped.source))
        if name in own_visible_only:
            cells += _test_parts(source, name, n, visible_only=True)
        else:
            cells += _test_parts(source, name, n if name in (own_only or {}) else None)
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


def hint(text: str) -> str:
    """The first `hint:` line a test cell printed ("" if none)."""
    return next((ln.strip() for ln in text.splitlines() if ln.strip().startswith("hint: ")), "")


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
    tmp_path: Path, assignment: str, klass: dict[str, tuple[dict, int]]
) -> tuple[dict[str, CourseDir], dict, dict]:
    """Release `assignment` afresh (asserting the committed release is current), give each student
    of `klass` (student -> (answers, expected autograded total)) a submission, grade one copy of
    the course with `nbgrader autograde` and another with `course grade`, and assert that both
    give every grade the same score and each student the expected total; returns the two courses
    and the auto scores {(student, grade_id): score}."""
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
        for student, (answers, _) in klass.items():
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
    assert summary.graded == sorted(klass) and not summary.failed
    theirs = auto_scores(courses["nbgrader"], assignment)
    ours = auto_scores(courses["course"], assignment)
    graded_cells = sum(1 for c in source_nb(assignment).cells if meta(c).get("grade"))
    assert len(theirs) == len(klass) * graded_cells and ours == theirs
    for student, (_, total) in klass.items():
        assert sum(s or 0 for (st, _), s in ours.items() if st == student) == total, student
    return courses, theirs, ours


def assert_statement_structure(statement: str, n: int, stars: int) -> None:
    """An exercise's statement as the course writes them: stars and points in the heading, then
    why it matters, the typeset definition, the shapes and a worked example."""
    heading = statement.splitlines()[0]
    assert f"({'★' * stars})" in heading and f"{stars} point" in heading
    for part in ("**Why it matters.**", "**Definition.**", "**Shapes.**", "**Worked example.**"):
        assert part in statement, (n, part)


def short_of_full(scores: dict, but: int | None = None) -> dict:
    """The parts of one scenario that did not score full ({(exercise, part): the end of what
    they printed}), leaving out exercise `but` (the planted answer's own)."""
    return {k: text[-400:] for k, (s, text) in scores.items() if s != 1 and k[0] != but}
