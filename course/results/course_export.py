"""Course-wide grades for the LMS: one wide CSV, a Canvas gradebook import, lateness, per exercise.

Runs in the instructor's process (`python -m course export` without an assignment), after
course.results.late has recomputed every penalty. Scores are points after the late penalty, read
from nbgrader's gradebook (nbgrader's own rule: never below 0). A student with no graded
submission gets an empty cell (Canvas leaves an empty cell ungraded) and 0 in the total.

Students come from the roster where one exists (course.toml `roster`, else roster.csv at the
course root: columns id, name, email, role as the hub's roster has them, plus optional
canvas_id, sis_user_id, section), then anyone else in the gradebook. Canvas's import format
(its own gradebook export): Student, ID, SIS User ID, SIS Login ID, Section, one column per
assignment, and a "Points Possible" row under the header.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from ..config import Course, load
from ..paths import CourseDir
from .export import export_exercise_csv
from .late import Lateness, lateness

CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


@dataclass
class Person:
    id: str
    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    section: str = ""


@dataclass
class CourseGrades:
    config: Course
    people: list[Person]
    scores: dict[str, dict[str, float]]  # assignment -> student -> points after penalty
    max_points: dict[str, float]
    late: dict[str, dict[str, Lateness]] = field(default_factory=dict)

    def total(self, student: str) -> float:
        return sum(self.scores[a].get(student, 0.0) for a in self.config.ids)


def roster(course: CourseDir, config: Course) -> list[Person]:
    path = config.roster or course.root / "roster.csv"
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Person(
            r["id"].strip(),
            (r.get("name") or "").strip(),
            (r.get("canvas_id") or "").strip(),
            (r.get("sis_user_id") or "").strip(),
            (r.get("section") or "").strip(),
        )
        for r in rows
        if (r.get("id") or "").strip() and (r.get("role") or "student").strip() == "student"
    ]


def course_grades(course: CourseDir, config: Course | None = None) -> CourseGrades:
    config = config or load(course.root)
    people = {p.id: p for p in roster(course, config)}
    scores, max_points, late = {}, {}, {}
    with Gradebook(course.db_url) as gb:
        for s in gb.students:
            name = " ".join(n for n in (s.first_name, s.last_name) if n)
            person = people.setdefault(s.id, Person(s.id))
            person.name = person.name or name
            person.canvas_id = person.canvas_id or (s.lms_user_id or "")
        for a in config.assignments:
            scores[a.id], late[a.id] = {}, lateness(course, a, gb)
            try:
                assignment = gb.find_assignment(a.id)
                max_points[a.id] = float(assignment.max_score)
                submissions = gb.assignment_submissions(a.id)
            except MissingEntry:
                max_points[a.id] = 0.0
                continue
            for sub in submissions:
                graded = any(course.autograded.glob(f"{sub.student_id}/{a.id}/*.ipynb"))
                if sub.timestamp is None and not graded:
                    continue  # a record made for an extension: nothing submitted yet
                penalty = sub.late_submission_penalty or 0.0
                scores[a.id][sub.student_id] = max(0.0, sub.score - penalty)
                people.setdefault(sub.student_id, Person(sub.student_id))
    return CourseGrades(
        config, sorted(people.values(), key=lambda p: p.id), scores, max_points, late
    )


def _g(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def write_wide(grades: CourseGrades, dest: Path) -> Path:
    ids = grades.config.ids
    with open(dest, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["student_id", "name", *ids, "total", "max_total"])
        top = sum(grades.max_points.values())
        for p in grades.people:
            cells = [_g(grades.scores[a].get(p.id)) for a in ids]
            out.writerow([p.id, p.name, *cells, _g(grades.total(p.id)), _g(top)])
    return dest


def write_canvas(grades: CourseGrades, dest: Path) -> Path:
    assignments = grades.config.assignments
    with open(dest, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([*CANVAS_FIXED, *(a.title for a in assignments)])
        out.writerow(["    Points Possible", "", "", "", "", *(_g(grades.max_points[a.id]) for a in assignments)])  # fmt: skip
        for p in grades.people:
            out.writerow(
                [p.name or p.id, p.canvas_id, p.sis_user_id, p.id, p.section]
                + [_g(grades.scores[a.id].get(p.id)) for a in assignments]
            )
    return dest


def write_lateness(grades: CourseGrades, dest: Path) -> Path:
    """Every submission record's times, extension and penalty: what the penalties rest on."""
    with open(dest, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["student_id", "assignment", "due", "extension", "submitted", "claimed", "penalty_fraction", "forged_time"])  # fmt: skip
        for a in grades.config.ids:
            for student, x in sorted(grades.late[a].items()):
                out.writerow(
                    [
                        student,
                        a,
                        x.due.isoformat(),
                        str(x.extension or ""),
                        x.submitted.isoformat() if x.submitted else "",
                        x.claimed.isoformat() if x.claimed else "",
                        f"{x.fraction:g}",
                        "yes" if x.forged else "",
                    ]
                )
    return dest


def export_course(*, course: CourseDir) -> list[Path]:
    """grades_course.csv (wide), canvas.csv, lateness.csv and grades_by_exercise_ID.csv per
    assignment, at the course root."""
    grades = course_grades(course)
    paths = [
        write_wide(grades, course.course_csv),
        write_canvas(grades, course.canvas_csv),
        write_lateness(grades, course.lateness_csv),
    ]
    for a in grades.config.ids:
        paths.append(export_exercise_csv(a, course, course.course_exercise_csv(a)))
    return paths
