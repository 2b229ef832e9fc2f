"""Per-student HTML feedback from nbgrader's own `generate_feedback`, without the hidden tests.

nbgrader renders the autograded notebook as it ran, so every hidden test's code and its traceback
reach the student (upstream #917). `HideHiddenTests` runs inside nbgrader's GenerateFeedback
pipeline, right after GetGrades (so scores, comments and the late penalty still render): each
test cell shows the release version of its source (what ClearHiddenTests hands students), keeps
its printed `PASS - ...`/`FAIL - ...` and `hint:` lines (the check messages students need), and an
error keeps only its last line, `ExceptionName: message`, because a traceback quotes the code.
"""

from __future__ import annotations

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader import utils
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from ..paths import ASSIGNMENT, CourseDir


class FeedbackFailed(Exception):
    """nbgrader could not write the feedback; the message carries its log."""


def _is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def hidden_lines(source: str) -> set[str]:
    """The stripped non-empty lines between the hidden-test markers of one cell's source."""
    clearer = ClearHiddenTests()
    lines, inside = set(), False
    for line in source.split("\n"):
        if clearer.begin_test_delimeter in line:
            inside = True
        elif clearer.end_test_delimeter in line:
            inside = False
        elif inside and line.strip():
            lines.add(line.strip())
    return lines


def _scrub_text(text: str, secret: set[str]) -> str:
    # A warning on stderr quotes the source line that raised it; drop any line that is hidden code.
    return "".join(line for line in text.splitlines(keepends=True) if line.strip() not in secret)


def hide_hidden_tests(cell) -> None:
    """Make one executed test cell safe to show: release source, messages kept, no traceback."""
    secret = hidden_lines(cell.source)
    ClearHiddenTests(enforce_metadata=False)._remove_hidden_test_region(cell)
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            out.text = _scrub_text(out.text, secret)
        elif out.output_type == "error":
            out.traceback = [f"{out.ename}: {out.evalue}"]
        elif "text/plain" in out.get("data", {}):
            out.data["text/plain"] = _scrub_text(out.data["text/plain"], secret)


class HideHiddenTests(NbGraderPreprocessor):
    """GenerateFeedback preprocessor: apply `hide_hidden_tests` to every graded test cell."""

    def preprocess_cell(self, cell, resources, cell_index):
        if _is_test_cell(cell):
            hide_hidden_tests(cell)
        return cell, resources


FEEDBACK_PREPROCESSORS = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]


def _nbgrader_config(course: CourseDir) -> Config:
    config = Config()
    config_file = course.root / "nbgrader_config.py"
    if config_file.exists():
        config.merge(PyFileConfigLoader(config_file.name, path=str(course.root)).load_config())
    config.CourseDirectory.root = str(course.root)
    config.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
    return config


def generate_feedback(
    assignment: str = ASSIGNMENT,
    course: CourseDir = CourseDir(),
    student: str | None = None,
    force: bool = True,
) -> list[Path]:
    """Write feedback/<student>/<assignment>/*.html for every autograded student (or one).

    Returns the HTML files written. Raises FeedbackFailed with nbgrader's log if it fails.
    """
    if not any(course.autograded.glob(f"{student or '*'}/{assignment}/*.ipynb")):
        return []  # nbgrader treats "nothing graded yet" as an error; for us it is no feedback
    config = _nbgrader_config(course)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.generate_feedback(assignment, student_id=student, force=force)
    if not result.get("success"):
        raise FeedbackFailed(
            f"nbgrader generate_feedback failed:\n{result.get('error') or ''}\n"
            f"{result.get('log') or ''}"
        )
    students = (
        [student]
        if student
        else sorted(p.name for p in course.feedback.iterdir() if p.is_dir())
    )
    return sorted(
        f for s in students for f in (course.feedback / s / assignment).glob("*.html")
    )
