"""Build the student release with nbgrader, and refuse to publish one that would mislead students.

Gates (each one is a way a release has gone wrong in real courses):
1. the instructor solution passes every test cell with full points (a broken test would zero everyone);
2. the blank release fails every test cell (a test that passes on a stub gives free points);
3. nothing hidden leaks (solution code, hidden tests, mark schemes).
`nbgrader validate` exits 0 even when validation fails, so the gates read its results, not exit codes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.validator import Validator

from ..paths import ASSIGNMENT, REPO, CourseDir

MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "END MARK SCHEME",
)
_REGION = re.compile(
    r"(### BEGIN SOLUTION|### BEGIN HIDDEN TESTS|=== BEGIN MARK SCHEME ===)\n(.*?)\n[ \t]*"
    r"(### END SOLUTION|### END HIDDEN TESTS|=== END MARK SCHEME ===)",
    re.S,
)


class ReleaseRefused(Exception):
    """The release failed a gate; the message says which cells and why."""


def nbgrader_env() -> dict:
    """Environment for nbgrader subprocesses: the venv's tools on PATH and this package importable."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = f"{REPO}{os.pathsep}{env.get('PYTHONPATH', '')}".rstrip(os.pathsep)
    return env


def _grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "?")


def _ids_for(results: list[dict], nb) -> list[str]:
    by_source = {c.source.strip(): _grade_id(c) for c in nb.cells}
    return [by_source.get(r["source"], r["source"][:60]) for r in results]


def check_source_passes(source_nb: Path) -> None:
    """Gate 1: every test cell of the instructor version scores full points."""
    results = Validator(ignore_checksums=True).validate(str(source_nb))
    failed = results.get("failed", [])
    if failed:
        ids = _ids_for(failed, nbformat.read(source_nb, as_version=4))
        detail = "\n".join(
            f"  - {i}: {r['raw_error'].strip().splitlines()[-1] if r['raw_error'].strip() else 'failed'}"
            for i, r in zip(ids, failed)
        )
        raise ReleaseRefused(
            f"{source_nb}: the solution fails {len(failed)} test cell(s):\n{detail}"
        )


def check_blank_fails(release_nb: Path) -> None:
    """Gate 2: the blank student version earns nothing from any test cell."""
    results = Validator(invert=True, ignore_checksums=True).validate(str(release_nb))
    passed = results.get("passed", [])
    if passed:
        ids = _ids_for(passed, nbformat.read(release_nb, as_version=4))
        raise ReleaseRefused(
            f"{release_nb}: these test cells pass on the blank notebook (free points): {', '.join(ids)}"
        )


def check_no_leaks(source_nb: Path, release_nb: Path) -> None:
    """Gate 3: no marker and no line of a solution, hidden test or mark scheme survives in the release."""
    release_text = "\n".join(c.source for c in nbformat.read(release_nb, as_version=4).cells)
    problems = [f"marker '{m}'" for m in MARKERS if m in release_text]
    release_lines = {line.strip() for line in release_text.splitlines()}
    for cell in nbformat.read(source_nb, as_version=4).cells:
        for region in _REGION.finditer(cell.source):
            for line in region.group(2).splitlines():
                # Short lines ("return out", "else:") legitimately recur in visible code.
                if len(line.strip()) >= 25 and line.strip() in release_lines:
                    problems.append(f"{_grade_id(cell)}: '{line.strip()[:60]}'")
    if problems:
        raise ReleaseRefused(
            f"{release_nb}: hidden material leaked into the release:\n  - "
            + "\n  - ".join(problems)
        )


def generate(course: CourseDir, assignment: str) -> None:
    """Run nbgrader's own generate_assignment in the course directory (updates its gradebook too)."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
        cwd=course.root,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or "ERROR" in proc.stderr:
        raise ReleaseRefused(
            f"nbgrader generate_assignment failed for {assignment}:\n{proc.stderr[-3000:]}"
        )


HEADER_ID = "course-header"


def header_cell(course_title: str, a) -> nbformat.NotebookNode:
    """The release's first cell: the assignment's title and due date, from course.toml."""
    late = (
        f" Late work: {a.late.describe()}." if a.late else " Late work is not accepted for credit."
    )
    when = a.due.strftime("%A %-d %B %Y, %H:%M UTC")
    cell = nbformat.v4.new_markdown_cell(
        f"**{course_title} · {a.title}** (`{a.id}`)\n\n**Due {when}.**{late}",
        metadata={"deletable": False, "editable": False},
    )
    cell.id = HEADER_ID
    return cell


def add_header(release_nb: Path, course_title: str, a) -> None:
    nb = nbformat.read(release_nb, as_version=4)
    nb.cells = [header_cell(course_title, a)] + [c for c in nb.cells if c.get("id") != HEADER_ID]
    nbformat.write(nb, release_nb)


def release(
    assignment: str = ASSIGNMENT, course: CourseDir = CourseDir(), notebook: str | None = None
) -> Path:
    """Regenerate release/<assignment>/ from source/ if and only if every gate passes, for each
    of its notebooks (or only `notebook`); returns the release folder. The assignment must be
    listed in course.toml, whose title and due date head each notebook."""
    from ..config import CourseConfigError, load

    try:
        config = load(course.root)
        a = config.assignment(assignment)
    except CourseConfigError as exc:
        raise ReleaseRefused(str(exc)) from None
    notebooks = [notebook] if notebook else list(a.notebooks)
    pairs = [
        (course.source_notebook(assignment, n), course.release_notebook(assignment, n))
        for n in notebooks
    ]
    for source_nb, _ in pairs:
        if not source_nb.exists():
            raise ReleaseRefused(f"{source_nb}: no such instructor notebook")
        check_source_passes(source_nb)

    release_dir = course.release / assignment
    backup = Path(tempfile.mkdtemp(prefix="release-backup-"))
    if release_dir.exists():
        shutil.copytree(release_dir, backup / "old")
    try:
        generate(course, assignment)
        for source_nb, release_nb in pairs:
            check_blank_fails(release_nb)
            check_no_leaks(source_nb, release_nb)
            add_header(release_nb, config.title, a)
    except ReleaseRefused:
        # Students must never be handed a release that failed a gate: put the previous one back.
        shutil.rmtree(release_dir, ignore_errors=True)
        if (backup / "old").exists():
            shutil.copytree(backup / "old", release_dir)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)
    return release_dir
