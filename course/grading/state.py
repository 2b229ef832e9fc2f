"""What a grade run keeps between runs, and the lock that makes it one run at a time.

Runs in: the grader process. Files (paths from CourseDir):
- grade_state:    {student: {"sha256", "graded_at"}} of what was graded. A rerun (after kill -9,
                  or after late submissions arrive) grades only what is missing or changed.
                  Written atomically (temp file + rename) after every submission.
- grade_failures: {student: reason} of submissions that could not be graded, for the report;
                  an entry goes once its submission grades.
- grade_lock:     flock'ed for the whole run. It is taken before any other file is opened for
                  writing, so a second, refused run touches nothing of the run in progress.
- grade_log:      nbgrader's log of the run (opened only once the lock is held).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from course.errors import GradeRefused
from course.paths import CourseDir


def digest(folder: Path) -> str:
    """Content hash of a submission folder (names and bytes of every file)."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


class GradeState:
    """The state file of one assignment: which submission content was graded when."""

    def __init__(self, course: CourseDir, assignment: str):
        self.path = course.grade_state(assignment)
        self.entries: dict[str, dict] = _read_json(self.path)

    def graded_digest(self, student: str) -> str | None:
        return (self.entries.get(student) or {}).get("sha256")

    def forget(self, *students: str) -> None:
        """Before writing these students' grades: a crash mid-write must not leave "up to
        date". Several at once, one save: the grader forgets the next few of its to-do list
        together (course.grading.run.FORGET_AHEAD)."""
        if any([self.entries.pop(student, None) is not None for student in students]):
            self._save()

    def graded(self, student: str, sha256: str, save: bool = True) -> None:
        """Once the student's grades are durable in the gradebook (save=False: the caller
        saves once for a whole batch)."""
        self.entries[student] = {
            "sha256": sha256,
            "graded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if save:
            self._save()

    def save(self) -> None:
        self._save()

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        os.replace(tmp, self.path)


def save_failures(
    course: CourseDir, assignment: str, failed: dict[str, str], graded: list[str]
) -> None:
    """Keep why each submission could not be graded, for `python -m course report`."""
    path = course.grade_failures(assignment)
    record = _read_json(path)
    for student in graded:
        record.pop(student, None)
    record.update(failed)
    path.write_text(json.dumps(dict(sorted(record.items())), indent=1, ensure_ascii=False))


@contextmanager
def exclusive(course: CourseDir, assignment: str):
    """One grade run per assignment at a time: two writers would race on gradebook.db."""
    course.autograded.mkdir(parents=True, exist_ok=True)
    path = course.grade_lock(assignment)
    with open(path, "a") as fh:  # "a": taking the lock must not change the file
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GradeRefused(f"another `grade` run is using {path.parent}; wait for it") from None
        yield


@contextmanager
def run_log(course: CourseDir, assignment: str):
    """A logger writing this run's log file (replacing the previous run's), closed after."""
    log = logging.getLogger(f"course.grading.{course.root}.{assignment}")
    log.propagate = False
    log.setLevel(logging.INFO)
    handler = logging.FileHandler(course.grade_log(assignment), mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    try:
        yield log
    finally:
        log.removeHandler(handler)
        handler.close()
