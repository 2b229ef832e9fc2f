"""The demo's term: a second, short assignment beside the first, and the course-wide outputs.

Runs in `python -m course demo`. The second assignment (`dot_products`, two exercises in two
notebooks, 3 points: it also shows an assignment of several notebooks) is written into the demo
class only, from course.authoring.tiny, until the second real assignment
lands; it is added exactly as an instructor adds one: its folder under source/, its table in the
class's course.toml, then nbgrader generate_assignment. Who submits it follows the first
assignment's roster: blank students skip it (so the course report has someone missing), late
students are late again.
"""

from __future__ import annotations

from datetime import timedelta

import nbformat

from .authoring.release import generate
from .authoring.tiny import DOT_PRODUCTS, answered, correct_answers, write_assignment
from .paths import CourseDir

SHORT = "dot_products"
SHORT_TITLE = "Dot products (demo)"
SHORT_LATE = "{ per_day = 0.25, max_days = 2 }"
NOTEBOOKS = {"dot": DOT_PRODUCTS[:1], "norm": DOT_PRODUCTS[1:]}


def add_short_assignment(course: CourseDir, due) -> None:
    for notebook, exercises in NOTEBOOKS.items():
        write_assignment(course.source / SHORT, SHORT_TITLE, exercises, notebook)
    with open(course.root / "course.toml", "a") as fh:
        fh.write(
            f'\n[[assignment]]\nid = "{SHORT}"\ntitle = "{SHORT_TITLE}"\n'
            f"due = {due.isoformat()}\nlate = {SHORT_LATE}\n"
        )
    generate(course, SHORT)


def write_short_class(course: CourseDir, roster, due) -> None:
    """Each student of the demo roster who answered anything hands in the short assignment."""
    for i, student in enumerate(roster):
        if student.broken or not student.answers:
            continue
        when = due + (timedelta(days=1, hours=3) if student.late else -timedelta(hours=i + 1))
        folder = course.submission_dir(student.id, SHORT)
        folder.mkdir(parents=True)
        for notebook in NOTEBOOKS:
            release = course.release_notebook(SHORT, notebook)
            nb = answered(release, correct_answers(DOT_PRODUCTS))
            nbformat.write(nb, folder / f"{notebook}.ipynb")
        (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
