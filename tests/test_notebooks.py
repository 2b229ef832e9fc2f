"""The committed notebooks themselves: clean, well-formed, and in step with each other."""

from __future__ import annotations

import re

import nbformat
import pytest

from course.paths import CourseDir

NOTEBOOKS = sorted(
    p
    for step in ("source", "release")
    for p in (CourseDir().root / step).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
POINTS = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3, 9: 2, 10: 2}


def test_there_are_notebooks():
    assert {p.parent.parent.name for p in NOTEBOOKS} == {"source", "release"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_committed_notebooks_have_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        c.id
        for c in nb.cells
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, f"{path}: cells with outputs or execution counts: {dirty}"


def _graded(nb):
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }


def test_points_follow_the_stars_and_headings_show_them():
    nb = nbformat.read(CourseDir().source_notebook(), as_version=4)
    graded = _graded(nb)
    for n, stars in POINTS.items():
        tests = [
            c
            for gid, c in graded.items()
            if gid.startswith(f"ex{n:02d}_") and gid.endswith("_tests")
        ]
        assert len(tests) == 1 and tests[0].metadata["nbgrader"]["points"] == stars, f"exercise {n}"
        assert graded[f"ex{n:02d}_explain"].metadata["nbgrader"]["points"] == 1
        heading = next(c.source for c in nb.cells if c.source.startswith(f"## Exercise {n}:"))
        assert "★" * stars + ")" in heading and f"{stars} point" in heading


def test_grade_ids_are_readable_and_unique():
    nb = nbformat.read(CourseDir().source_notebook(), as_version=4)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9_]+", i) for i in ids), ids
    assert not any(re.fullmatch(r"cell-[0-9a-f]+", i) for i in ids)


def test_test_and_readonly_cells_are_locked_and_test_cells_carry_a_docstring():
    nb = nbformat.read(CourseDir().source_notebook(), as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            assert meta["locked"], meta["grade_id"]
            assert cell.source.startswith('"""') and cell.source.splitlines()[0].endswith('"""'), (
                meta["grade_id"]
            )
        if meta and not meta.get("solution"):
            assert meta["locked"], meta["grade_id"]


def test_release_has_named_stubs_and_no_solutions():
    nb = nbformat.read(CourseDir().release_notebook(), as_version=4)
    answers = [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    ]
    assert len(answers) == 10
    for cell in answers:
        for fn in re.findall(r"^def (\w+)\(", cell.source, re.M):
            assert f'raise NotImplementedError("{fn}() is not written yet' in cell.source, fn
    written = [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "markdown"
    ]
    assert len(written) == 10 and all(c.source == "YOUR ANSWER HERE" for c in written)


def test_seed_worked_examples_are_kept():
    text = "\n".join(
        c.source for c in nbformat.read(CourseDir().release_notebook(), as_version=4).cells
    )
    for line in [
        'print("Shape:"',
        'print("Product:"',
        'show("Rotated", rot)',
        'print("Untied:", untied, "Tied:", tied)',
        '"B x T ids become B x T x d vectors"',
        '"one-hot lookup matches direct row"',
        '"aligned vector is more similar"',
        '"offset arithmetic is consistent"',
        '"centering removes mean vector"',
        '"target row gradient is negative along h"',
        'name="position-zero sine"',
        'name="RoPE preserves pair norm"',
        'name="distance three penalty"',
        '"tying halves input/output embedding table parameters"',
    ]:
        assert line in text, line
