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

from ..paths import ASSIGNMENT, NOTEBOOK, REPO, CourseDir

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
_KIND = {
    "### BEGIN SOLUTION": "solution",
    "### BEGIN HIDDEN TESTS": "hidden tests",
    "=== BEGIN MARK SCHEME ===": "mark scheme",
}
HIDDEN_KINDS = ("solution", "hidden tests", "mark scheme")


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


def hidden_lines(source_nb: Path, kinds: tuple[str, ...] = HIDDEN_KINDS) -> dict[str, str]:
    """Every line (25+ characters; short ones like "return out" recur in visible code) of the
    instructor notebook that students must not see, mapped to its cell's grade_id. `kinds` picks
    what counts as hidden: "solution" (solution regions, and whole solution cells such as model
    written answers), "hidden tests", "mark scheme"."""
    found: dict[str, str] = {}
    for cell in nbformat.read(source_nb, as_version=4).cells:
        regions = [r for r in _REGION.finditer(cell.source) if _KIND[r.group(1)] in kinds]
        bodies = [r.group(2) for r in regions]
        solution_cell = cell.metadata.get("nbgrader", {}).get("solution", False)
        if "solution" in kinds and solution_cell and not _REGION.search(cell.source):
            bodies.append(cell.source)  # nbgrader replaces the whole cell
        elif "solution" in kinds and solution_cell and cell.cell_type == "markdown":
            bodies.append(_REGION.sub("", cell.source))  # the model answer around a mark scheme
        for body in bodies:
            for line in body.splitlines():
                if len(_plain(line)) >= 25:
                    found.setdefault(_plain(line), _grade_id(cell))
    return found


def _plain(text: str) -> str:
    """A line as a reader sees it: no Markdown emphasis or code ticks, whitespace collapsed (so a
    line still matches once rendered to HTML and stripped of tags)."""
    return " ".join(text.replace("**", "").replace("`", "").split())


def find_leaks(
    source_nb: Path, lines: list[str], kinds: tuple[str, ...] = HIDDEN_KINDS
) -> list[tuple[int, str]]:
    """(line number from 1, what leaked) for each of `lines` holding an nbgrader marker or a line
    of hidden material of `kinds` from `source_nb`. The one leak check: the release gate and the
    course site's gate (course/site) both call it."""
    hidden = hidden_lines(source_nb, kinds)
    shown = tuple(k for k in HIDDEN_KINDS if k not in kinds)
    if shown:  # e.g. a solutions page: a hidden-test line that is also a solution line may show
        allowed = hidden_lines(source_nb, shown)
        hidden = {h: gid for h, gid in hidden.items() if h not in allowed}
    problems = []
    for n, line in enumerate(lines, start=1):
        text = _plain(line)
        problems += [(n, f"marker '{m}'") for m in MARKERS if m in text]
        problems += [(n, f"{gid}: '{h[:60]}'") for h, gid in hidden.items() if h in text]
    return problems


def check_no_leaks(source_nb: Path, release_nb: Path) -> None:
    """Gate 3: no marker and no line of a solution, hidden test or mark scheme survives in the release."""
    release_text = "\n".join(c.source for c in nbformat.read(release_nb, as_version=4).cells)
    problems = [problem for _, problem in find_leaks(source_nb, release_text.splitlines())]
    if problems:
        raise ReleaseRefused(
            f"{release_nb}: hidden material leaked into the release:\n  - "
            + "\n  - ".join(dict.fromkeys(problems))
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


def release(
    assignment: str = ASSIGNMENT, course: CourseDir = CourseDir(), notebook: str = NOTEBOOK
) -> Path:
    """Regenerate release/<assignment>/ from source/ if and only if every gate passes."""
    source_nb = course.source_notebook(assignment, notebook)
    release_nb = course.release_notebook(assignment, notebook)
    if not source_nb.exists():
        raise ReleaseRefused(f"{source_nb}: no such instructor notebook")
    check_source_passes(source_nb)

    release_dir = release_nb.parent
    backup = Path(tempfile.mkdtemp(prefix="release-backup-"))
    if release_dir.exists():
        shutil.copytree(release_dir, backup / "old")
    try:
        generate(course, assignment)
        check_blank_fails(release_nb)
        check_no_leaks(source_nb, release_nb)
    except ReleaseRefused:
        # Students must never be handed a release that failed a gate: put the previous one back.
        shutil.rmtree(release_dir, ignore_errors=True)
        if (backup / "old").exists():
            shutil.copytree(backup / "old", release_dir)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)
    return release_nb
