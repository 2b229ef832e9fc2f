"""Take the README's pictures of the course site with the browser test's own automation.

    python tests/browser/site_screenshots.py    # writes docs/site-assignment.png, docs/site-phone.png

The assignment page is shot at Exercise 3 (statement with typeset math, the answer cell, the
test cell and the figure drawn by the reference solution); the phone shot is the top of the
same page at 390 px in dark mode.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

import jlab_ui as ui  # noqa: E402
import site_flow  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from course.paths import REPO, new_course  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        course = new_course(Path(tmp) / "course")
        browser = p.chromium.launch(executable_path=ui.CHROMIUM, args=ui.CHROMIUM_ARGS)
        with site_flow.served(course, Path(tmp) / "site") as url:
            page = browser.new_page(viewport={"width": 1100, "height": 2400})
            page.goto(url + "embedding_space_math/exercises.html")
            page.locator(".MathJax_Display").first.wait_for()
            page.evaluate("document.querySelector('h2[id^=\"Exercise-3\"]').scrollIntoView()")
            page.evaluate("window.scrollBy(0, -70)")
            page.wait_for_function(
                "() => [...document.images].filter(i => i.getBoundingClientRect().top < innerHeight)"
                ".every(i => i.complete && i.naturalWidth > 0)"
            )
            page.screenshot(path=str(REPO / "docs" / "site-assignment.png"))

            phone = browser.new_page(
                viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True
            )
            phone.goto(url + "embedding_space_math/exercises.html")
            phone.screenshot(path=str(REPO / "docs" / "site-phone.png"))
        browser.close()
    print("wrote docs/site-assignment.png and docs/site-phone.png")


if __name__ == "__main__":
    main()
