"""The similarity and archive verbs as plain functions (python -m course similarity / archive
parse their arguments in course.cli and call these).

Runs in: the grader/CLI process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..paths import CourseDir


def similarity(
    *, course: Path, assignments: list[str], against: Path | None = None, as_json: bool = False
) -> int:
    """Write similarity/<assignment>.html for each assignment; with as_json, print the pairs
    as one JSON object per assignment (one per line) and the rest on stderr."""
    from ..errors import SimilarityRefused
    from .compare import compare
    from .report import dumps, write_html

    if against is not None and not Path(against).is_dir():
        raise SimilarityRefused(f"--against {against}: not a folder")
    where = CourseDir(course)
    status = 0
    for assignment in assignments:
        if not (where.release / assignment).is_dir():  # the others are still reported
            print(
                f"similarity refused: {where.release / assignment} is missing: "
                f"run python -m course release {assignment}",
                file=sys.stderr,
            )
            status = 1
            continue
        comparison = compare(where, assignment, against)
        for line in comparison.skipped:
            print(f"not compared: {line}", file=sys.stderr)
        page = write_html(comparison, where)
        if as_json:
            print(dumps(comparison), flush=True)
        print(f"wrote {page} (for review)", file=sys.stderr if as_json else sys.stdout)
    return status


def archive(*, course: Path, term: str | None = None, to: Path | None = None) -> int:
    from .archive import archive as keep

    print(keep(CourseDir(course), term, to).summary())
    return 0
