"""Grades out of nbgrader's gradebook: `grades.csv` in nbgrader's own columns, plus points per exercise.

grades.csv is written by nbgrader's CsvExportPlugin (what `nbgrader export` runs), so an LMS import
built for nbgrader keeps working. The per-exercise table groups the gradebook's grades by the
`exNN_` prefix of their grade_id: the autograded test cell(s) and the written `exNN_explain` cell.

Runs in: the CLI process; reads the gradebook only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin

from course.nb import exercise_key
from course.paths import ASSIGNMENT, CourseDir


@dataclass
class ExerciseScore:
    tests: float = 0.0  # autograded test cell points earned
    tests_max: float = 0.0
    written: float = 0.0  # the manually graded explain cell
    written_max: float = 0.0
    written_graded: bool = True  # False until a grader has scored the written answer

    @property
    def points(self) -> float:
        return self.tests + self.written

    @property
    def max_points(self) -> float:
        return self.tests_max + self.written_max


@dataclass
class StudentScores:
    student_id: str
    exercises: dict[str, ExerciseScore] = field(default_factory=dict)
    raw_score: float = 0.0
    late_penalty: float = 0.0
    max_score: float = 0.0
    timestamp: object = None

    @property
    def score(self) -> float:
        # The same rule as nbgrader's CsvExportPlugin: the penalty never takes a score below zero.
        return max(0.0, self.raw_score - self.late_penalty)

    @property
    def autograded(self) -> float:
        return sum(e.tests for e in self.exercises.values())


def exercise_scores(
    assignment: str = ASSIGNMENT, course: CourseDir = CourseDir()
) -> list[StudentScores]:
    """Every graded submission of `assignment`, with its points per exercise, sorted by student."""
    rows = []
    with Gradebook(course.db_url) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return []
        for sub in submissions:
            if sub.timestamp is None and not any(
                course.autograded.glob(f"{sub.student_id}/{assignment}/*.ipynb")
            ):
                continue  # a record `python -m course extend` made: nothing submitted yet
            row = StudentScores(
                sub.student_id,
                raw_score=sub.score,
                max_score=sub.max_score,
                late_penalty=sub.late_submission_penalty or 0.0,
                timestamp=sub.timestamp,
            )
            for nb in sub.notebooks:
                for grade in nb.grades:
                    key = exercise_key(grade.name)
                    if key is None:
                        continue
                    ex = row.exercises.setdefault(key, ExerciseScore())
                    if grade.cell.cell_type == "markdown":
                        ex.written += grade.score
                        ex.written_max += grade.max_score
                        ex.written_graded &= not grade.needs_manual_grade
                    else:
                        ex.tests += grade.score
                        ex.tests_max += grade.max_score
            row.exercises = dict(sorted(row.exercises.items()))
            rows.append(row)
    return sorted(rows, key=lambda r: r.student_id)


def export_grades_csv(
    assignment: str = ASSIGNMENT, course: CourseDir = CourseDir(), dest: Path | None = None
) -> Path:
    """nbgrader's grades.csv for one assignment (every student in the gradebook, 0 if missing)."""
    dest = Path(dest or course.grades_csv)
    with Gradebook(course.db_url) as gb:
        CsvExportPlugin(to=str(dest), assignment=[assignment]).export(gb)
    return dest


def export_exercise_csv(
    assignment: str = ASSIGNMENT, course: CourseDir = CourseDir(), dest: Path | None = None
) -> Path:
    """One row per graded student, one column per exercise (test + written points), then totals.

    `written_ungraded` counts written answers still waiting for a grader: until then they count 0,
    as they do in nbgrader's own totals.
    """
    dest = Path(dest or course.exercise_csv)
    rows = exercise_scores(assignment, course)
    exercises = sorted({ex for r in rows for ex in r.exercises})
    header = [
        "student_id",
        *exercises,
        "autograded",
        "written",
        "written_ungraded",
        "late_submission_penalty",
        "score",
        "max_score",
    ]
    with open(dest, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for r in rows:
            ex = [r.exercises.get(e, ExerciseScore()) for e in exercises]
            out.writerow(
                [
                    r.student_id,
                    *(e.points for e in ex),
                    r.autograded,
                    sum(e.written for e in ex),
                    sum(not e.written_graded for e in ex),
                    r.late_penalty,
                    r.score,
                    r.max_score,
                ]
            )
    return dest


def export(*, course: CourseDir = CourseDir(), assignment: str = ASSIGNMENT) -> tuple[Path, Path]:
    """Both CSVs at the course root: grades.csv and grades_by_exercise.csv."""
    return export_grades_csv(assignment, course), export_exercise_csv(assignment, course)
