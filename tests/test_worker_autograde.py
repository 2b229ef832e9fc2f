"""The worker's half of nbgrader's Autograde (course.worker.autograde) and what the grader
sends it: the rows SaveAutoGrades would save, a gradebook copy without students' rows, and the
context's bulk sent once per worker process. End to end against `nbgrader autograde`:
tests/test_grade.py."""

from __future__ import annotations

import base64
import sqlite3

import pytest
from nbformat.v4 import new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ComputeChecksums
from tiny import answer, locked_test, notebook, stream, written

from course.errors import GradingError
from course.grading.pools import WorkerProcess
from course.grading.writer import _assignment_snapshot
from course.sandbox.limits import Limits
from course.worker import autograde
from course.worker.autograde import RecordAutoGrades, Snapshot, SnapshotGradebook


def _rows(nb):
    _, resources = RecordAutoGrades().preprocess(nb, {})
    return resources["autograde_rows"]


def test_rows_are_what_save_autogrades_computes():
    nb = notebook(
        answer("raise NotImplementedError()"),
        locked_test("check()", "t_pass", points=2),
        locked_test("check()", "t_error", points=3),
        written(),
    )
    nb, _ = ComputeChecksums().preprocess(nb, {})  # as in the release: answers unchanged
    nb.cells[1].outputs = [stream("PASS\n")]
    error = new_output("error", ename="AssertionError", evalue="", traceback=[])
    nb.cells[2].outputs = [error]
    assert _rows(nb) == {
        "grades": {"t_pass": 2.0, "t_error": 0, "ex01_explain": 0},
        "comments": {"ex01_f": "No response.", "ex01_explain": "No response."},
    }
    nb.cells[0].source = "def f(x):\n    return x"  # answered: no automatic comment
    nb.cells[3].source = "Because the norm is one."  # a written answer needs a person
    assert _rows(nb) == {
        "grades": {"t_pass": 2.0, "t_error": 0, "ex01_explain": None},
        "comments": {"ex01_f": None, "ex01_explain": None},
    }


@pytest.fixture(scope="module")
def gradebook_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('gb') / 'gradebook.db'}"
    with Gradebook(url) as gb:
        gb.add_assignment("ps1")
        gb.add_notebook("exercises", "ps1", kernelspec='{"name": "python3"}')
        gb.add_grade_cell("t1", "exercises", "ps1", max_score=2, cell_type="code")
        gb.add_student("ada", first_name="Ada")
        gb.add_submission("ps1", "ada")
    return url


@pytest.mark.slow  # nbgrader creates a gradebook: ~1.5 s
def test_snapshot_holds_the_assignment_and_no_student(gradebook_url):
    url = gradebook_url
    data = _assignment_snapshot(url)
    raw = sqlite3.connect(":memory:")
    raw.deserialize(data)
    for table in ("student", "submitted_assignment", "submitted_notebook", "grade", "comment"):
        assert raw.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)  # noqa: S608
    raw.close()
    Snapshot.current = Snapshot(data)
    try:
        with SnapshotGradebook("sqlite:///unused") as gb:
            assert gb.find_grade_cell("t1", "exercises", "ps1").max_score == 2
            assert gb.find_notebook("exercises", "ps1").kernelspec == '{"name": "python3"}'
            assert gb.students == []
    finally:
        Snapshot.current = None


def test_the_context_bulk_travels_once_per_worker_process():
    worker = WorkerProcess(Limits())
    context = {"key": "k1", "assignment": "ps1", "config": {"a": 1}, "snapshot": "Ynl0ZXM="}
    request = {"id": "ada", "autograde": context}
    assert worker._slim(request) is request  # this process does not hold k1 yet
    worker.contexts.add("k1")
    assert worker._slim(request)["autograde"] == {"key": "k1", "assignment": "ps1"}
    assert request["autograde"] is context and "snapshot" in context  # not changed in place
    other = {"id": "ben", "autograde": {**context, "key": "k2"}}
    assert worker._slim(other) is other


@pytest.mark.slow  # shares the gradebook above
def test_a_worker_keeps_its_newest_contexts_and_says_which(gradebook_url, monkeypatch):
    monkeypatch.setattr(autograde, "_CONVERTERS", {})
    data = base64.b64encode(_assignment_snapshot(gradebook_url)).decode()
    keys = [f"k{i}" for i in range(autograde.KEEP + 1)]
    for key in keys:
        autograde.converter({"key": key, "config": {}, "snapshot": data})
    assert autograde.held() == keys[1:]  # the oldest made room
    with pytest.raises(GradingError, match="no gradebook snapshot"):
        autograde.converter({"key": keys[0], "assignment": "ps1"})  # sent slim, not held
    assert autograde.held() == keys[1:]
