"""Where the course directory's nbgrader steps live: the one place that knows the layout.

Runs in: the grader/CLI process. Every file the tool reads or writes under a course directory
is named here (the sandboxed worker sees no course directory at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "math-for-llms"  # nbgrader_config.py reads it from here
ASSIGNMENT = "embedding_space_math"
NOTEBOOK = "exercises"


@dataclass(frozen=True)
class CourseDir:
    """An nbgrader course directory: the repo itself, or a scratch copy (demo, tests, bench)."""

    root: Path = REPO

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    @property
    def nbgrader_config(self) -> Path:
        """The course's nbgrader configuration (written by `new_course` for scratch courses)."""
        return self.root / "nbgrader_config.py"

    # --- what `python -m course grade` keeps next to nbgrader's autograded/ ----------------
    def grade_state(self, assignment: str = ASSIGNMENT) -> Path:
        """{student: {sha256, graded_at}} of what was graded (resume / up-to-date check)."""
        return self.autograded / f".grade-state-{assignment}.json"

    def grade_failures(self, assignment: str = ASSIGNMENT) -> Path:
        """{student: reason} of submissions that could not be graded (read by the report)."""
        return self.autograded / f".grade-failures-{assignment}.json"

    def grade_log(self, assignment: str = ASSIGNMENT) -> Path:
        """nbgrader's log of the last grade run (replaced by each run, once it holds the lock)."""
        return self.autograded / f".grade-{assignment}.log"

    def grade_lock(self, assignment: str = ASSIGNMENT) -> Path:
        """flock'ed by a grade run for its whole duration."""
        return self.autograded / f".grade-{assignment}.lock"

    def integrity_flags(self, student: str, assignment: str = ASSIGNMENT) -> Path:
        """The integrity flags of one graded submission (course.integrity)."""
        return self.autograded / student / assignment / "integrity.json"

    # --- results -------------------------------------------------------------------------
    @property
    def grades_csv(self) -> Path:
        """nbgrader's own grades.csv columns (`python -m course export`)."""
        return self.root / "grades.csv"

    def report_html(self, assignment: str = ASSIGNMENT) -> Path:
        """The class report (`python -m course report`)."""
        return self.root / "report" / f"{assignment}.html"

    @property
    def exercise_csv(self) -> Path:
        """Points per exercise, one row per graded student (`python -m course export`)."""
        return self.root / "grades_by_exercise.csv"

    # --- the term (course.toml): course-wide results, arrivals, regrade diffs ---------------
    @property
    def course_toml(self) -> Path:
        return self.root / "course.toml"

    @property
    def course_csv(self) -> Path:
        """One row per student, one column per assignment (course.results.course_export)."""
        return self.root / "grades_course.csv"

    @property
    def canvas_csv(self) -> Path:
        return self.root / "canvas.csv"

    @property
    def lateness_csv(self) -> Path:
        return self.root / "lateness.csv"

    def course_exercise_csv(self, assignment: str) -> Path:
        return self.root / f"grades_by_exercise_{assignment}.csv"

    @property
    def course_report_html(self) -> Path:
        return self.root / "report" / "index.html"

    def arrivals(self, assignment: str = ASSIGNMENT) -> Path:
        """{student: {arrived, claimed, source, entry}}: when the server saw each submission."""
        return self.submitted / f".arrivals-{assignment}.json"

    def regrade_csv(self, assignment: str, stamp: str) -> Path:
        return self.autograded / f"regrade-{assignment}-{stamp}.csv"

    def source_notebook(self, assignment: str = ASSIGNMENT, notebook: str = NOTEBOOK) -> Path:
        return self.source / assignment / f"{notebook}.ipynb"

    def release_notebook(self, assignment: str = ASSIGNMENT, notebook: str = NOTEBOOK) -> Path:
        return self.release / assignment / f"{notebook}.ipynb"

    def submission_dir(self, student: str, assignment: str = ASSIGNMENT) -> Path:
        return self.submitted / student / assignment

    def autograded_notebook(
        self, student: str, assignment: str = ASSIGNMENT, notebook: str = NOTEBOOK
    ) -> Path:
        return self.autograded / student / assignment / f"{notebook}.ipynb"


def new_course(root: Path, extra_config: str = "") -> CourseDir:
    """A scratch course directory (demo, tests, benchmarks) holding this repository's source/,
    release/, course.toml and nbgrader_config.py (plus extra_config appended), and no student work."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    for step in ("source", "release"):
        shutil.copytree(REPO / step, root / step)
    course = CourseDir(root)
    shutil.copy2(CourseDir(REPO).course_toml, course.course_toml)
    course.nbgrader_config.write_text(CourseDir(REPO).nbgrader_config.read_text() + extra_config)
    return course
