"""Build the student release with nbgrader, and refuse to publish one that would mislead students.

Gates (each one is a way a release has gone wrong in real courses):
1. the instructor solution passes every test cell with full points (a broken test would zero everyone);
2. the blank release fails every test cell (a test that passes on a stub gives free points);
3. nothing hidden leaks (solution code, hidden tests, mark schemes).
`nbgrader validate` exits 0 even when validation fails, so the gates read its results, not exit codes.

Runs in: the CLI process; nbgrader's generate_assignment runs as a subprocess, the gates'
kernels are nbgrader's own (Validator).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat
from nbgrader.validator import Validator
from traitlets.config import Config

from course.errors import NbgraderFailed, ReleaseRefused
from course.nb import (
    Delimiters,
    grade_id,
    load_config,
    meta,
    region_lines,
    region_spans,
    run_nbgrader,
)
from course.paths import ASSIGNMENT, CourseDir

from . import shared_cells


def _ids_for(results: list[dict], nb) -> list[str]:
    by_source = {c.source.strip(): (grade_id(c) or "?") for c in nb.cells}
    return [by_source.get(r["source"], r["source"][:60]) for r in results]


def _validator(**options) -> Validator:
    """nbgrader's Validator, its kernels' log limited to errors: ipykernel warns on every start
    that it talks over TCP without encryption, which here means 127.0.0.1 with signed messages
    between this process and its own kernel, nothing an instructor can or should act on."""
    config = Config()
    config.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
    return Validator(config=config, ignore_checksums=True, **options)


def check_source_passes(source_nb: Path) -> None:
    """Gate 1: every test cell of the instructor version scores full points."""
    results = _validator().validate(str(source_nb))
    failed = results.get("failed", [])
    if failed:
        ids = _ids_for(failed, nbformat.read(source_nb, as_version=4))
        detail = "\n".join(
            f"  - {i}: {r['raw_error'].strip().splitlines()[-1] if r['raw_error'].strip() else 'failed'}"
            for i, r in zip(ids, failed, strict=True)
        )
        raise ReleaseRefused(
            f"{source_nb}: the solution fails {len(failed)} test cell(s):\n{detail}"
        )


def check_blank_fails(release_nb: Path) -> None:
    """Gate 2: the blank student version earns nothing from any test cell."""
    results = _validator(invert=True).validate(str(release_nb))
    passed = results.get("passed", [])
    if passed:
        ids = _ids_for(passed, nbformat.read(release_nb, as_version=4))
        raise ReleaseRefused(
            f"{release_nb}: these test cells pass on the blank notebook (free points): {', '.join(ids)}"
        )


HIDDEN_KINDS = ("solution", "hidden tests", "mark scheme")


def _outside_regions(source: str, delimiters: Delimiters) -> list[str]:
    """The lines of `source` in no region and on no delimiter line (a model written answer)."""
    lines = source.split("\n")
    inside = {
        i
        for pair in (delimiters.solution, delimiters.hidden_tests, delimiters.mark_scheme)
        for b, e in region_spans(lines, pair)
        for i in range(b, e + 1)
    }
    return [ln for i, ln in enumerate(lines) if i not in inside]


def hidden_lines(
    source_nb: Path, kinds: tuple[str, ...] = HIDDEN_KINDS, delimiters: Delimiters = Delimiters()
) -> dict[str, str]:
    """Every line of the instructor notebook that students must not see, as a reader sees it
    (`_plain`), mapped to its cell's grade_id. Lines under 25 characters are left out: "return
    out" and "else:" legitimately recur in visible code. `kinds`: "solution" (solution regions,
    and whole answer cells nbgrader replaces, such as model written answers), "hidden tests",
    "mark scheme"."""
    pairs = {
        "solution": delimiters.solution,
        "hidden tests": delimiters.hidden_tests,
        "mark scheme": delimiters.mark_scheme,
    }
    found: dict[str, str] = {}
    for cell in nbformat.read(source_nb, as_version=4).cells:
        lines = [ln for kind in kinds for ln in region_lines(cell.source, pairs[kind])]
        replaced_whole = cell.cell_type == "markdown" or not region_lines(
            cell.source, delimiters.solution
        )
        if "solution" in kinds and meta(cell).get("solution") and replaced_whole:
            lines += _outside_regions(cell.source, delimiters)
        for line in map(_plain, lines):
            if len(line) >= 25:
                found.setdefault(line, grade_id(cell) or "?")
    return found


def _plain(text: str) -> str:
    """A line as a reader sees it: no Markdown emphasis or code ticks, whitespace collapsed, so
    a line still matches once rendered to HTML and stripped of its tags."""
    return " ".join(text.replace("**", "").replace("`", "").split())


def find_leaks(
    source_nb: Path,
    lines: list[str],
    kinds: tuple[str, ...] = HIDDEN_KINDS,
    delimiters: Delimiters = Delimiters(),
) -> list[tuple[int, str]]:
    """(line number from 1, what leaked) for each of `lines` holding a delimiter or a line of
    hidden material of `kinds` from `source_nb`. The one leak check: the release gate and the
    course site's gate (course/site/gate.py) both call it."""
    hidden = hidden_lines(source_nb, kinds, delimiters)
    shown = tuple(k for k in HIDDEN_KINDS if k not in kinds)
    if shown:  # e.g. a solutions page: a hidden-test line that is also a solution line may show
        allowed = hidden_lines(source_nb, shown, delimiters)
        hidden = {h: gid for h, gid in hidden.items() if h not in allowed}
    problems = []
    for n, line in enumerate(lines, start=1):
        text = _plain(line)
        problems += [(n, f"marker '{m}'") for m in delimiters.markers if m in text]
        problems += [(n, f"{gid}: '{h[:60]}'") for h, gid in hidden.items() if h in text]
    return problems


