"""What a regrade changed: who gained or lost points, in which cells (nbgrader#1322).

Runs in the instructor's process around `python -m course grade ASSIGNMENT --force`: the
gradebook's cell scores are read before and after the run, and every difference is printed and
saved as `autograded/regrade-ASSIGNMENT-YYYYMMDDTHHMMSSZ.csv` (student, notebook, cell, before,
after, change), so a fixed test's effect on the class is on record.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from ..paths import CourseDir

Key = tuple[str, str, str]  # student, notebook, cell grade_id


def snapshot(course: CourseDir, assignment: str) -> dict[Key, float]:
    """Every graded cell's score of `assignment` in the gradebook."""
    scores = {}
    with Gradebook(course.db_url) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return scores
        for sub in submissions:
            for nb in sub.notebooks:
                for grade in nb.grades:
                    scores[(sub.student_id, nb.name, grade.name)] = float(grade.score)
    return scores


@dataclass(frozen=True)
class Change:
    student: str
    notebook: str
    cell: str
    before: float | None  # None: not graded before
    after: float | None  # None: no longer graded

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)


def diff(before: dict[Key, float], after: dict[Key, float]) -> list[Change]:
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes.append(Change(*key, old, new))
    return changes


def describe(assignment: str, changes: list[Change], graded: int) -> str:
    if not changes:
        return f"regrade of {assignment}: no score changed ({graded} submission(s) regraded)"
    by_student: dict[str, list[Change]] = defaultdict(list)
    for c in changes:
        by_student[c.student].append(c)
    lines = [f"regrade of {assignment}: {len(by_student)} student(s) changed"]
    for student, cs in sorted(by_student.items()):
        total = sum(c.delta for c in cs)
        verb = "gained" if total > 0 else "lost" if total < 0 else "unchanged in total"
        cells = ", ".join(f"{c.cell} {c.delta:+g}" for c in cs)
        amount = f" {abs(total):g} point(s)" if total else ""
        lines.append(f"  {student}: {verb}{amount} ({cells})")
    return "\n".join(lines)


def save(course: CourseDir, assignment: str, changes: list[Change]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = course.regrade_csv(assignment, stamp)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["student_id", "notebook", "cell", "before", "after", "change"])
        for c in changes:
            out.writerow([c.student, c.notebook, c.cell, c.before, c.after, c.delta])
    return path
