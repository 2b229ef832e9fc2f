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
from gradebook_rows import executed_alike, files, student_rows
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
    """Differential: nbgrader's sanitize pass and Autograde conversion run in the workers, the
    grader writes rows; every student row of the gradebook and every autograded/ file is
    what plain `nbgrader autograde` leaves (notebooks up to execution timestamps and how a
    stream was split into messages)."""
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
    assert student_rows(ours.gradebook) == student_rows(theirs.gradebook)
    mine, nbgraders = files(ours.autograded), files(theirs.autograded)
    assert sorted(mine) == sorted(nbgraders) and len(mine) >= len(CLASS)
    for name, data in nbgraders.items():
        if name.endswith(".ipynb"):
            assert executed_alike(mine[name].decode()) == executed_alike(data.decode()), name
        else:
            assert mine[name] == data, name


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


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cluster_ready(address: str, workers: int, timeout_s: float = 120) -> None:
    from distributed import Client

    with Client(address, timeout=timeout_s) as client:
        client.wait_for_workers(workers, timeout=timeout_s)


def test_a_dask_cluster_started_as_a_user_starts_one(released, tmp_path):
    """`dask scheduler` and two `dask worker` processes, as docs/grading.md tells a user to
    start them (here all on 127.0.0.1), then `python -m course grade --scheduler`: the same
    scores as local workers."""
    pytest.importorskip("distributed")
    dask = str(Path(sys.executable).parent / "dask")
    students = {"ada": ALL, "blank": {}, "half": CLASS["half"]}
    on_cluster = class_copy(released, tmp_path / "cluster", students)
    local = class_copy(released, tmp_path / "local", students)
    address = f"tcp://127.0.0.1:{_free_port()}"
    common = ["--no-dashboard"]
    procs = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                address.rsplit(":", 1)[1],
                *common,
            ],
            start_new_session=True,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--host", "127.0.0.1", *common],
                    start_new_session=True,
                    stderr=subprocess.DEVNULL,
                    env=nbgrader_env(),
                )
            )
        _cluster_ready(address, 2)
        cmd = [sys.executable, "-m", "course", "--course", str(on_cluster.root), "grade"]
        proc = subprocess.run(
            [*cmd, ASSIGNMENT, "--scheduler", address, "--quiet"],
            env=nbgrader_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        for p in reversed(procs):
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"on dask cluster {address}" in proc.stdout + proc.stderr
    grade(course=local, assignment=ASSIGNMENT, progress=False)
    got, want = auto_scores(on_cluster), auto_scores(local)
    assert len(got) == 3 * 20 and got == want
    totals = {st: 0.0 for st in students}
    for (st, _, _), (s, _) in got.items():
        totals[st] += s or 0
    assert totals == {"ada": 20, "blank": 0, "half": 7}
