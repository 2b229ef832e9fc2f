"""`python -m course archive`: keep this term's submissions for later terms' similarity reports.

Runs in: the CLI process, as the instructor (or root). Copies submitted/ and a snapshot of the
gradebook into <archive>/<term>/ (default <course>/archive/<term>/), which
`python -m course similarity --against <archive>` reads. submitted/ is student-written: links,
FIFOs and devices in it are listed and left out, never followed (course.similarity.nofollow).
The gradebook is copied with SQLite's online backup, so a snapshot taken while a grade run
writes is still a consistent database. An existing term folder is never replaced.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from course.config import load
from course.errors import ArchiveRefused
from course.paths import CourseDir

from .nofollow import copy_tree

_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass
class Archived:
    folder: Path
    files: int
    skipped: list[str] = field(default_factory=list)
    gradebook: bool = False

    def summary(self) -> str:
        lines = [
            f"archived {self.files} submitted file(s)"
            + (" and the gradebook" if self.gradebook else " (no gradebook.db to snapshot)")
            + f" in {self.folder}"
        ]
        lines += [f"  not copied: {s}" for s in self.skipped]
        return "\n".join(lines)


def default_term(course: CourseDir) -> str:
    """The year and month of the term's first due date, e.g. "2026-03"."""
    dues = [a.due for a in load(course.root).assignments]
    if not dues:
        raise ArchiveRefused(f"{course.course_toml} lists no assignment: name the term with --term")
    return f"{min(dues):%Y-%m}"


def archive(course: CourseDir, term: str | None = None, to: Path | None = None) -> Archived:
    term = term or default_term(course)
    if not _TERM.fullmatch(term):
        raise ArchiveRefused(
            f"term {term!r}: use letters, digits, '.', '_' and '-' only (it names a folder)"
        )
    folder = (to or course.root / "archive") / term
    if folder.exists() or folder.is_symlink():
        raise ArchiveRefused(f"{folder} already exists: archive under another --term")
    if not course.submitted.is_dir() or course.submitted.is_symlink():
        raise ArchiveRefused(f"{course.submitted} is not a folder: nothing to archive")
    files, skipped = copy_tree(course.submitted, folder / "submitted")
    done = Archived(folder, files, skipped)
    if course.gradebook.is_file() and not course.gradebook.is_symlink():
        source = sqlite3.connect(f"file:{course.gradebook}?mode=ro", uri=True)
        target = sqlite3.connect(folder / "gradebook.db")
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        done.gradebook = True
    return done
