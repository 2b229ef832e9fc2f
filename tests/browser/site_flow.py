"""The course site as the browser test and the README screenshot use it: built from a scratch
course by `course.site.build`, served by the same server as `python -m course site --serve`."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import nbformat

from course.paths import CourseDir, new_course
from course.site import Settings, build
from course.site.serve import server

ASSIGNMENT = "embedding_space_math"
# The notebooks state formulas in words today; one formula in LaTeX, as an author would write it,
# shows that math is typeset by the MathJax the site serves itself.
FORMULA = r"$$\cos(u, v) = \frac{u \cdot v}{\lVert u \rVert \, \lVert v \rVert}$$"


def course_with_formula(dest: Path) -> CourseDir:
    course = new_course(dest)
    path = course.release_notebook(ASSIGNMENT)
    nb = nbformat.read(path, as_version=4)
    cell = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex03_statement"
    )
    cell.source += f"\n\nCosine similarity compares directions only:\n\n{FORMULA}\n"
    nbformat.write(nb, path)
    return course


@contextlib.contextmanager
def served(course: CourseDir, out: Path, hub_url: str | None = None):
    """Build the site into `out` and serve it on 127.0.0.1 (a free port); yields the base URL."""
    build(course=course, out=out, settings=Settings(hub_url=hub_url))
    httpd = server(out, 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
