"""What the site says about each assignment: title, topics, points, due date, notebooks.

Runs in the site builder (`python -m course site`). Everything is read from the student release
(headings and nbgrader's points metadata), never from source/. Due dates come from course.toml
(course/config.py) where it exists; `assignments()` is the one place that knows where metadata
lives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat

from ..errors import SiteRefused
from ..paths import CourseDir

_EXERCISE = re.compile(r"^#{2,3}\s+Exercise\s+\d+\s*:\s*(.+?)\s*(?:\(|—|$)", re.M)
_H1 = re.compile(r"^#\s+(.+?)\s*$", re.M)


@dataclass(frozen=True)
class Notebook:
    name: str  # file stem under release/<assignment>/
    path: Path  # the release notebook: the only notebook a page or a download is made from
    title: str  # its first level-1 heading
    topics: tuple[str, ...]  # exercise titles, in order
    auto_points: float  # nbgrader points of autograded (code) cells
    manual_points: float  # nbgrader points of cells graded by hand (written answers)


@dataclass(frozen=True)
class AssignmentInfo:
    id: str
    title: str
    due: datetime | None
    notebooks: tuple[Notebook, ...]

    @property
    def points(self) -> tuple[float, float]:
        return (
            sum(n.auto_points for n in self.notebooks),
            sum(n.manual_points for n in self.notebooks),
        )


def read_notebook(path: Path) -> Notebook:
    nb = nbformat.read(path, as_version=4)
    text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    h1 = _H1.search(text)
    auto = manual = 0.0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            points = float(meta.get("points", 0))
            if cell.cell_type == "code" and not meta.get("solution"):
                auto += points
            else:
                manual += points
    return Notebook(
        name=path.stem,
        path=path,
        title=h1.group(1) if h1 else path.stem.replace("_", " ").capitalize(),
        topics=tuple(m.group(1) for m in _EXERCISE.finditer(text)),
        auto_points=auto,
        manual_points=manual,
    )


def _course_toml(course: CourseDir) -> tuple[str | None, dict[str, tuple[str, datetime]]]:
    """(course title, {assignment id: (title, due)}) from course.toml, or (None, {}) before it
    exists. The loader raises CourseConfigError (one line, file:line: reason) on a bad file."""
    from .. import config

    if not (course.root / config.FILENAME).exists():
        return None, {}
    try:
        loaded = config.load(course.root)
    except config.CourseConfigError as exc:
        raise SiteRefused(str(exc)) from None
    return loaded.title, {a.id: (a.title, a.due) for a in loaded.assignments}


def assignments(course: CourseDir) -> tuple[str | None, list[AssignmentInfo]]:
    """The course title (None: not described) and every released assignment, in course.toml's
    order, then any other folder under release/ by name."""
    title, described = _course_toml(course)
    folders = sorted(p for p in course.release.glob("*") if p.is_dir() and any(p.glob("*.ipynb")))
    order = {aid: i for i, aid in enumerate(described)}
    folders.sort(key=lambda p: (order.get(p.name, len(order)), p.name))
    found = []
    for folder in folders:
        notebooks = tuple(read_notebook(p) for p in sorted(folder.glob("*.ipynb")))
        atitle, due = described.get(folder.name, (None, None))
        if atitle is None:
            first = notebooks[0].title
            atitle = first.split(":", 1)[1].strip() if ":" in first else first
        found.append(AssignmentInfo(folder.name, atitle, due, notebooks))
    return title, found
