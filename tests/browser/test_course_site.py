"""The course website in Chromium: home -> assignment page, breadcrumb, typeset math, a figure,
Run notebook in both modes, no solution text, a phone-width screen and a dark-mode reader.

One build per test (~4 s CPU; the reference run for figures is cached after the first) and one page load per
check; no JupyterLab is started, so the test stays well under a minute.
"""

from __future__ import annotations

import pytest
import site_flow

pytestmark = pytest.mark.browser

SOLUTION_LINE = "np.asarray(E)[np.asarray(ids)]"  # ex01_embed's solution
HIDDEN_TEST_LINE = "rng.normal(size=(7, 5))"  # ex01_embed_tests' hidden tests


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return site_flow.course_with_formula(tmp_path_factory.mktemp("site") / "course")


def test_student_reads_an_assignment_and_downloads_it(chromium, course, tmp_path):
    with site_flow.served(course, tmp_path / "site") as url:
        context = chromium.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            page.goto(url)
            assert page.locator("h1").first.inner_text() == "Math for LLMs"
            # The home page lists assignments alphabetically (attention_math first): pick this one.
            page.locator('a[href="embedding_space_math/exercises.html"]').first.click()
            page.wait_for_url("**/embedding_space_math/exercises.html")

            crumb = page.locator("nav.breadcrumb")
            assert " ".join(crumb.inner_text().split()) == "Math for LLMs / Embedding Space Math"
            assert crumb.get_by_role("link").get_attribute("href") == "../index.html"

            # MathJax (served from the site) replaced the TeX source with typeset math.
            statement = page.locator(".jp-MarkdownCell", has_text="Cosine similarity compares")
            statement.locator(".MathJax_Display, .MathJax").first.wait_for()
            assert "\\frac" not in statement.inner_text()

            figure = page.locator(".site-figure img").first
            figure.scroll_into_view_if_needed()
            figure.wait_for()
            # loaded lazily, from the site's own folder
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 300", arg=figure.element_handle()
            )

            text = page.locator("body").inner_text()
            assert SOLUTION_LINE not in text and HIDDEN_TEST_LINE not in text
            assert "BEGIN SOLUTION" not in page.content()

            run = page.locator("#run-notebook")
            assert run.inner_text().strip().endswith("Run notebook")
            with page.expect_download() as download:
                run.click()
            saved = tmp_path / "downloaded.ipynb"
            download.value.save_as(saved)
            assert (
                saved.read_bytes() == course.release_notebook("embedding_space_math").read_bytes()
            )
        finally:
            context.close()


def test_run_notebook_opens_the_hub_and_pages_fit_a_phone_in_dark_mode(chromium, course, tmp_path):
    hub = "http://127.0.0.1:8000"
    with site_flow.served(course, tmp_path / "site", hub_url=hub) as url:
        context = chromium.new_context(
            viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            page.goto(url + "embedding_space_math/exercises.html")
            assert page.locator("#run-notebook").get_attribute("href") == (
                f"{hub}/hub/user-redirect/lab/tree/embedding_space_math/exercises.ipynb"
            )
            # Readable on a phone: the page itself never scrolls sideways (wide code scrolls
            # inside its own box), and a dark-mode reader gets a dark page.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert sum(int(v) for v in background[4:-1].split(",")) < 150, background
        finally:
            context.close()
