"""The end-to-end story shared by the browser test and the screenshot script.

Instructor releases to a temporary exchange; a student fetches, answers, runs, validates and
submits in JupyterLab; the instructor collects and grades. Every step uses the real tools.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jlab_ui as ui
import nbformat
from jlab_server import StudentLab
from playwright.sync_api import Locator, Page

from course.authoring.misconceptions import MISCONCEPTIONS
from course.authoring.release import generate
from course.exchange import write_student_config
from course.nb import nbgrader_env
from course.paths import ASSIGNMENT, NOTEBOOK, REPO, CourseDir, new_course

STUDENT = "student01"
WRONG = MISCONCEPTIONS["analogy_reversed"]


@dataclass(frozen=True)
class Answer:
    exercise: int
    answer_id: str  # grade_id of the answer cell
    lines: tuple[str, ...]  # typed over the stub line; the editor keeps the indentation
    correct: bool


# Two right, one wrong (a planted misconception), the rest left as stubs.
ANSWERS = (
    Answer(1, "ex01_embed", ("return np.asarray(E)[np.asarray(ids)]",), True),
    Answer(4, "ex04_analogy_target", (WRONG.body,), False),
    Answer(
        5,
        "ex05_center",
        ("X = np.asarray(X, dtype=float)", "return X - X.mean(axis=0, keepdims=True)"),
        True,
    ),
)


def course_copy(dest: Path) -> CourseDir:
    """A scratch course directory with the repo's source/, release/ and nbgrader_config.py."""
    return new_course(dest)


def cell_index(notebook: Path) -> dict[str, int]:
    """grade_id -> position in the notebook (the browser finds cells by position)."""
    nb = nbformat.read(notebook, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: i
        for i, c in enumerate(nb.cells)
        if "nbgrader" in c.metadata
    }


def setup_cells(notebook: Path) -> list[int]:
    """Code cells before the first exercise: imports, plot setup, helpers."""
    nb = nbformat.read(notebook, as_version=4)
    first_ex = next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("ex")
    )
    return [i for i, c in enumerate(nb.cells[:first_ex]) if c.cell_type == "code"]


def exercise_code_cells(notebook: Path, exercise: int) -> list[int]:
    """The exercise's code cells in order: answer, tests, figure (skipping markdown)."""
    prefix = f"ex{exercise:02d}_"
    nb = nbformat.read(notebook, as_version=4)
    return [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(prefix)
    ]


@dataclass
class StudentRun:
    nbgrader_menu: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)  # grade_id -> visible output text
    validate_dialog: str = ""
    submitted_row: str = ""


def course_cli(course: CourseDir, *args: str) -> str:
    """Run `python -m course --course DIR ...` as the instructor types it; returns its stdout."""
    cmd = [sys.executable, "-m", "course", "--course", str(course.root), *args]
    done = subprocess.run(cmd, cwd=REPO, env=nbgrader_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd[1:])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


def instructor_release(course: CourseDir, exchange: Path) -> None:
    """`python -m course publish`: nbgrader release_assignment into the exchange."""
    course_cli(course, "publish", ASSIGNMENT, "--exchange", str(exchange))


def start_student(home: Path, exchange: Path) -> StudentLab:
    lab = StudentLab(home)
    write_student_config(lab.config_dir, exchange, student_id=STUDENT)
    return lab.start()


def student_session(
    page: Page,
    lab: StudentLab,
    release_nb: Path,
    before_validate: Callable[[Page, Locator, dict[str, int]], None] | None = None,
) -> StudentRun:
    """Fetch, answer ANSWERS, run setup + those exercises + the scoreboard, Validate, save, Submit."""
    run = StudentRun()
    ids = cell_index(release_nb)
    ui.open_lab(page, lab.lab_url())
    run.nbgrader_menu = ui.nbgrader_menu(page)
    ui.open_assignments(page)
    ui.fetch(page, ASSIGNMENT)
    panel = ui.open_fetched_notebook(page, ASSIGNMENT, NOTEBOOK)
    for i in setup_cells(release_nb):
        run.outputs[f"setup{i}"] = ui.run_cell(page, panel, i)
    for answer in ANSWERS:
        ui.replace_line(
            page, panel, ids[answer.answer_id], "raise NotImplementedError", answer.lines
        )
        for i in exercise_code_cells(release_nb, answer.exercise):
            gid = next(g for g, j in ids.items() if j == i)
            run.outputs[gid] = ui.run_cell(page, panel, i)
    if "check_my_work" in ids:  # the scoreboard cell near the end
        run.outputs["check_my_work"] = ui.run_cell(page, panel, ids["check_my_work"])
    if before_validate:
        before_validate(page, panel, ids)
    run.validate_dialog = ui.validate(page, panel)
    ui.save(page, panel)
    run.submitted_row = ui.submit(page, ASSIGNMENT).inner_text()
    return run


def instructor_collect_and_grade(course: CourseDir, exchange: Path) -> list[str]:
    """`python -m course collect` into submitted/, then `python -m course grade`; returns who was collected."""
    course_cli(course, "collect", ASSIGNMENT, "--exchange", str(exchange))
    generate(
        course, ASSIGNMENT
    )  # a fresh course copy has no gradebook: record the assignment's cells
    course_cli(course, "grade", ASSIGNMENT)
    return sorted(p.parent.name for p in course.submitted.glob(f"*/{ASSIGNMENT}") if p.is_dir())
