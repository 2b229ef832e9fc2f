"""Fixtures for the browser tests: a scratch course, an exchange, a student's JupyterLab, Chromium."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The helpers next to this file are plain modules (also used by screenshots.py), not a package.
sys.path.insert(0, str(HERE))

import flow  # noqa: E402


@pytest.fixture
def course(tmp_path):
    return flow.course_copy(tmp_path / "course")


@pytest.fixture
def exchange(tmp_path):
    return tmp_path / "exchange"


@pytest.fixture
def student_lab(tmp_path, exchange):
    """The student's JupyterLab server; always stopped, with its log printed if the test fails."""
    lab = flow.start_student(tmp_path / "student-home", exchange)
    try:
        yield lab
    finally:
        lab.stop()
        print(f"--- student JupyterLab log (tail) ---\n{lab.log()}")


@pytest.fixture
def page(chromium, tmp_path):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        # The last screen is the first thing to look at when a step times out.
        page.screenshot(path=str(tmp_path / "last-screen.png"))
        print(f"last screen: {tmp_path / 'last-screen.png'}")
        context.close()
