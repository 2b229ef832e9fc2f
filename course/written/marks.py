"""Scores and comments of one written question, read and written through nbgrader's gradebook.

Runs in: the written-grading app (as the grader account under the hub) and the tests.

nbgrader stays the record: a mark is the Grade row's ``manual_score`` and the Comment row's
``manual_comment`` of the student's submitted notebook, set exactly as formgrader's own API
sets them (needs_manual_grade cleared when a score exists), so formgrader, generate_feedback,
export and canvas.csv see them, and a formgrader edit is what this module reads next.

Two graders never silently overwrite each other: every write carries the mark the grader saw
(`expect`); it is compared with the gradebook's current mark and written only if they are
equal, inside one transaction and under an exclusive lock file (the app's own processes), so a
change made since the page loaded comes back as a conflict with the current mark instead.
Reading a question is one query (400 students: see bench/bench_written.py), not one per student.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nbgrader import api

from course.nb import nbgrader_env
from course.paths import CourseDir

_THREAD_LOCK = threading.Lock()


@dataclass
class Mark:
    student: str
    score: float | None  # manual score (None: not marked by hand)
    auto: float | None  # what the autograder set (a blank answer: 0)
    comment: str  # manual comment ("" when none)
    needs_manual: bool
    max_score: float

    @property
    def graded(self) -> bool:
        return not self.needs_manual

    def seen(self) -> dict:
        """What a grader saw: sent back with a change (optimistic concurrency)."""
        return {"score": self.score, "comment": self.comment}

    def as_dict(self) -> dict:
        return {**self.seen(), "auto": self.auto, "graded": self.graded, "max": self.max_score}


@contextmanager
def gradebook(course: CourseDir):
    """nbgrader's Gradebook, opened for one use (each request sees what formgrader or another
    process committed; opening an existing gradebook costs ~10 ms)."""
    if shutil.which("alembic") is None:  # nbgrader's Gradebook shells out to it for a new one
        os.environ["PATH"] = nbgrader_env()["PATH"]
    with api.Gradebook(course.db_url) as gb:
        yield gb


@contextmanager
def exclusive(course: CourseDir):
    """One writer at a time among this course's written-grading processes."""
    lock = Path(course.root) / ".written.lock"
    with _THREAD_LOCK, open(lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _query(gb: api.Gradebook, row, cell, assignment: str, notebook: str, gid: str):
    """(row, student id) of every submission: row is Grade (cell GradeCell) or Comment
    (cell SolutionCell) of the cell named gid."""
    sub_nb, sub = api.SubmittedNotebook, api.SubmittedAssignment
    return (
        gb.db.query(row, sub.student_id)
        .join(sub_nb, row.notebook_id == sub_nb.id)
        .join(api.Notebook, sub_nb.notebook_id == api.Notebook.id)
        .join(sub, sub_nb.assignment_id == sub.id)
        .join(api.Assignment, sub.assignment_id == api.Assignment.id)
        .join(cell, row.cell_id == cell.id)
        .filter(api.Assignment.name == assignment, api.Notebook.name == notebook, cell.name == gid)
        .all()
    )


def _rows(gb: api.Gradebook, assignment: str, notebook: str, gid: str):
    grades = _query(gb, api.Grade, api.GradeCell, assignment, notebook, gid)
    comments = _query(gb, api.Comment, api.SolutionCell, assignment, notebook, gid)
    return {s: g for g, s in grades}, {s: c for c, s in comments}


def _mark(student: str, grade, comment) -> Mark:
    return Mark(
        student=student,
        score=grade.manual_score,
        auto=grade.auto_score,
        comment=(comment.manual_comment or "") if comment is not None else "",
        needs_manual=bool(grade.needs_manual_grade),
        max_score=float(grade.max_score or 0),
    )


def read(course: CourseDir, assignment: str, notebook: str, gid: str) -> dict[str, Mark]:
    """student -> Mark for every student the gradebook has a submission of."""
    if not course.gradebook.exists():  # nothing graded yet: do not make an empty gradebook
        return {}
    with gradebook(course) as gb:
        grades, comments = _rows(gb, assignment, notebook, gid)
        return {s: _mark(s, g, comments.get(s)) for s, g in grades.items()}


@dataclass
class Change:
    student: str
    score: float | None
    comment: str
    expect: dict  # {"score": ..., "comment": ...} as the grader last saw it


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def expected(now: Mark, expect: dict) -> bool:
    """Is the gradebook's mark still the one the grader saw?"""
    return _same(now.score, expect.get("score")) and now.comment == (expect.get("comment") or "")


def write(course: CourseDir, assignment: str, notebook: str, gid: str,
          changes: list[Change]) -> tuple[dict[str, Mark], dict[str, Mark]]:  # fmt: skip
    """Apply the changes whose expectation still holds; returns (written, conflicts), each
    student -> the gradebook's mark now. The caller holds `exclusive(course)`. A student
    without a submission in the gradebook (not autograded yet) is in neither."""
    written: dict[str, Mark] = {}
    conflicts: dict[str, Mark] = {}
    with gradebook(course) as gb:
        grades, comments = _rows(gb, assignment, notebook, gid)
        for ch in changes:
            grade, comment = grades.get(ch.student), comments.get(ch.student)
            if grade is None:
                continue
            now = _mark(ch.student, grade, comment)
            if not expected(now, ch.expect):
                conflicts[ch.student] = now
                continue
            if ch.score is not None and not 0 <= ch.score <= now.max_score:
                raise ValueError(f"score {ch.score:g} outside 0..{now.max_score:g}")
            # As formgrader's GradeHandler.put: a mark by hand clears needs_manual_grade.
            grade.manual_score = ch.score
            grade.needs_manual_grade = grade.manual_score is None and grade.auto_score is None
            if comment is not None:
                comment.manual_comment = ch.comment or None
            written[ch.student] = _mark(ch.student, grade, comment)
        gb.db.commit()
    return written, conflicts
