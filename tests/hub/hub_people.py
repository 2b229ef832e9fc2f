"""The three students of the end-to-end hub test and what they hand in, plus browser steps on
the hub (login, answering through the student's own server, feedback, formgrader)."""

from __future__ import annotations

import json
import re

import nbformat
from hubctl import ADA, BEN, CY
from nbformat.v4 import new_code_cell
from playwright.sync_api import BrowserContext, Page, expect

from course.authoring.misconceptions import student_notebook
from course.paths import ASSIGNMENT, COURSE_ID

# A 1x1 PNG: markdown images must stay visible after sanitising.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
# Every way we know to get a script into nbconvert's HTML; each sets window.__pwned if it runs.
HOSTILE_WRITTEN = (
    "My answer <img src=x onerror=\"window.__pwned='img-onerror'\"> with $\\alpha^2 + 1$.\n\n"
    "| metric | value |\n|---|---|\n| cosine | 0.5 |\n\n"
    "<script>window.__pwned='script'</script>\n\n"
    "<iframe src=\"javascript:parent.__pwned='iframe'\"></iframe>\n\n"
    "<form action='/hub/logout'><input name=q><button>go</button></form>\n\n"
    "<a href=\"javascript:window.__pwned='link'\">click me</a>\n\n"
    f"![a dot](data:image/png;base64,{PNG})\n"
)
# Run by the grader while grading (outputs in autograded/ come from the student's code).
HOSTILE_OUTPUTS = (
    "from IPython.display import display, HTML, publish_display_data\n"
    'display(HTML("<b>bold</b><img src=x onerror=\\"window.__pwned=\'html-output\'\\">"))\n'
    "publish_display_data({'application/javascript': \"window.__pwned='js-output'\"})\n"
    f"publish_display_data({{'image/png': '{PNG}'}}, "
    "metadata={'image/png': {'width': \"1 onerror=window.__pwned='width'\"}})\n"
)


def notebooks() -> dict[str, object]:
    """student -> notebook JSON (or a string of broken JSON)."""
    full = student_notebook({n: "correct" for n in range(1, 11)})
    part = student_notebook({n: "correct" for n in range(1, 6)})
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in part.cells]
    part.cells[ids.index("ex01_explain")].source = HOSTILE_WRITTEN
    # An extra cell right after the answer: ungraded code that the grader runs.
    part.cells.insert(ids.index("ex01_embed") + 1, new_code_cell(HOSTILE_OUTPUTS))
    broken = nbformat.writes(student_notebook({1: "correct"}))[:-40]  # cut mid-JSON
    return {ADA: full, BEN: part, CY: broken}


def login(context: BrowserContext, hub, user: str, next_url: str = "") -> Page:
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("dialog", lambda d: (setattr(page, "dialog_seen", d.message), d.dismiss()))
    page.goto(f"{hub.url}/hub/login" + (f"?next={next_url}" if next_url else ""))
    page.fill("#username_input", user)
    page.fill("#password_input", hub_password(user))
    page.click("#login_submit")
    return page


def hub_password(user: str) -> str:
    from hubctl import password

    return password(user)


def wait_lab(page: Page) -> None:
    expect(page.locator("#jp-main-dock-panel")).to_be_visible(timeout=180_000)
    expect(page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader")).to_be_visible()


def xsrf(page: Page) -> str:
    return re.search(r"_xsrf=([^;]+)", page.evaluate("document.cookie")).group(1)


def write_answer(page: Page, hub, user: str, content) -> None:
    """Save the answers through the student's own Jupyter server (as JupyterLab's Save does)."""
    if isinstance(content, str):
        body = {"type": "file", "format": "text", "content": content}
    else:
        body = {
            "type": "notebook",
            "format": "json",
            "content": json.loads(nbformat.writes(content)),
        }
    r = page.request.put(
        f"{hub.url}/user/{user}/api/contents/{ASSIGNMENT}/exercises.ipynb",
        data=json.dumps(body),
        headers={"X-XSRFToken": xsrf(page), "Content-Type": "application/json"},
    )
    assert r.ok, (r.status, r.text())


def fetch_feedback(page: Page) -> None:
    row = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
    row.get_by_role("button", name="Fetch Feedback").click()
    expect(row).to_contain_text("view feedback", timeout=60_000)


def feedback_url(page: Page, hub, user: str) -> str:
    base = f"{hub.url}/user/{user}/api/contents/{ASSIGNMENT}/feedback"
    stamps = page.request.get(base).json()["content"]
    newest = max(s["name"] for s in stamps)
    return f"{hub.url}/user/{user}/files/{ASSIGNMENT}/feedback/{newest}/exercises.html"


def pwned(page: Page) -> str | None:
    page.wait_for_timeout(500)  # let load-time handlers fire
    return page.evaluate("window.__pwned || null") or getattr(page, "dialog_seen", None)


def formgrader(path: str) -> str:
    return f"/services/{COURSE_ID}/formgrader{path}"
