"""Load one assignment's submissions (this term's and, with --against, past terms') and score them.

Runs in: the CLI process. A submission that cannot be read (a link, a FIFO, not JSON, too
large) is left out with a one-line reason naming the file; the rest are compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.config import load
from course.paths import CourseDir

from .extract import Subject, read_subject, release_cells, term_folders
from .nofollow import list_dirs
from .score import Analysis, analyse


@dataclass
class Comparison:
    assignment: str
    analysis: Analysis
    skipped: list[str] = field(default_factory=list)  # "path: reason"
    terms: list[str] = field(default_factory=list)  # past terms compared against


def compare(course: CourseDir, assignment: str, against: Path | None = None) -> Comparison:
    notebooks = load(course.root).assignment(assignment).notebooks
    release_dir = course.release / assignment
    cells = release_cells(release_dir, notebooks)
    order = list(dict.fromkeys(c.part for c in cells))
    release_code = [
        c.source
        for name in notebooks
        for c in nbformat.read(release_dir / f"{name}.ipynb", as_version=4).cells
        if c.cell_type == "code"
    ]
    subjects: list[Subject] = []
    skipped: list[str] = []
    sources = [("", course.submitted)]
    terms = term_folders(against) if against else []
    sources += terms
    for term, submitted in sources:
        for student in list_dirs(submitted):
            if assignment not in list_dirs(submitted, student):
                continue
            name = f"{term}/{student}" if term else student
            try:
                subjects.append(
                    read_subject(submitted, (student, assignment), name, cells, past=bool(term))
                )
            except (OSError, ValueError) as exc:
                skipped.append(f"{submitted / student / assignment}: {exc}")
    comparison = Comparison(assignment, analyse(subjects, order, release_code), skipped)
    comparison.terms = [t for t, _ in terms]
    return comparison
