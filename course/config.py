"""`course.toml`: the one description of the course (its assignments, due dates and late rules).

Runs in the grader/instructor process (every verb) and in the site builder. Read with Python's
own `tomllib`; everything is validated up front so that a typo in the course file stops a verb
with `course.toml:LINE: reason` instead of silently grading against the wrong deadline. tomllib
keeps no positions, so `_Lines` finds the line of a key in the text itself (good enough for the
flat tables this file has).

    [course]
    id = "math-for-llms"
    title = "Math for LLMs"

    [[assignment]]
    id = "embedding_space_math"         # its folder under source/
    title = "Embedding Space Math"
    due = 2026-03-02T23:59:00Z          # ISO 8601 with a UTC offset (TOML datetime or string)
    late = { per_day = 0.10, max_days = 5 }   # optional; none = no penalty

Public API: `load_course(path) -> Course`, `Course.assignments` (each with id, title, due,
late, notebooks), `Course.assignment(id)`, `CourseConfigError`.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from .errors import CourseError

FILENAME = "course.toml"
# nbgrader's own rule for names that become folders and gradebook keys.
_ID = re.compile(r"^[A-Za-z0-9_\-]+$")
_COURSE_KEYS = {"id", "title", "roster"}
_ASSIGNMENT_KEYS = {"id", "title", "due", "late"}
_LATE_KEYS = {"per_day", "max_days"}


class CourseConfigError(CourseError):
    """course.toml is missing or malformed; the message is `path:line: reason`, one line."""

    exit_code = 2
    label = "course file"


@dataclass(frozen=True)
class LateRule:
    """Each started day late costs `per_day` of the points earned; more than `max_days` late
    scores 0 (no max_days: the day charge alone, capped at everything)."""

    per_day: float
    max_days: int | None = None

    def fraction(self, late_by: timedelta) -> float:
        """The fraction of the earned points taken away for a submission `late_by` after its due
        time (0 for on time)."""
        if late_by <= timedelta(0):
            return 0.0
        days = math.ceil(late_by / timedelta(days=1))
        if self.max_days is not None and days > self.max_days:
            return 1.0
        return min(1.0, days * self.per_day)

    def describe(self) -> str:
        text = f"each started day late costs {self.per_day:.0%} of the points earned"
        if self.max_days is not None:
            text += f"; more than {self.max_days} day(s) late scores 0"
        return text


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    due: datetime  # timezone-aware, UTC
    late: LateRule | None
    notebooks: tuple[str, ...]  # notebook names (no .ipynb) under source/<id>/, sorted
    line: int = 0  # where its table starts in course.toml

    def penalty_fraction(self, submitted: datetime, extension: timedelta | None = None) -> float:
        if self.late is None:
            return 0.0
        return self.late.fraction(submitted - (self.due + (extension or timedelta(0))))


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    path: Path  # the course.toml file
    assignments: tuple[Assignment, ...] = field(default_factory=tuple)
    roster: Path | None = None  # optional roster CSV, relative paths from course.toml's folder

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.assignments]

    def assignment(self, assignment_id: str) -> Assignment:
        for a in self.assignments:
            if a.id == assignment_id:
                return a
        raise CourseConfigError(
            f"{self.path}: no assignment {assignment_id!r} (it lists: {', '.join(self.ids)})"
        )


class _Lines:
    """Line numbers of tables and keys in the TOML text (1-based), for error messages."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers = [
            i + 1 for i, line in enumerate(self.lines) if line.strip().startswith("[[assignment]]")
        ]
        course = [i + 1 for i, line in enumerate(self.lines) if line.strip() == "[course]"]
        self.course_line = course[0] if course else 1

    def _block(self, index: int | None) -> tuple[int, int]:
        if index is None:
            start = self.course_line
            later = [h for h in self.headers if h > start]
        else:
            start = self.headers[index] if index < len(self.headers) else 1
            later = [h for h in self.headers if h > start]
        return start, (later[0] - 1 if later else len(self.lines))

    def of(self, index: int | None, key: str | None = None) -> int:
        start, end = self._block(index)
        if key is not None:
            pattern = re.compile(rf"(^\s*|[{{,]\s*)[\"']?{re.escape(key)}[\"']?\s*=")
            for n in range(start, end + 1):
                if pattern.search(self.lines[n - 1]):
                    return n
        return start


