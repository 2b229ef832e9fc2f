"""`python -m course release`: regenerates the student version and refuses a misleading one."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from course.authoring.release import ReleaseRefused, check_no_leaks, release
from course.paths import REPO, CourseDir

VOLATILE = ("execution", "collapsed", "scrolled")


def _run_cli(course: CourseDir):
    return subprocess.run(
        [sys.executable, "-m", "course", "--course", str(course.root), "release"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def _comparable(nb):
    return [
        (c.cell_type, c.source, {k: v for k, v in c.metadata.items() if k not in VOLATILE})
        for c in nb.cells
    ]


@pytest.mark.slow
def test_committed_release_equals_a_fresh_regeneration(course_copy):
    proc = _run_cli(course_copy)
    assert proc.returncode == 0, proc.stderr
    fresh = nbformat.read(course_copy.release_notebook(), as_version=4)
    committed = nbformat.read(CourseDir().release_notebook(), as_version=4)
    assert _comparable(fresh) == _comparable(committed), (
        "release/ is stale: run `python -m course release`"
    )
    assert course_copy.gradebook.exists(), (
        "generate_assignment should record the assignment in the gradebook"
    )


def _edit_cell(course: CourseDir, grade_id: str, edit) -> None:
    path = course.source_notebook()
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = edit(cell.source)
    nbformat.write(nb, path)


@pytest.mark.slow
def test_refuses_when_the_solution_fails_a_test_and_keeps_the_old_release(course_copy):
    before = course_copy.release_notebook().read_bytes()
    _edit_cell(
        course_copy,
        "ex09_alibi_bias",
        lambda s: s.replace("return slope * dist", "return -slope * dist"),
    )
    proc = _run_cli(course_copy)
    assert proc.returncode != 0
    assert "release refused" in proc.stderr and "ex09_alibi_bias_tests" in proc.stderr
    assert course_copy.release_notebook().read_bytes() == before


@pytest.mark.slow
def test_refuses_a_test_cell_that_passes_on_the_blank_notebook(course_copy):
    before = course_copy.release_notebook().read_bytes()
    # A test that never calls the student's function gives free points.
    _edit_cell(
        course_copy,
        "ex10_embedding_params_tests",
        lambda s: s.split("vocab, d")[0] + 'check_true(True, "always passes")\n',
    )
    with pytest.raises(ReleaseRefused, match="ex10_embedding_params_tests"):
        release(course=course_copy)
    assert course_copy.release_notebook().read_bytes() == before


def test_leak_check_finds_solution_text_in_the_release(tmp_path):
    source = CourseDir().source_notebook()
    leaked = nbformat.read(CourseDir().release_notebook(), as_version=4)
    leaked.cells[0].source += "\n    return np.outer(p - np.eye(len(p))[y], h)"
    path = tmp_path / "leaky.ipynb"
    nbformat.write(leaked, path)
    with pytest.raises(ReleaseRefused, match="ex06_output_row_grad"):
        check_no_leaks(source, path)
    check_no_leaks(source, CourseDir().release_notebook())  # the committed release is clean
