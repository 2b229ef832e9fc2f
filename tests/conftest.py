"""Shared fixtures: throwaway course directories, so tests never touch the repo's own class."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader import utils as nbg_utils

from course.paths import REPO, CourseDir, new_course

# nbgrader's Gradebook shells out to `alembic`; make the venv's tools reachable however pytest was started.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture
def course_copy(tmp_path) -> CourseDir:
    return new_course(tmp_path / "course")


def with_hidden_tests(nb, course: CourseDir = CourseDir()):
    """Put the instructor's locked cells (test cells with hidden tests) back, as nbgrader's OverwriteCells does."""
    source = nbformat.read(course.source_notebook(), as_version=4)
    locked = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("locked")
    }
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in locked:
            cell.source = locked[gid]
    return nb


def execute_and_score(
    nb, cwd: Path | None = None, hidden: bool = True
) -> dict[str, tuple[float, float]]:
    """Run a notebook in a real kernel and score its test cells the way nbgrader does
    (with the hidden tests restored unless hidden=False)."""
    nb = with_hidden_tests(nb) if hidden else nbformat.from_dict(nb)
    NotebookClient(
        nb,
        timeout=60,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd or REPO)}},
    ).execute()
    scores = {}
    for cell in nb.cells:
        if nbg_utils.is_grade(cell) and cell.cell_type == "code":
            score, max_score = nbg_utils.determine_grade(cell)
            scores[cell.metadata["nbgrader"]["grade_id"]] = (score, max_score)
    return scores


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright, one for the whole session: the JupyterLab, site and hub
    browser tests share it (a second sync_playwright() inside the first one's loop refuses to start)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))
    import jlab_ui as ui
    from playwright.sync_api import sync_playwright

    if not os.path.exists(ui.CHROMIUM):
        pytest.fail(
            f"{ui.CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=ui.CHROMIUM, args=ui.CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
