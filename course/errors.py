"""The tool's expected failures: one hierarchy, mapped to exit codes by `python -m course`.

Runs in: whichever process raises (grader/CLI). Every error here is an *expected* failure
(bad input, a refused gate, an nbgrader command that failed): the CLI prints
`<label>: <message>` on stderr and exits with `exit_code`, never a traceback. Anything else is
a bug and keeps its traceback. The message names the file and the reason.
"""

from __future__ import annotations


class CourseError(Exception):
    """Base of every expected failure; `label` starts the CLI's one-line message."""

    exit_code = 1
    label = "error"


class ReleaseRefused(CourseError):
    """The release failed a gate; the message says which cells and why."""

    label = "release refused"


class GradeRefused(CourseError):
    """A grade run cannot start (assignment not released, another run in progress)."""

    exit_code = 2
    label = "grade refused"


class GradingError(CourseError):
    """One submission cannot be graded; the message names the file and the reason.

    Caught per submission by the grade run (it goes into the summary), so the batch goes on."""

    label = "grading failed"


class NbgraderFailed(CourseError):
    """An nbgrader command or API call failed; the message carries the end of its log."""

    label = "nbgrader failed"


class FeedbackFailed(NbgraderFailed):
    """nbgrader could not write the feedback."""

    label = "feedback failed"


class DemoRefused(CourseError):
    """The demo would overwrite a directory it did not make."""

    label = "demo refused"


class SiteRefused(CourseError):
    """The course site was not built: a page or download would publish hidden material, a link
    goes nowhere, or site.toml/course.toml is malformed. The message names the file and line."""

    label = "site refused"


class ArchiveRefused(CourseError):
    """`python -m course archive` would replace an archived term, or the term name is unsafe."""

    label = "archive refused"


class SimilarityRefused(CourseError):
    """The similarity report cannot be made (no release of the assignment, no --against folder)."""

    label = "similarity refused"
