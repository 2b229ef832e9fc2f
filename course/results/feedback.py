"""Per-student HTML feedback from nbgrader's own `generate_feedback`, without the hidden tests.

nbgrader renders the autograded notebook as it ran, so every hidden test's code and its traceback
reach the student (upstream #917). `HideHiddenTests` runs inside nbgrader's GenerateFeedback
pipeline, right after GetGrades (so scores, comments and the late penalty still render): each
test cell shows the release version of its source (what ClearHiddenTests hands students), keeps
its printed `PASS - ...`/`FAIL - ...` and `hint:` lines (the check messages students need), and an
error keeps only its last line, `ExceptionName: message`, because a traceback quotes the code.

Runs in: the CLI process, inside nbgrader's GenerateFeedback (NbGraderAPI).
"""

from __future__ import annotations

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor

from course.errors import FeedbackFailed
from course.nb import Delimiters, is_test_cell, load_config, region_lines
from course.paths import ASSIGNMENT, CourseDir


def hidden_lines(source: str, delimiters: Delimiters = Delimiters()) -> set[str]:
    """The stripped non-empty lines between the hidden-test delimiters of one cell's source."""
    return {ln.strip() for ln in region_lines(source, delimiters.hidden_tests) if ln.strip()}


def _scrub_text(text: str, secret: set[str]) -> str:
    # A warning on stderr quotes the source line that raised it; drop any line that is hidden code.
    return "".join(line for line in text.splitlines(keepends=True) if line.strip() not in secret)


def hide_hidden_tests(cell, clearer: ClearHiddenTests | None = None) -> None:
    """Make one executed test cell safe to show: release source, messages kept, no traceback.

    clearer: nbgrader's ClearHiddenTests as configured for the course (its delimiters)."""
    clearer = clearer or ClearHiddenTests(enforce_metadata=False)
    hidden = (clearer.begin_test_delimeter, clearer.end_test_delimeter)
    secret = hidden_lines(cell.source, Delimiters(hidden_tests=hidden))
    clearer._remove_hidden_test_region(cell)
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
        if is_test_cell(cell):
            hide_hidden_tests(cell, ClearHiddenTests(parent=self, enforce_metadata=False))
        return cell, resources


FEEDBACK_PREPROCESSORS = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]


def generate_feedback(
    *,
    course: CourseDir = CourseDir(),
    assignment: str = ASSIGNMENT,
    student: str | None = None,
    force: bool = True,
    students: list[str] | None = None,
) -> list[Path]:
    """Write feedback/<student>/<assignment>/*.html for every autograded student (or one, or
    the `students` given: ONE nbgrader run for all of them, see below).

    Returns the HTML files written. Raises FeedbackFailed with nbgrader's log if it fails.
    """
    if students is not None:
        # nbgrader's student_id is one glob; a set of students is "*" minus the others
        # (its own student_id_exclude). One run pays nbgrader's and nbconvert's setup once,
        # ~0.8 s a run at load 16 on 2 cores (4 students: 12.1 s one by one, 9.0 s in one run).
        graded = {p.parent.name for p in course.autograded.glob(f"*/{assignment}")}
        if not graded & set(students):
            return []
        exclude = ",".join(sorted(graded - set(students)))
    elif not any(course.autograded.glob(f"{student or '*'}/{assignment}/*.ipynb")):
        return []  # nbgrader treats "nothing graded yet" as an error; for us it is no feedback
    config = load_config(course.root)
    config.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
    if students is not None:
        config.CourseDirectory.student_id_exclude = exclude
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.generate_feedback(assignment, student_id=student, force=force)
    if not result.get("success"):
        raise FeedbackFailed(
            f"nbgrader generate_feedback failed:\n{result.get('error') or ''}\n"
            f"{result.get('log') or ''}"
        )
    if students is None:
        students = (
            [student]
            if student
            else sorted(p.name for p in course.feedback.iterdir() if p.is_dir())
        )
    return sorted(f for s in students for f in (course.feedback / s / assignment).glob("*.html"))
