"""Take the README's pictures with the browser test's own automation.

    python tests/browser/screenshots.py            # writes docs/student-notebook.png, docs/grading-report.png

The student's notebook is shot mid-session (after running the answered exercises, before
Validate). The grading report is the HTML of `python -m course report` for a class: the browser
student plus the demo class's synthetic students (course.demo), so the page has something to show.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the helpers next to this file (flow, jlab_ui)

import flow  # noqa: E402
import jlab_ui as ui  # noqa: E402
from playwright.sync_api import Locator, Page, sync_playwright  # noqa: E402

from course.demo import default_roster, write_class  # noqa: E402
from course.paths import ASSIGNMENT, REPO, CourseDir  # noqa: E402

NOTEBOOK_VIEW = {"width": 1280, "height": 1800}
REPORT_VIEW = {"width": 1280, "height": 1500}


def shoot_notebook(out: Path):
    """A before_validate hook: the wrong exercise's FAIL, then the right one's PASS and its figure."""

    def hook(page: Page, panel: Locator, ids: dict[str, int]) -> None:
        page.set_viewport_size(NOTEBOOK_VIEW)
        # Give the notebook the width: collapse the file browser (click its active sidebar tab).
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
        # Fold the long test and figure code (the student's blue-bar click) so one screen holds
        # the typed answers, the FAIL with its hint, the PASS and the figure.
        folded = [
            ui.cell(panel, ids[g])
            for g in ("ex04_analogy_target_tests", "ex05_center_tests", "ex05_figure")
        ]
        for c in folded:
            c.locator(".jp-InputCollapser").click()
        top = ui.cell(panel, ids["ex04_analogy_target"])
        top.locator(
            ".jp-InputPrompt"
        ).click()  # the active cell's blue bar sits on the wrong answer
        top.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)  # let the windowed notebook render what scrolled in
        page.screenshot(path=str(out))
        for c in folded:
            c.locator(".jp-InputCollapser").click()
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab").first.click()
        page.set_viewport_size({"width": 1400, "height": 1000})

    return hook


def build_report(course: CourseDir) -> Path:
    """`python -m course report` on the graded course; returns the HTML page it wrote."""
    out = flow.course_cli(course, "report", ASSIGNMENT)
    return Path(re.search(r"wrote (\S+\.html)", out).group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        course, exchange = flow.course_copy(tmp / "course"), tmp / "exchange"
        flow.instructor_release(course, exchange)
        lab = flow.start_student(tmp / "student-home", exchange)
        browser = p.chromium.launch(executable_path=ui.CHROMIUM, args=ui.CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            flow.student_session(
                page,
                lab,
                course.release_notebook(),
                before_validate=shoot_notebook(args.out / "student-notebook.png"),
            )
            print(f"wrote {args.out / 'student-notebook.png'}")
        finally:
            lab.stop()
        write_class(course, [s for s in default_roster() if not s.broken])
        flow.instructor_collect_and_grade(course, exchange)
        report = build_report(course)
        page = browser.new_page(viewport=REPORT_VIEW)
        page.goto(report.as_uri())
        page.screenshot(path=str(args.out / "grading-report.png"))  # the top: tiles, scores, table
        print(f"wrote {args.out / 'grading-report.png'} from {report}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
