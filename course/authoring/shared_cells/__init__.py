"""The notebook cells every assignment shares, kept in one place (runs in the instructor's process).

`setup.py` (imports, plot style, colours), `checks.py` (how a check reports and calls student
code: check_true, call, mistakes, the scoreboard) and `numeric_checks.py` (check_close,
check_array, check_equal, grad_check, which use the helpers of `checks.py`) are the canonical
text of three locked code cells, grade_ids "setup", "checks" and "numeric_checks", that every
source notebook carries near its top, in that order. (The check helpers are two cells so that
each canonical file stays readable, split where the reporting machinery ends.) They stay *cells* rather than an
import because students read the helpers they are graded by, and the grader's integrity guard
(course.integrity.guard) recompiles trusted copies of the helper functions from the locked cells before
every test cell: a module students could import would not be in the submission it checks.

`python -m course release` calls `sync_notebook` on the source notebook first, so editing a
canonical file and releasing updates every assignment (refreshing rather than refusing: a
refusal would only make the instructor run a second command, and the result is the same);
tests/test_shared_cells.py fails while any committed source notebook is out of step.
The files are also importable Python, so tests/test_check_helpers.py unit-tests the helpers
without starting a kernel.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from course.errors import CourseError
from course.nb import grade_id as grade_id_of

HERE = Path(__file__).resolve().parent
# grade_id -> canonical file, in the order the cells appear at the top of a notebook.
SHARED = {
    "setup": HERE / "setup.py",
    "checks": HERE / "checks.py",
    "numeric_checks": HERE / "numeric_checks.py",
}


class SharedCellMissing(CourseError):
    """A source notebook lacks one of the shared cells (its message names the file and cell)."""

    label = "release refused"


def text(grade_id: str) -> str:
    return SHARED[grade_id].read_text().rstrip("\n")


def colors() -> dict[str, str]:
    """The course palette, COLORS of the setup cell (the report draws with it too)."""
    for node in ast.parse(text("setup")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COLORS":
            return ast.literal_eval(node.value)
    raise KeyError(f"{SHARED['setup']}: COLORS is not assigned")


def new_cell(grade_id: str):
    """A locked, ungraded code cell holding the canonical text, for building a new notebook."""
    cell = nbformat.v4.new_code_cell(text(grade_id))
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": grade_id,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return cell


def stale_cells(nb, path: Path | str = "notebook") -> list[str]:
    """grade_ids of the shared cells whose text differs from the canonical file."""
    found = {}
    for cell in nb.cells:
        gid = grade_id_of(cell)
        if gid in SHARED:
            found[gid] = cell
    missing = [gid for gid in SHARED if gid not in found]
    if missing:
        raise SharedCellMissing(
            f"{path}: no locked code cell with grade_id {', '.join(map(repr, missing))} "
            "(add it with course.authoring.shared_cells.new_cell)"
        )
    return [gid for gid, cell in found.items() if cell.source != text(gid)]


def uses_shared_cells(nb) -> bool:
    """Whether the notebook carries any of the course's shared cells. One that carries none is an
    ordinary nbgrader notebook with helpers of its own (its locked cells are what the grader's
    guard trusts, course.integrity.helpers), and release leaves it as its author wrote it; one
    that carries some but not all is a mistake, and stale_cells names the missing ones."""
    return any(grade_id_of(cell) in SHARED for cell in nb.cells)


def sync_notebook(path: Path) -> list[str]:
    """Rewrite the shared cells of the notebook at path from the canonical files (only if they
    differ); returns the grade_ids that were refreshed (none for an ordinary nbgrader notebook
    that uses none of them)."""
    nb = nbformat.read(path, as_version=4)
    if not uses_shared_cells(nb):
        return []
    stale = stale_cells(nb, path)
    if stale:
        for cell in nb.cells:
            gid = grade_id_of(cell)
            if gid in stale:
                cell.source = text(gid)
        nbformat.write(nb, path)
    return stale
