"""`python -m course grade`: nbgrader's scores, resumable, robust to broken submissions, Dask.

Each test grades a small class in its own copy of a released course (real nbgrader gradebook,
real kernels, the real sandbox where this machine has one).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.authoring.misconceptions import student_notebook, write_submission
from course.authoring.release import generate
from course.grading.run import grade
from course.nb import nbgrader_env
from course.paths import ASSIGNMENT, NOTEBOOK, REPO, CourseDir, new_course

pytestmark = pytest.mark.slow

ALL = {n: "correct" for n in range(1, 11)}
CLASS = {
    "ada": ALL,
    "blank": {},
    "cosine": {**ALL, 3: "cosine_unnormalised"},
    "half": {n: "correct" for n in range(1, 6)},
}


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> CourseDir:
    course = new_course(tmp_path_factory.mktemp("released") / "course")
    generate(course, ASSIGNMENT)
    return course


def class_copy(released: CourseDir, root: Path, students: dict[str, dict]) -> CourseDir:
    shutil.copytree(released.root, root)
    course = CourseDir(root)
    for student, answers in students.items():
        write_submission(student_notebook(answers), course, student)
    return course


def auto_scores(course: CourseDir) -> dict[tuple, tuple]:
    with Gradebook(course.db_url) as gb:
        return {
            (sub.student_id, nb.name, g.name): (g.auto_score, g.needs_manual_grade)
            for sub in gb.find_assignment(ASSIGNMENT).submissions
            for nb in sub.notebooks
            for g in nb.grades
        }


def output_kinds(path: Path) -> list[list[tuple]]:
    """Per code cell, the kinds of output; how a stream was split into messages is timing."""
    nb = nbformat.read(path, as_version=4)
    return [
        sorted({(o.output_type, o.get("name") or o.get("ename") or "") for o in c.outputs})
        for c in nb.cells
        if c.cell_type == "code"
    ]


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_symlink():
            h.update(os.readlink(path).encode())
        elif path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def test_same_scores_and_autograded_notebooks_as_nbgrader_autograde(released, tmp_path):
    theirs = class_copy(released, tmp_path / "nbgrader", CLASS)
    ours = class_copy(released, tmp_path / "course", CLASS)
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT],
        cwd=theirs.root,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]

    summary = grade(course=ours, assignment=ASSIGNMENT, progress=False)

    assert summary.graded == sorted(CLASS) and not summary.failed
    want, got = auto_scores(theirs), auto_scores(ours)
    assert len(want) == len(CLASS) * 20 and got == want
    assert sum(s for (st, _, _), (s, _) in got.items() if st == "ada" and s) == 20
    for student in CLASS:
        assert output_kinds(ours.autograded_notebook(student)) == output_kinds(
            theirs.autograded_notebook(student)
        )


def _state(course: CourseDir) -> dict:
    try:
        return json.loads((course.autograded / f".grade-state-{ASSIGNMENT}.json").read_text())
    except (FileNotFoundError, ValueError):
        return {}


def test_kill_9_mid_batch_then_rerun_leaves_every_grade_once(released, tmp_path):
    students = {f"s{i}": ALL if i % 2 else {} for i in range(5)}
    course = class_copy(released, tmp_path / "course", students)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "course",
            "--course",
            str(course.root),
            "grade",
            "--workers",
            "1",
            "--quiet",
        ],
        cwd=REPO,
        env=nbgrader_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while not _state(course) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = set(_state(course))
    assert 0 < len(done_before) < len(students), "the kill did not land mid-batch"

    summary = grade(course=course, assignment=ASSIGNMENT, progress=False)

    assert not summary.failed
    assert set(summary.graded) | set(summary.up_to_date) == set(students)
    assert set(summary.graded).isdisjoint(done_before)
    db = sqlite3.connect(course.gradebook)
    per_student = db.execute(
        "SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id"
    ).fetchall()
    duplicates = db.execute(
        "SELECT notebook_id, cell_id, COUNT(*) FROM grade "
        "GROUP BY notebook_id, cell_id HAVING COUNT(*) > 1"
    ).fetchall()
    db.close()
    assert sorted(per_student) == [(s, 1) for s in sorted(students)] and duplicates == []
    scores = auto_scores(course)
    assert len(scores) == 20 * len(students)
    for student, answers in students.items():
        total = sum(s or 0 for (st, _, _), (s, _) in scores.items() if st == student)
        assert total == (20 if answers else 0), student
        assert course.autograded_notebook(student).exists()


def test_broken_submissions_are_reported_and_skipped(released, tmp_path):
    course = class_copy(released, tmp_path / "course", {"ada": ALL})
    bad_json = course.submission_dir("bad_json")
    bad_json.mkdir(parents=True)
    (bad_json / f"{NOTEBOOK}.ipynb").write_text('{"cells": [ not json')
    renamed = course.submission_dir("renamed")
    renamed.mkdir(parents=True)
    nbformat.write(student_notebook(ALL), renamed / f"{NOTEBOOK} (1).ipynb")
    course.submission_dir("empty").mkdir(parents=True)
    linked = course.submission_dir("linked")
    linked.mkdir(parents=True)
    (linked / f"{NOTEBOOK}.ipynb").symlink_to(course.gradebook)  # not the student's to read
    before = tree_digest(course.submitted)

    summary = grade(course=course, assignment=ASSIGNMENT, progress=False)

    assert summary.graded == ["ada"]
    assert set(summary.failed) == {"bad_json", "renamed", "empty", "linked"}
    assert (
        f"{NOTEBOOK}.ipynb" in summary.failed["bad_json"]
        and "invalid" in summary.failed["bad_json"]
    )
    assert (
        "exercises (1).ipynb" in summary.failed["renamed"]
        and "wrong notebook name" in summary.failed["renamed"]
    )
    assert "missing notebook" in summary.failed["empty"]
    assert "symbolic link" in summary.failed["linked"]
    assert "FAILED bad_json" in summary.text()
    assert tree_digest(course.submitted) == before  # submitted/ is never modified
    assert set(s for s, _, _ in auto_scores(course)) == {"ada"}
    # The report shows the grader's reasons, and forgets one once it is fixed and graded.
    from course.results.report import grading_failures

    reasons = dict(grading_failures(ASSIGNMENT, course))
    assert set(reasons) == {"bad_json", "renamed", "empty", "linked"}
    assert reasons["renamed"] == summary.failed["renamed"]
    (renamed / f"{NOTEBOOK} (1).ipynb").rename(renamed / f"{NOTEBOOK}.ipynb")
    grade(course=course, assignment=ASSIGNMENT, progress=False)
    assert "renamed" not in dict(grading_failures(ASSIGNMENT, course))


def test_rerun_grades_only_changes_and_force_regrades_all(released, tmp_path):
    course = class_copy(released, tmp_path / "course", {"ada": ALL, "blank": {}})
    assert grade(course=course, assignment=ASSIGNMENT, progress=False).graded == ["ada", "blank"]

    again = grade(course=course, assignment=ASSIGNMENT, progress=False)
    assert again.graded == [] and again.up_to_date == ["ada", "blank"]

    write_submission(student_notebook(ALL), course, "blank")  # a late resubmission
    changed = grade(course=course, assignment=ASSIGNMENT, progress=False)
    assert changed.graded == ["blank"] and changed.up_to_date == ["ada"]
    assert sum(s or 0 for (st, _, _), (s, _) in auto_scores(course).items() if st == "blank") == 20

    forced = grade(course=course, assignment=ASSIGNMENT, force=True, progress=False)
    assert forced.graded == ["ada", "blank"] and forced.up_to_date == []


def test_dask_local_cluster_of_two_workers(released, tmp_path):
    distributed = pytest.importorskip("distributed")
    course = class_copy(
        released, tmp_path / "course", {"ada": ALL, "blank": {}, "half": CLASS["half"]}
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        summary = grade(
            course=course,
            assignment=ASSIGNMENT,
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    assert summary.graded == ["ada", "blank", "half"] and not summary.failed
    assert "dask" in summary.workers
    totals = {st: 0.0 for st in summary.graded}
    for (st, _, _), (s, _) in auto_scores(course).items():
        totals[st] += s or 0
    assert totals == {"ada": 20, "blank": 0, "half": 7}
