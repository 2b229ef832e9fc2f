"""What a student does in JupyterLab, as Playwright steps (menus, buttons, the cell editor).

Selectors come from JupyterLab 4.6 and the nbgrader 0.9.6 labextension; they are the only
place that knows the page's structure, so a UI upgrade breaks here, loudly.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

# Flags for Debian's headless Chromium in a container: no sandbox (root, no user namespaces),
# and nothing that reaches the network by itself.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

KERNEL_TIMEOUT_MS = 60_000
EXECUTED_PROMPT = re.compile(r"\[\d+\]")


def open_lab(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#jp-main-dock-panel")).to_be_visible(timeout=60_000)
    expect(page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader")).to_be_visible()


def nbgrader_menu(page: Page) -> list[str]:
    """The labels in the Nbgrader menu (students should see no instructor entries)."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    labels = page.locator(".lm-Menu-content .lm-Menu-itemLabel")
    expect(labels.first).to_be_visible()
    items = [t.strip() for t in labels.all_inner_texts() if t.strip()]
    page.keyboard.press("Escape")
    return items


def open_assignments(page: Page) -> Locator:
    """Nbgrader menu -> Assignment List; returns the list once the exchange has answered."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    panel = page.locator("#assignments")
    expect(panel.locator("#released_assignments_list_loading")).to_be_hidden(timeout=30_000)
    return panel


def fetch(page: Page, assignment: str) -> None:
    row = page.locator("#released_assignments_list .list_item", has_text=assignment)
    row.get_by_role("button", name="Fetch").click()
    expect(
        page.locator("#fetched_assignments_list .list_item", has_text=assignment).first
    ).to_be_visible(timeout=30_000)


def open_fetched_notebook(page: Page, assignment: str, notebook: str) -> Locator:
    """Expand the fetched assignment, open one notebook; returns its panel once the kernel is idle."""
    page.locator(
        "#fetched_assignments_list a.assignment-notebooks-link", has_text=assignment
    ).click()
    page.locator("#fetched_assignments_list .nested_list_item a", has_text=notebook).click()
    panel = page.locator(".jp-NotebookPanel:visible")
    expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=30_000)
    wait_idle(page)
    return panel


def wait_idle(page: Page) -> None:
    expect(page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\| Idle"))).to_be_visible(
        timeout=KERNEL_TIMEOUT_MS
    )


def cell(panel: Locator, index: int) -> Locator:
    return panel.locator(".jp-Notebook .jp-Cell").nth(index)


def replace_line(page: Page, panel: Locator, index: int, old: str, lines: tuple[str, ...]) -> None:
    """Type ``lines`` over the code line containing ``old``, as a student would.

    The first line keeps the stub's indentation; later lines are typed after Enter, where the
    editor's auto-indent supplies the indentation, so they are given without leading spaces.
    """
    editor = cell(panel, index).locator(".cm-content")
    editor.locator(".cm-line", has_text=old).click()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")  # CodeMirror stops at the indentation, which we keep
    for n, line in enumerate(lines):
        if n:
            page.keyboard.press("Enter")
        page.keyboard.type(line, delay=5)
    for line in lines:
        expect(editor).to_contain_text(line)
    expect(editor).not_to_contain_text(old)


def run_cell(page: Page, panel: Locator, index: int) -> str:
    """Select a cell, Shift+Enter, wait for its execution count; returns its output text."""
    target = cell(panel, index)
    target.locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    expect(target.locator(".jp-InputPrompt")).to_have_text(
        EXECUTED_PROMPT, timeout=KERNEL_TIMEOUT_MS
    )
    outputs = target.locator(".jp-OutputArea")
    return outputs.inner_text() if outputs.count() else ""


def validate(page: Page, panel: Locator) -> str:
    """Click the notebook toolbar's Validate button; returns the result dialog's text, then closes it."""
    panel.locator(".jp-Toolbar .validate-button").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible(timeout=KERNEL_TIMEOUT_MS)
    text = dialog.inner_text()
    dialog.locator(".jp-Dialog-footer button").last.click()
    expect(dialog).to_be_hidden()
    return text


def save(page: Page, panel: Locator) -> None:
    panel.locator(".jp-Notebook").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")
    expect(tab).not_to_have_class(re.compile(r"jp-mod-dirty"), timeout=15_000)


def submit(page: Page, assignment: str) -> Locator:
    """Back to the Assignments tab, click Submit; returns the new row of the submitted list."""
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Assignments").click()
    page.locator("#fetched_assignments_list .list_item", has_text=assignment).first.get_by_role(
        "button", name="Submit"
    ).click()
    row = page.locator("#submitted_assignments_list .list_item", has_text=assignment)
    expect(row.first).to_be_visible(timeout=30_000)
    return row.first
