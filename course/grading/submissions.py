"""What a grade run reads from submitted/: which submissions exist, which cannot be graded
(checked before anything runs), and the extra files that travel with a notebook.

Runs in: the grader process. submitted/ is only ever read; symlinks are never followed (a link
could point at any file the grader can read).
"""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat

from course.errors import GradingError
from course.paths import CourseDir

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_FILES_BYTES = 20 * 2**20


def find_submissions(course: CourseDir, assignment: str) -> list[str]:
    """Students with a submitted/<student>/<assignment>/ folder, sorted."""
    base = course.submitted
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def problem(course: CourseDir, assignment: str, student: str, expected: list[str]) -> str | None:
    """Why this submission cannot be graded, or None. `expected`: the notebook names."""
    folder = course.submission_dir(student, assignment)
    rel = folder.relative_to(course.root)
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    if not any(f"{name}.ipynb" in present for name in expected):
        want = ", ".join(f"{n}.ipynb" for n in expected)
        if present:
            return f"wrong notebook name in {rel}: found {', '.join(present)}, expected {want}"
        return f"missing notebook: no {want} in {rel}"
    for name in expected:
        path = folder / f"{name}.ipynb"
        if path.is_symlink():
            return f"{rel}/{path.name} is a symbolic link, not a notebook"
        if not path.exists():
            continue  # autograde scores a missing notebook of several 0
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return (
                f"{rel}/{path.name} is {size / 2**20:.1f} MB "
                f"(limit {MAX_NOTEBOOK_BYTES / 2**20:.0f} MB)"
            )
        try:
            nbformat.read(path, as_version=4)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the reason
            first = str(exc).strip().splitlines()
            return (
                f"invalid notebook {rel}/{path.name}: {type(exc).__name__}: "
                f"{first[0][:200] if first else ''}"
            )
    return None


def extra_files(course: CourseDir, assignment: str, student: str) -> dict[str, str]:
    """Non-notebook files autograde puts next to the notebook (submitted ones, then those of
    source/), as {relative path: base64}; GradingError when they are too large."""
    files: dict[str, Path] = {}
    for base in (course.submission_dir(student, assignment), course.source / assignment):
        for path in (p for p in base.rglob("*") if p.is_file() and not p.is_symlink()):
            if path.suffix != ".ipynb" and not path.name.startswith("."):
                files[str(path.relative_to(base))] = path
    if sum(p.stat().st_size for p in files.values()) > MAX_FILES_BYTES:
        raise GradingError(f"extra files in the submission exceed {MAX_FILES_BYTES} bytes")
    return {rel: base64.b64encode(p.read_bytes()).decode() for rel, p in files.items()}
