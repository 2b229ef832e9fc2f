"""Every source notebook carries the shared setup/check cells exactly as the canonical files
(course/authoring/shared_cells/) say, and `release` refreshes a notebook that drifted."""

from __future__ import annotations

import nbformat
import pytest

from course.authoring import shared_cells
from course.paths import CourseDir

SOURCES = sorted(CourseDir().source.glob("*/*.ipynb"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_source_notebooks_carry_the_canonical_shared_cells(path):
    nb = nbformat.read(path, as_version=4)
    assert shared_cells.stale_cells(nb, path) == [], (
        f"{path}: shared cells out of date: run `python -m course release {path.parent.name}`"
    )
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    first_answer = next(
        i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")
    )
    # Above every answer cell, so the grader's guard takes them as trusted helpers.
    assert all(ids.index(gid) < first_answer for gid in shared_cells.SHARED)
    for gid in shared_cells.SHARED:
        meta = nb.cells[ids.index(gid)].metadata["nbgrader"]
        assert meta["locked"] and not meta["grade"] and not meta["solution"]


def test_sync_refreshes_a_drifted_cell_and_names_a_missing_one(tmp_path):
    nb = nbformat.read(SOURCES[0], as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "checks")
    cell.source = cell.source.replace("FAIL", "FIAL")
    path = tmp_path / "drifted.ipynb"
    nbformat.write(nb, path)
    assert shared_cells.sync_notebook(path) == ["checks"]
    assert shared_cells.stale_cells(nbformat.read(path, as_version=4)) == []
    assert shared_cells.sync_notebook(path) == []  # nothing to do the second time

    nb.cells.remove(cell)
    nbformat.write(nb, path)
    with pytest.raises(shared_cells.SharedCellMissing, match=r"drifted.ipynb: .*'checks'"):
        shared_cells.sync_notebook(path)
