"""The similarity report in Chromium: ranked pairs, the side-by-side view of the top pair with
its matching regions highlighted, worded for review, and no student script running.

The report is a static file (opened as file://), so no server or JupyterLab is started; the
class is the planted-copies class of 16 plus two students whose copied answer carries HTML
and script. Run under the machine-wide lock: flock /tmp/mfl-hub.lock pytest -m browser ...
"""

from __future__ import annotations

import nbformat
import pytest

from course.authoring.similar import build
from course.authoring.similar.planted import ASSIGNMENT
from course.paths import new_course
from course.similarity.compare import compare
from course.similarity.report import write_html

pytestmark = pytest.mark.browser

HOSTILE = (
    "s = '<img src=x onerror=\"document.title=`pwned`\">'\n"
    "    t = [k * 3 for k in range(7) if k % 2] + [len(s)]\n"
    "    return np.cumsum(t)[::-1] * position"
)


def _copied(course, student: str) -> None:
    nb = nbformat.read(course.release_notebook(ASSIGNMENT), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex08_rope_rotate":
            cell.source = cell.source.replace('raise NotImplementedError("rope', HOSTILE + "\n#")
    folder = course.submission_dir(student, ASSIGNMENT)
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "exercises.ipynb")


def test_report_shows_highlighted_side_by_side_view(chromium, tmp_path):
    course = new_course(tmp_path / "course")
    truth = build(course, n_honest=10, seed=1)
    for student in ("zoe_hostile", "zed_hostile"):
        _copied(course, student)
    report = write_html(compare(course, ASSIGNMENT), course)

    context = chromium.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(report.as_uri())
        assert "for review" in page.title()
        assert "not a finding of misconduct" in page.locator(".note").inner_text()

        rows = page.locator("tr.pair-row")
        first = rows.first.inner_text()
        assert any(src in first and copy in first for src, copy in truth["planted"])

        rows.first.locator("a").click()
        assert page.evaluate("location.hash") == "#pair-1"
        view = page.locator("#pair-1 .side-by-side").first
        view.scroll_into_view_if_needed()
        cells = view.locator("pre.cell")
        assert cells.count() == 2
        left, right = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
        assert left and right and left["x"] + left["width"] <= right["x"]  # side by side
        assert abs(left["y"] - right["y"]) < 40
        for i in range(2):
            mark = cells.nth(i).locator("mark.match").first
            assert mark.is_visible()
            colour = mark.evaluate("m => getComputedStyle(m).backgroundColor")
            assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        page.screenshot(path=str(tmp_path / "similarity-report.png"))

        # The hostile pair's cells are shown as text: the markup is visible, nothing ran.
        hostile = page.locator(".pair", has_text="zoe_hostile").first
        assert 'onerror="document.title' in hostile.inner_text()
        assert hostile.locator("img").count() == 0
        assert page.title() != "pwned" and not dialogs
    finally:
        context.close()
