"""nbgrader's own cycle (autograde, generate_feedback, export) works on this repository as it is."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from course.authoring.misconceptions import student_notebook, write_submission
from course.authoring.release import generate
from course.nb import nbgrader_env

pytestmark = pytest.mark.slow

PARTIAL = {n: "correct" for n in range(1, 6)}  # exercises 1-5 right, 6-10 blank


def _nbgrader(course, *args):
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course.root,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def test_autograde_feedback_and_export_give_the_expected_scores(course_copy):
    generate(course_copy, "embedding_space_math")
    write_submission(student_notebook({n: "correct" for n in range(1, 11)}), course_copy, "ada")
    write_submission(student_notebook({}), course_copy, "blank")
    write_submission(student_notebook(PARTIAL), course_copy, "partial")

    _nbgrader(course_copy, "autograde", "embedding_space_math")
    with Gradebook(course_copy.db_url) as gb:

        def auto(student):
            nb = gb.find_submission_notebook("exercises", "embedding_space_math", student)
            return {g.name: g.auto_score for g in nb.grades if g.name.endswith("_tests")}

        ada, blank, partial = auto("ada"), auto("blank"), auto("partial")
    assert sum(ada.values()) == 20 and len(ada) == 10
    assert sum(blank.values()) == 0
    assert {k: v for k, v in partial.items() if v} == {
        "ex01_embed_tests": 1,
        "ex02_one_hot_tests": 1,
        "ex03_nearest_neighbor_tests": 1,
        "ex04_analogy_target_tests": 2,
        "ex05_center_tests": 2,
    }

    _nbgrader(course_copy, "generate_feedback", "embedding_space_math")
    for student in ("ada", "blank", "partial"):
        assert (course_copy.feedback / student / "embedding_space_math" / "exercises.html").exists()

    _nbgrader(course_copy, "export", "--to", str(course_copy.root / "grades.csv"))
    rows = {r["student_id"]: r for r in csv.DictReader(open(course_copy.root / "grades.csv"))}
    assert float(rows["ada"]["raw_score"]) == 20 and float(rows["partial"]["raw_score"]) == 7
    assert float(rows["blank"]["raw_score"]) == 0 and float(rows["ada"]["max_score"]) == 30