def check_no_leaks(
    source_nb: Path, release_nb: Path, delimiters: Delimiters = Delimiters()
) -> None:
    """Gate 3: no delimiter and no line of a solution, hidden test or mark scheme survives in
    the release."""
    release_text = "\n".join(c.source for c in nbformat.read(release_nb, as_version=4).cells)
    problems = [
        p for _, p in find_leaks(source_nb, release_text.splitlines(), delimiters=delimiters)
    ]
    if problems:
        raise ReleaseRefused(
            f"{release_nb}: hidden material leaked into the release:\n  - "
            + "\n  - ".join(dict.fromkeys(problems))
        )


def generate(course: CourseDir, assignment: str) -> None:
    """Run nbgrader's own generate_assignment in the course directory (updates its gradebook too)."""
    try:
        run_nbgrader(course.root, "generate_assignment", assignment, "--force")
    except NbgraderFailed as exc:
        raise ReleaseRefused(str(exc)) from None


HEADER_ID = "course-header"


def header_cell(course_title: str, a) -> nbformat.NotebookNode:
    """The release's first cell: the assignment's title and due date, from course.toml."""
    late = f" Late work: {a.late.describe()}." if a.late else " No late penalty."
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
    *, course: CourseDir = CourseDir(), assignment: str = ASSIGNMENT, notebook: str | None = None
) -> Path:
    """Regenerate release/<assignment>/ from source/ if and only if every gate passes, for each
    of its notebooks (or only `notebook`); returns the release folder. The assignment must be
    listed in course.toml, whose title and due date head each notebook."""
    from course.config import load

    config = load(course.root)
    a = config.assignment(assignment)
    notebooks = [notebook] if notebook else list(a.notebooks)
    pairs = [
        (course.source_notebook(assignment, n), course.release_notebook(assignment, n))
        for n in notebooks
    ]
    for source_nb, _ in pairs:
        if not source_nb.exists():
            raise ReleaseRefused(f"{source_nb}: no such instructor notebook")
        try:
            # The shared setup/check cells come from one canonical file (see shared_cells).
            shared_cells.sync_notebook(source_nb)
        except shared_cells.SharedCellMissing as exc:
            raise ReleaseRefused(str(exc)) from None
        check_source_passes(source_nb)

    release_dir = course.release / assignment
    backup = Path(tempfile.mkdtemp(prefix="release-backup-"))
    if release_dir.exists():
        shutil.copytree(release_dir, backup / "old")
    try:
        generate(course, assignment)
        delimiters = Delimiters.from_config(load_config(course.root))
        for source_nb, release_nb in pairs:
            check_blank_fails(release_nb)
            check_no_leaks(source_nb, release_nb, delimiters)
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
