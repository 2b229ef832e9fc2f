"""Tiny notebooks for unit tests, built cell by cell as in nbgrader's tests/preprocessors."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _nbgrader(cell, grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade_id": grade_id, "grade": grade, "solution": solution, "locked": locked}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = {**meta, "schema_version": 3}
    return cell


def answer(source: str, grade_id: str = "ex01_f"):
    """A code cell the student writes."""
    return _nbgrader(new_code_cell(source), grade_id, solution=True)


def locked_test(source: str, grade_id: str = "ex01_f_tests", points: float = 1):
    """An autograded, locked test cell."""
    return _nbgrader(new_code_cell(source), grade_id, grade=True, locked=True, points=points)


def helper(source: str, grade_id: str = "helpers"):
    """A locked, ungraded code cell (setup, check helpers)."""
    return _nbgrader(new_code_cell(source), grade_id, locked=True)


def written(grade_id: str = "ex01_explain", source: str = "YOUR ANSWER HERE"):
    """A markdown answer graded by hand."""
    return _nbgrader(new_markdown_cell(source), grade_id, grade=True, solution=True, points=1)


def plain(source: str):
    """A code cell without nbgrader metadata (one the student added)."""
    return new_code_cell(source)


def notebook(*cells):
    return new_notebook(cells=list(cells))


def stream(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)
