"""Due dates, extensions and late penalties, kept in nbgrader's gradebook and always recomputed.

Runs in the instructor's process, at the start of every verb that reads grades (grade, export,
report) and after `extend`. nbgrader computes a late penalty once, while autograding, so moving
a deadline or granting an extension needed a regrade (jupyter/nbgrader#723). Here:
- `sync_due_dates` gives the gradebook each assignment and due date from course.toml with
  nbgrader's `Gradebook.update_or_create_assignment` (what `nbgrader db assignment add
  --duedate` calls), in this process, only for those that differ;
- `extend` stores an extension in the gradebook's own `extension` field (nbgrader's
  `SubmittedAssignment.duedate` adds it), creating the submission record if the student has not
  submitted yet;
- `apply_penalties` recomputes every submission's penalty from course.toml's late rule, the due
  date + extension and the submission's time (the server-observed arrival when there is one,
  course.results.arrival), and writes it where nbgrader keeps it (each notebook's
  `late_submission_penalty`), so formgrader, nbgrader's CSV export and ours all agree. Writing
  the effective time into the submission's timestamp keeps nbgrader's own "late" view right.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning, SQLAlchemyError

from ..config import Assignment, Course, CourseConfigError, load
from ..errors import CourseError
from ..paths import COURSE_ID, CourseDir
from .arrival import load_arrivals


class ExtensionRefused(CourseError):
    """The extension cannot be granted (unknown student, a date before the due date)."""

    exit_code = 2
    label = "extend refused"


def _naive_utc(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(tzinfo=None)


def sync_due_dates(course: CourseDir, config: Course | None = None) -> list[str]:
    """Make the gradebook know every assignment of course.toml with its due date; returns the
    ids that were added or changed.

    The same call `nbgrader db assignment add ID --duedate=...` makes
    (`Gradebook.update_or_create_assignment`, nbgrader parses the date), made in this process:
    the command costs ~2.5 s of interpreter start and imports per assignment, which was most of
    a `grade` run's start-up (7.5 s before the first submission, measured 2026-11-28)."""
    config = config or load(course.root)
    with Gradebook(course.db_url, COURSE_ID) as gb:
        known = {a.name: a.duedate for a in gb.assignments}
        changed = [a for a in config.assignments if known.get(a.id, "missing") != _naive_utc(a.due)]
        for a in changed:
            try:
                gb.update_or_create_assignment(a.id, duedate=a.due.isoformat())
            except (ValueError, SQLAlchemyError) as exc:
                gb.db.rollback()
                raise CourseConfigError(
                    f"{config.path}:{a.line}: cannot store {a.id}'s due date in the gradebook: "
                    f"{str(exc).splitlines()[0]}"
                ) from None
    return [a.id for a in changed]


def extend(
    *,
    course: CourseDir,
    student: str,
    assignment: str,
    until: datetime | None = None,
    days: float | None = None,
) -> tuple[timedelta | None, datetime]:
    """Give `student` until `until` (or `days` more) for `assignment`; days=0 removes it.

    Returns (extension, new due time). Penalties are recomputed at once."""
    config = load(course.root)
    a = config.assignment(assignment)
    sync_due_dates(course, config)
    extension = (until - a.due) if until is not None else timedelta(days=days or 0)
    if extension < timedelta(0):
        raise ExtensionRefused(
            f"{assignment} is due {a.due:%Y-%m-%d %H:%M %Z}; an extension cannot end before that"
        )
    with Gradebook(course.db_url) as gb:
        known = {s.id for s in gb.students}
        if student not in known and not course.submission_dir(student, assignment).is_dir():
            raise ExtensionRefused(
                f"unknown student {student!r}: not in {course.gradebook} and no "
                f"submitted/{student}/ (add them with `nbgrader db student add {student}`)"
            )
        gb.update_or_create_student(student)
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            with warnings.catch_warnings():  # nbgrader's add_submission autoflush noise
                warnings.simplefilter("ignore", SAWarning)
                gb.add_submission(assignment, student)
        minutes = extension / timedelta(minutes=1)
        gb.grant_extension(assignment, student, minutes=minutes)
    apply_penalties(course, config, [assignment])
    return (extension or None), a.due + extension


@dataclass(frozen=True)
class Lateness:
    student: str
    assignment: str
    submitted: datetime | None  # effective time (aware UTC)
    due: datetime  # with the extension
    extension: timedelta | None
    fraction: float  # of the points earned, taken away
    forged: bool  # the student's claimed time is earlier than the server saw it arrive
    claimed: datetime | None = None


def lateness(course: CourseDir, a: Assignment, gb: Gradebook) -> dict[str, Lateness]:
    """Per student with a submission record: when it counts as submitted and what it costs."""
    arrivals = load_arrivals(course, a.id)
    out = {}
    try:
        submissions = gb.assignment_submissions(a.id)
    except MissingEntry:
        return out
    for sub in submissions:
        arrival = arrivals.get(sub.student_id)
        claimed = sub.timestamp.replace(tzinfo=UTC) if sub.timestamp else None
        when = arrival.effective if arrival else claimed
        if arrival and arrival.claimed:
            claimed = arrival.claimed
        ext = sub.extension or None
        due = a.due + (ext or timedelta(0))
        fraction = a.penalty_fraction(when, ext) if when else 0.0
        out[sub.student_id] = Lateness(
            sub.student_id, a.id, when, due, ext, fraction,
            bool(arrival and arrival.forged), claimed,
        )  # fmt: skip
    return out


def apply_penalties(
    course: CourseDir, config: Course | None = None, assignments: list[str] | None = None
) -> dict[str, dict[str, Lateness]]:
    """Recompute and store every late penalty (no regrade): {assignment: {student: Lateness}}."""
    config = config or load(course.root)
    result = {}
    with Gradebook(course.db_url) as gb:
        for a in config.assignments:
            if assignments is not None and a.id not in assignments:
                continue
            result[a.id] = late = lateness(course, a, gb)
            for student, info in late.items():
                sub = gb.find_submission(a.id, student)
                if info.submitted is not None:
                    sub.timestamp = _naive_utc(info.submitted)
                for nb in sub.notebooks:
                    nb.late_submission_penalty = round(nb.score * info.fraction, 6) or None
            gb.db.commit()
    return result