def _due(value, where: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise CourseConfigError(
                f"{where}: due {value!r} is not an ISO 8601 date-time "
                "(e.g. 2026-03-02T23:59:00+00:00)"
            ) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        raise CourseConfigError(f"{where}: due {value} has no time and UTC offset")
    if not isinstance(value, datetime):
        raise CourseConfigError(f"{where}: due must be a date-time, not {type(value).__name__}")
    if value.tzinfo is None:
        raise CourseConfigError(
            f"{where}: due {value.isoformat()} has no UTC offset (add Z or +HH:MM)"
        )
    return value.astimezone(UTC)


def _late(value, where: str) -> LateRule | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise CourseConfigError(
            f"{where}: late must be a table like {{ per_day = 0.10, max_days = 5 }}"
        )
    unknown = sorted(set(value) - _LATE_KEYS)
    if unknown:
        raise CourseConfigError(
            f"{where}: unknown key {unknown[0]!r} in late (allowed: per_day, max_days)"
        )
    per_day = value.get("per_day")
    if isinstance(per_day, bool) or not isinstance(per_day, int | float) or not 0 < per_day <= 1:
        raise CourseConfigError(f"{where}: late.per_day must be a number in (0, 1], e.g. 0.10")
    max_days = value.get("max_days")
    if max_days is not None and (
        isinstance(max_days, bool) or not isinstance(max_days, int) or max_days < 0
    ):
        raise CourseConfigError(f"{where}: late.max_days must be a whole number of days >= 0")
    return LateRule(float(per_day), max_days)


def _notebooks(folder: Path, where: str, assignment_id: str) -> tuple[str, ...]:
    if not folder.is_dir():
        raise CourseConfigError(
            f"{where}: assignment {assignment_id!r} has no folder {folder} "
            "(put its notebook(s) under source/<id>/)"
        )
    names = tuple(sorted(p.stem for p in folder.glob("*.ipynb")))
    if not names:
        raise CourseConfigError(f"{where}: {folder} holds no notebook (.ipynb)")
    return names


def _string(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CourseConfigError(f"{where}: {key} must be a non-empty string")
    return value


def load_course(path: Path | str, source: Path | str | None = None) -> Course:
    """Read and validate course.toml; `source` (default: source/ beside it) holds the
    assignments' folders. Raises CourseConfigError naming the file, line and reason."""
    path = Path(path)
    source = Path(source) if source is not None else path.parent / "source"
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise CourseConfigError(f"{path}: no course file (see README, 'The course file')") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = m.group(1) if m else "1"
        reason = re.sub(r"\s*\(at line.*\)$", "", str(exc)) or "invalid TOML"
        raise CourseConfigError(f"{path}:{line}: {reason}") from None
    lines = _Lines(text)

    unknown = sorted(set(data) - {"course", "assignment"})
    if unknown:
        n = next((i + 1 for i, t in enumerate(lines.lines) if unknown[0] in t), 1)
        raise CourseConfigError(
            f"{path}:{n}: unknown table or key {unknown[0]!r} (allowed: [course], [[assignment]])"
        )
    course = data.get("course")
    if not isinstance(course, dict):
        raise CourseConfigError(f"{path}:1: missing [course] table (with id and title)")
    for key in sorted(set(course) - _COURSE_KEYS):
        raise CourseConfigError(
            f"{path}:{lines.of(None, key)}: unknown key {key!r} in [course] "
            f"(allowed: {', '.join(sorted(_COURSE_KEYS))})"
        )
    course_id = _string(course, "id", f"{path}:{lines.of(None, 'id')}")
    title = _string(course, "title", f"{path}:{lines.of(None, 'title')}")
    roster = course.get("roster")
    if roster is not None:
        roster = path.parent / _string(course, "roster", f"{path}:{lines.of(None, 'roster')}")

    tables = data.get("assignment", [])
    if not isinstance(tables, list):
        raise CourseConfigError(f"{path}:1: assignments are [[assignment]] tables")
    assignments, seen = [], {}
    for i, table in enumerate(tables):

        def at(key=None, i=i):
            return f"{path}:{lines.of(i, key)}"

        for key in sorted(set(table) - _ASSIGNMENT_KEYS):
            raise CourseConfigError(
                f"{at(key)}: unknown key {key!r} in [[assignment]] "
                f"(allowed: {', '.join(sorted(_ASSIGNMENT_KEYS))})"
            )
        aid = _string(table, "id", at("id"))
        if not _ID.match(aid):
            raise CourseConfigError(
                f"{at('id')}: id {aid!r} may only hold letters, digits, _ and -"
            )
        if aid in seen:
            raise CourseConfigError(
                f"{at('id')}: assignment {aid!r} is listed twice (first at line {seen[aid]})"
            )
        seen[aid] = lines.of(i, "id")
        if "due" not in table:
            raise CourseConfigError(f"{at()}: assignment {aid!r} has no due date")
        assignments.append(
            Assignment(
                id=aid,
                title=_string(table, "title", at("title")),
                due=_due(table["due"], at("due")),
                late=_late(table.get("late"), at("late")),
                notebooks=_notebooks(source / aid, at("id"), aid),
                line=lines.of(i),
            )
        )
    return Course(course_id, title, path, tuple(assignments), roster)


def load(root: Path | str) -> Course:
    """The course.toml of the course directory `root`."""
    return load_course(Path(root) / FILENAME, Path(root) / "source")  # CourseDir.course_toml
