"""course.grading.state and .submissions: resume state, the run lock, pre-checks, extra files."""

from __future__ import annotations

import json

import nbformat
import pytest
from tiny import answer, notebook

from course.errors import GradeRefused, GradingError
from course.grading import submissions
from course.grading.protocol import error_result
from course.grading.run import Grader
from course.grading.state import GradeState, digest, exclusive, save_failures
from course.paths import CourseDir

A = "a1"


@pytest.fixture
def course(tmp_path) -> CourseDir:
    course = CourseDir(tmp_path)
    course.autograded.mkdir()
    return course


def submit(course: CourseDir, student: str, name: str = "exercises.ipynb", text=None) -> None:
    folder = course.submission_dir(student, A)
    folder.mkdir(parents=True)
    (folder / name).write_text(text if text is not None else nbformat.writes(notebook()))


def test_state_remembers_what_was_graded_and_forgets_before_a_write(course):
    state = GradeState(course, A)
    state.graded("ada", "abc")
    assert GradeState(course, A).graded_digest("ada") == "abc"  # saved at once
    state.forget("ada")
    assert GradeState(course, A).graded_digest("ada") is None


def test_digest_changes_with_content_and_names(course):
    submit(course, "ada")
    folder = course.submission_dir("ada", A)
    before = digest(folder)
    (folder / "data.csv").write_text("1,2")
    assert digest(folder) != before


def test_failures_record_keeps_reasons_until_the_submission_grades(course):
    save_failures(course, A, {"ada": "invalid", "ben": "missing"}, graded=[])
    save_failures(course, A, {}, graded=["ada"])
    assert json.loads(course.grade_failures(A).read_text()) == {"ben": "missing"}


def test_a_second_run_is_refused_before_it_writes_anything(course):
    log = course.grade_log(A)
    log.write_text("the run in progress is logging here\n")
    with exclusive(course, A):
        with pytest.raises(GradeRefused, match="another `grade` run"):
            Grader(course.root, A, progress=False).run()
    assert log.read_text() == "the run in progress is logging here\n"
    assert not course.grade_state(A).exists()


def test_precheck_reasons_name_the_file(course):
    submit(course, "wrong", "homework.ipynb")
    submit(course, "broken", text="{not json")
    submit(course, "fine")
    course.submission_dir("empty", A).mkdir(parents=True)
    link = course.submission_dir("linked", A)
    link.mkdir(parents=True)
    (link / "exercises.ipynb").symlink_to(course.submission_dir("fine", A) / "exercises.ipynb")
    found = {
        s: submissions.problem(course, A, s, ["exercises"])
        for s in submissions.find_submissions(course, A)
    }
    assert found["fine"] is None
    assert found["wrong"].startswith("wrong notebook name in submitted/wrong/a1")
    assert found["empty"].startswith("missing notebook: no exercises.ipynb")
    assert found["broken"].startswith("invalid notebook submitted/broken/a1/exercises.ipynb")
    assert "symbolic link" in found["linked"]


def test_precheck_refuses_an_oversized_notebook(course, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_NOTEBOOK_BYTES", 100)
    submit(course, "big", text=nbformat.writes(notebook(answer("x" * 200))))
    assert "MB (limit" in submissions.problem(course, A, "big", ["exercises"])


def test_extra_files_skip_links_hidden_files_and_notebooks(course, monkeypatch, tmp_path):
    submit(course, "ada")
    folder = course.submission_dir("ada", A)
    (folder / "data.csv").write_text("1,2")
    (folder / ".hidden").write_text("x")
    (folder / "passwd").symlink_to("/etc/passwd")
    assert set(submissions.extra_files(course, A, "ada")) == {"data.csv"}
    monkeypatch.setattr(submissions, "MAX_FILES_BYTES", 1)
    with pytest.raises(GradingError, match="exceed 1 bytes"):
        submissions.extra_files(course, A, "ada")


def test_error_results_say_whether_a_retry_can_help():
    request = {"id": "ada"}
    crashed = error_result(request, "grading worker hung", retryable=True)
    assert crashed["retryable"] and crashed["id"] == "ada" and crashed["notebooks"] == {}
    assert not error_result(request, "invalid notebook")["retryable"]
