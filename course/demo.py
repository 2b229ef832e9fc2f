"""`python -m course demo`: a synthetic class, graded, with feedback, CSVs and the report.

The class lives in its own course directory (demo-class/, git-ignored) built from this repo's
source/ and release/, so the demo never touches the real submitted/ or gradebook. Students are
made by course.authoring.misconceptions: all correct, blank, late, one per planted misconception (everything
else correct, so each row shows exactly what that mistake costs) and a few mixes.

Runs in: the CLI process (`python -m course demo`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from .authoring import misconceptions as mc
from .authoring.release import generate
from .config import load
from .demo_term import SHORT, add_short_assignment, write_short_class
from .errors import DemoRefused
from .nb import run_nbgrader
from .paths import ASSIGNMENT, NOTEBOOK, REPO, CourseDir, new_course
from .results.course_export import export_course
from .results.course_report import course_report
from .results.export import StudentScores, exercise_scores, export
from .results.feedback import generate_feedback
from .results.late import apply_penalties, extend, sync_due_dates
from .results.report import report
from .similarity.compare import compare as compare_submissions
from .similarity.report import write_html as write_similarity

DEMO_ROOT = REPO / "demo-class"
MARKER = ".demo-class"  # only a directory carrying this file is ever wiped by the demo
# Due dates and late rules come from course.toml (the demo's first assignment is the real one).
DUE = load(REPO).assignment(ASSIGNMENT).due
SHORT_DUE = DUE + timedelta(days=7)
EXTENSION_DAYS = 3

ALL = range(1, 11)


@dataclass(frozen=True)
class Student:
    id: str
    story: str  # one line for the grade table
    answers: dict[int, str] = field(default_factory=dict)
    late: bool = False
    extension: bool = False  # granted EXTENSION_DAYS more on the first assignment
    broken: bool = False  # not a notebook at all: the grader must skip it with a reason


def default_roster() -> list[Student]:
    correct = {n: "correct" for n in ALL}
    roster = [
        Student("ada_correct", "every exercise correct", correct),
        Student("ben_blank", "submitted the release untouched"),
        Student("cal_late", "every exercise correct, two days late", correct, late=True),
        Student(
            "ivy_extended",
            f"every exercise correct, two days late with a {EXTENSION_DAYS}-day extension",
            correct,
            late=True,
            extension=True,
        ),
    ]
    for key, wrong in mc.MISCONCEPTIONS.items():
        roster.append(
            Student(
                f"m_{key}", f"ex{wrong.exercise:02d}: {wrong.why}", {**correct, wrong.exercise: key}
            )
        )
    roster += [
        Student(
            "dee_half", "exercises 1-5 correct, 6-10 blank", {n: "correct" for n in range(1, 6)}
        ),
        Student(
            "eve_mixed",
            "three misconceptions, two blanks",
            {
                **correct,
                3: "cosine_unnormalised",
                7: "sin_cos_swapped",
                9: "alibi_symmetric",
                8: "blank",
                10: "blank",
            },
        ),
        Student(
            "fay_hidden",
            "passes every visible check, fails two hidden ones",
            {**correct, 1: "embed_loops_2d_only", 8: "rope_first_two_pairs"},
        ),
        Student("zed_broken", "notebook is not valid JSON", broken=True),
    ]
    return roster


@dataclass
class DemoResult:
    course: CourseDir
    roster: list[Student]
    scores: list[StudentScores]
    feedback: list[Path]
    grades_csv: Path
    exercise_csv: Path
    report: Path
    failures: list[tuple[str, str]]
    course_files: list[Path] = field(default_factory=list)  # course-wide CSVs and report
    similarity: Path | None = None  # similarity/<assignment>.html (course.similarity)

    def summary(self) -> str:
        stories = {s.id: s.story for s in self.roster}
        exercises = sorted({e for r in self.scores for e in r.exercises})
        lines = [
            f"{'student':<26} {'score':>6} {'late':>5}  {' '.join(e[2:] for e in exercises)}  story",
            "-" * 100,
        ]
        for r in self.scores:
            per_ex = " ".join(
                f"{r.exercises[e].tests:>2g}" if e in r.exercises else " -" for e in exercises
            )
            late = f"-{r.late_penalty:g}" if r.late_penalty else ""
            lines.append(
                f"{r.student_id:<26} {r.score:>6g} {late:>5}  {per_ex}  {stories.get(r.student_id, '')}"
            )
        for student, reason in self.failures:
            reason = reason if len(reason) <= 90 else reason[:87] + "..."
            lines.append(f"{student:<26} {'—':>6} {'':>5}  not graded: {reason}")
        top = max((r.max_score for r in self.scores), default=0)
        lines += [
            "-" * 100,
            f"Scores out of {top:g} (autograded points per exercise shown; written answers await formgrader).",
            f"Class directory: {self.course.root}",
            f"Report:          {self.report}",
            f"Feedback:        {self.course.feedback}/<student>/{ASSIGNMENT}/{NOTEBOOK}.html "
            f"({len(self.feedback)} files)",
            f"Grades:          {self.grades_csv}",
            f"Per exercise:    {self.exercise_csv}",
        ]
        lines += [f"Course-wide:     {p}" for p in self.course_files]
        if self.similarity:
            lines.append(f"Similarity:      {self.similarity} (pairs for review)")
        return "\n".join(lines)


def _fresh_course(root: Path) -> CourseDir:
    if root.exists():
        if not (root / MARKER).exists():
            raise DemoRefused(f"{root} exists and is not a demo class; refusing to overwrite it")
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / MARKER).write_text(
        "Made by `python -m course demo`; deleted and rebuilt by each run.\n"
    )
    return new_course(root)


def write_class(course: CourseDir, roster: list[Student], assignment: str = ASSIGNMENT) -> None:
    """Put every student's notebook under submitted/, with nbgrader's timestamp.txt."""
    for i, student in enumerate(roster):
        when = DUE + (timedelta(days=2) if student.late else -timedelta(hours=len(roster) - i))
        stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        if student.broken:
            folder = course.submission_dir(student.id, assignment)
            folder.mkdir(parents=True)
            (folder / f"{NOTEBOOK}.ipynb").write_text('{"cells": [ this is not json')
            (folder / "timestamp.txt").write_text(stamp)
            continue
        nb = mc.student_notebook(student.answers, course=course, assignment=assignment)
        mc.write_submission(nb, course, student.id, assignment, timestamp=stamp)


def grade_class(
    course: CourseDir,
    assignment: str = ASSIGNMENT,
    workers: int | None = None,
    progress: bool = True,
    grader: str = "course",
) -> list[tuple[str, str]]:
    """Grade with the course's parallel grader (grader="course") or serial `nbgrader autograde`.

    Returns (student, reason) for submissions that could not be graded.
    """
    if grader == "course":
        from .grading.run import grade

        summary = grade(
            course=course, assignment=assignment, workers=workers, force=True, progress=progress
        )
        return sorted(summary.failed.items())
    # nbgrader logs a submission it cannot grade and goes on with the rest.
    run_nbgrader(course.root, "autograde", assignment, "--force", check=False)
    graded = {
        p.parent.parent.name for p in course.autograded.glob(f"*/{assignment}/{NOTEBOOK}.ipynb")
    }
    return [
        (s.name, "nbgrader autograde could not grade it")
        for s in sorted(course.submitted.iterdir())
        if s.is_dir() and s.name not in graded
    ]


def demo(
    root: Path = DEMO_ROOT,
    roster: list[Student] | None = None,
    assignment: str = ASSIGNMENT,
    workers: int | None = None,
    progress: bool = True,
    grader: str = "course",
) -> DemoResult:
    """Build, grade and report a synthetic class in `root` (rebuilt from scratch every run).

    grader: "course" (course.grading, parallel) or "nbgrader" (plain serial `nbgrader autograde`).
    """
    roster = default_roster() if roster is None else roster
    course = _fresh_course(Path(root))
    generate(course, assignment)  # nbgrader generate_assignment: the gradebook's cells
    add_short_assignment(course, SHORT_DUE)  # a second assignment, as an instructor adds one
    sync_due_dates(course)  # course.toml's due dates -> the gradebook
    write_class(course, roster, assignment)
    write_short_class(course, roster, SHORT_DUE)
    for student in roster:
        if student.extension:
            extend(course=course, student=student.id, assignment=assignment, days=EXTENSION_DAYS)
    failures = grade_class(course, assignment, workers, progress, grader)
    grade_class(course, SHORT, workers, progress, grader)
    apply_penalties(course)
    course_files = export_course(course=course) + [course_report(course=course)]
    feedback = generate_feedback(course=course, assignment=assignment)
    grades_csv, exercise_csv = export(course=course, assignment=assignment)
    page = report(course=course, assignment=assignment, failures=failures)
    similar = write_similarity(compare_submissions(course, assignment), course)
    failed = {student for student, _ in failures}
    scores = [r for r in exercise_scores(assignment, course) if r.student_id not in failed]
    return DemoResult(
        course,
        roster,
        scores,
        feedback,
        grades_csv,
        exercise_csv,
        page,
        failures,
        course_files,
        similar,
    )
