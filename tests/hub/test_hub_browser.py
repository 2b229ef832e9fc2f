"""End to end on the course hub in Debian's Chromium: three students (fully correct, partly
correct with hostile answers, broken JSON) log in, fetch, answer, submit and fetch graded
feedback; a student is refused formgrader and another student's files; the instructor sees the
graded submissions in formgrader, no student script runs there, and grades a written answer.

HUB_SCREENSHOTS=1 also writes docs/hub-feedback.png and docs/hub-formgrader.png."""

from __future__ import annotations

import os
import time

import hub_people as hp
import jlab_ui as ui
import pytest
from hubctl import ADA, BEN, CY, IAN
from nbgrader.api import Gradebook
from playwright.sync_api import expect

from course.paths import ASSIGNMENT, REPO

pytestmark = [pytest.mark.hub, pytest.mark.browser]
STUDENTS = (ADA, BEN, CY)
SHOTS = os.environ.get("HUB_SCREENSHOTS") == "1"


def scores(hub) -> dict[str, tuple[float, ...]]:
    with Gradebook(hub.course.db_url) as gb:
        out = {}
        for s in STUDENTS:
            try:
                nb = gb.find_submission_notebook("exercises", ASSIGNMENT, s)
            except Exception:  # noqa: BLE001 - not graded
                continue
            penalty = nb.late_submission_penalty or 0.0  # set as soon as grade-on-submit grades
            out[s] = (nb.score, nb.max_score, nb.code_score, nb.max_code_score, penalty)
        return out


def test_three_students_and_the_instructor(hub, chromium):
    answers = hp.notebooks()
    contexts = {s: chromium.new_context(viewport={"width": 1300, "height": 950}) for s in STUDENTS}
    pages = {s: hp.login(contexts[s], hub, s) for s in STUDENTS}  # the three spawns overlap
    try:
        for s in STUDENTS:
            page = pages[s]
            hp.wait_lab(page)
            ui.open_assignments(page)
            ui.fetch(page, ASSIGNMENT)
            hp.write_answer(page, hub, s, answers[s])
            ui.submit(page, ASSIGNMENT)
        for s in STUDENTS:
            hub.wait_done(s, 1, timeout=180)

        graded = scores(hub)
        assert set(graded) == {ADA, BEN}  # the third student's notebook is not JSON
        ada, ben = graded[ADA], graded[BEN]
        assert ada[2] == ada[3] == 20  # every autograded point
        assert 0 < ben[2] < ben[3]

        for s in STUDENTS:
            page = pages[s]
            page.reload()
            hp.wait_lab(page)
            ui.open_assignments(page)
            hp.fetch_feedback(page)
            page.goto(hp.feedback_url(page, hub, s))
            text = page.locator("body").inner_text()
            assert "Graded on submit" in text or s == CY, text[:500]
            if s == CY:
                assert "could not be graded" in text and "NotJSONError" in text, text[:800]
            else:
                total = graded[s]
                # The score after the course's late rule (course.toml: these due dates are past),
                # as formgrader and the CSVs show it: one submission time everywhere.
                shown = total[0] - total[4]
                assert f"Score: {shown:.1f} / {total[1]:.1f}" in text, text[:800]
                assert "awaiting the instructor" in text
                assert "BEGIN HIDDEN TESTS" not in text
            assert hp.pwned(page) is None, f"script ran in {s}'s feedback"
            if s == BEN and SHOTS:
                page.screenshot(path=str(REPO / "docs" / "hub-feedback.png"))

        # A student is refused formgrader and another student's files.
        ada = pages[ADA]
        assert ada.goto(hub.url + hp.formgrader("/")).status == 403
        other = ada.goto(f"{hub.url}/user/{BEN}/files/{ASSIGNMENT}/exercises.ipynb")
        assert other.status == 403, other.status

        # The instructor: the graded submissions in formgrader, then one written answer by hand.
        ctx = chromium.new_context(viewport={"width": 1300, "height": 950})
        page = hp.login(ctx, hub, IAN, hp.formgrader(f"/manage_submissions/{ASSIGNMENT}"))
        for s, total in graded.items():
            row = page.locator("tr", has_text=s)
            expect(row).to_contain_text(f"{total[0]:g} / {total[1]:g}", timeout=60_000)
        with Gradebook(hub.course.db_url) as gb:
            sub_id = gb.find_submission_notebook("exercises", ASSIGNMENT, BEN).id
        page.goto(hub.url + hp.formgrader(f"/submissions/{sub_id}"))
        written = page.locator("#ex01_explain").first
        expect(page.locator("table", has_text="cosine").first).to_be_visible()
        assert "alpha^2" in page.locator("body").inner_text()  # math stays readable (TeX)
        assert page.evaluate(
            "[...document.images].some(i => i.alt === 'a dot' && i.naturalWidth === 1)"
        )
        assert hp.pwned(page) is None, "a student's script ran in formgrader"
        # Control: the same graded notebook through nbconvert's defaults runs the scripts.
        import nbformat
        from nbconvert.exporters import HTMLExporter

        graded_nb = nbformat.read(hub.course.autograded_notebook(BEN), as_version=4)
        raw = hub.state.parent / "unsanitised.html"
        raw.write_text(HTMLExporter(template_name="classic").from_notebook_node(graded_nb)[0])
        control = ctx.new_page()
        control.goto(raw.as_uri())
        assert hp.pwned(control) is not None, "control: the hostile answer should run unsanitised"
        control.close()
        score = page.locator("input.score#ex01_explain")
        score.fill("1")
        score.press("Tab")
        deadline = time.monotonic() + 30
        manual = None
        while time.monotonic() < deadline and manual != 1:
            with Gradebook(hub.course.db_url) as gb:
                manual = gb.find_grade("ex01_explain", "exercises", ASSIGNMENT, BEN).manual_score
            time.sleep(0.5)
        assert manual == 1
        assert written.count() == 1
        if SHOTS:
            page.goto(hub.url + hp.formgrader(f"/manage_submissions/{ASSIGNMENT}"))
            ben_total = f"{graded[BEN][0] + 1:g} / {graded[BEN][1]:g}"
            expect(page.locator("tr", has_text=BEN)).to_contain_text(ben_total)
            page.screenshot(path=str(REPO / "docs" / "hub-formgrader.png"))
        ctx.close()
    finally:
        for c in contexts.values():
            c.close()
