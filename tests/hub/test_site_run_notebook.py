"""The course site's Run notebook in hub mode, on the real course hub: a logged-in student who
clicks it on an assignment page lands in their own JupyterLab with the fetched notebook open.

Runs after the other hub tests (file order) on the session's hub, as hubctl.ADA, who has fetched
the assignment by then (fetched here with nbgrader's own command when run alone). Costs one
site build and one page load on a spawned server (~10 s when the hub is already up)."""

from __future__ import annotations

import sys
from pathlib import Path

import hub_people as hp
import hubctl
import pytest
from playwright.sync_api import expect

from course.paths import ASSIGNMENT, new_course

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
import site_flow  # noqa: E402

pytestmark = [pytest.mark.hub, pytest.mark.browser]
STUDENT = hubctl.ADA


def test_run_notebook_opens_the_fetched_notebook_in_the_students_jupyterlab(
    hub, chromium, tmp_path
):
    fetched = f"{ASSIGNMENT}/exercises.ipynb"
    if hubctl.run_as(STUDENT, f"test -f {fetched}", check=False, hub=hub).returncode != 0:
        hubctl.run_as(STUDENT, f"nbgrader fetch_assignment {ASSIGNMENT}", hub=hub)
    course = new_course(tmp_path / "course")
    with site_flow.served(course, tmp_path / "site", hub_url=hub.url) as site:
        context = chromium.new_context(viewport={"width": 1300, "height": 950})
        try:
            page = hp.login(context, hub, STUDENT)
            hp.wait_lab(page)
            page.goto(site + f"{ASSIGNMENT}/exercises.html")
            page.locator("#run-notebook").click()
            page.wait_for_url(f"{hub.url}/user/{STUDENT}/lab/tree/{fetched}*", timeout=120_000)
            tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
            expect(tab).to_contain_text("exercises.ipynb", timeout=120_000)
            panel = page.locator(".jp-NotebookPanel:visible")
            expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=60_000)
        finally:
            context.close()
