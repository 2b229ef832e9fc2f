"""A student works through the assignment in JupyterLab (real Chromium); the instructor grades it."""

from __future__ import annotations

import re

import flow
import nbformat
import pytest
from nbgrader.api import Gradebook

from course.paths import ASSIGNMENT

pytestmark = pytest.mark.browser


def _test_points(course, exercise: int) -> float:
    """Autograded points of an exercise's test cells, read from the instructor notebook."""
    nb = nbformat.read(course.source_notebook(), as_version=4)
    return sum(
        c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(f"ex{exercise:02d}_")
        and c.metadata["nbgrader"].get("grade")
        and not c.metadata["nbgrader"].get("solution")
    )


def test_student_fetches_answers_validates_submits_and_gets_exactly_earned_score(
    course, exchange, student_lab, page
):
    flow.instructor_release(course, exchange)

    run = flow.student_session(page, student_lab, course.release_notebook())

    # The nbgrader labextension is active; student-setup hid the instructor-only entries.
    assert "Assignment List" in run.nbgrader_menu
    assert not any("Formgrader" in item for item in run.nbgrader_menu), run.nbgrader_menu

    # What the student saw: PASS for the right answers, FAIL with a hint for the planted mistake.
    setup = "".join(out for cell, out in run.outputs.items() if cell.startswith("setup"))
    assert "Plot setup complete." in setup and "Check helpers ready." in setup
    assert "PASS - B x T ids become B x T x d vectors" in run.outputs["ex01_embed_tests"]
    assert "FAIL - offset arithmetic is consistent" in run.outputs["ex04_analogy_target_tests"]
    assert "hint: the relation is b - a" in run.outputs["ex04_analogy_target_tests"]
    assert "PASS - centering removes mean vector" in run.outputs["ex05_center_tests"]
    assert "FAIL" not in run.outputs["ex01_embed_tests"] + run.outputs["ex05_center_tests"]

    # The "check my work" scoreboard: every visible check run so far, and the visible points.
    board = run.outputs["check_my_work"]
    assert re.search(r"Exercise 1 +PASS", board) and re.search(r"Exercise 5 +PASS", board)
    assert re.search(r"Exercise 4 +FAIL +offset arithmetic is consistent", board)
    assert re.search(r"Exercise 10 +NOT RUN", board)
    assert "Visible points: 3 / 20" in board

    # Validate runs the whole notebook: the wrong and unanswered exercises fail, the right ones don't.
    dialog = run.validate_dialog
    assert "The following cell failed:" in dialog
    assert 'header("Exercise 4: Analogy arithmetic")' in dialog
    assert 'header("Exercise 10: Parameter count")' in dialog
    # an unwritten function fails its first check by name (the FAIL line in the cell names the stub)
    assert "CheckFailed: tying halves input/output embedding table parameters" in dialog
    assert 'header("Exercise 1: Embedding lookup")' not in dialog
    assert 'header("Exercise 5: Centering anisotropy")' not in dialog

    assert ASSIGNMENT in run.submitted_row
    saved = nbformat.read(student_lab.work / ASSIGNMENT / "exercises.ipynb", as_version=4)
    typed = "\n".join(c.source for c in saved.cells)
    for answer in flow.ANSWERS:
        for line in answer.lines:
            assert line in typed

    students = flow.instructor_collect_and_grade(course, exchange)
    assert students == [flow.STUDENT]
    assert (course.submission_dir(flow.STUDENT) / "exercises.ipynb").exists()

    earned = sum(_test_points(course, a.exercise) for a in flow.ANSWERS if a.correct)
    assert earned == 3  # ex01 (1 point) + ex05 (2 points); ex04's 2 points are lost
    with Gradebook(course.db_url) as gb:
        submission = gb.find_submission(ASSIGNMENT, flow.STUDENT)
        assert submission.score == earned
        for answer in flow.ANSWERS:
            cell = gb.find_grade(f"{answer.answer_id}_tests", "exercises", ASSIGNMENT, flow.STUDENT)
            assert cell.score == (cell.max_score if answer.correct else 0), answer.answer_id
