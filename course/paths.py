"""Where the course directory's nbgrader steps live: the one place that knows the layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "math-for-llms"
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
    shutil.copy2(REPO / "course.toml", root / "course.toml")
    (root / "nbgrader_config.py").write_text(
        (REPO / "nbgrader_config.py").read_text() + extra_config
    )
    return CourseDir(root)
