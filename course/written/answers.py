"""The written questions of an assignment and every student's answer to one of them.

Runs in: the written-grading app (as the grader account under the hub) and the CLI.

Questions come from the instructor's source notebook (a markdown cell with nbgrader
``solution`` and ``grade``: its prompt is the markdown cell ``<grade_id>_prompt`` or the cell
before it; its mark scheme is the region between nbgrader's mark-scheme delimiters).
Answers come from submitted/<student>/<assignment>/<notebook>.ipynb, which students control:
a link is never followed (O_NOFOLLOW on the file, the student's folders checked with lstat),
a file over MAX_BYTES or one that is not a notebook is skipped with a one-line reason, and a
cell is found by its nbgrader grade_id only. Parsed files are cached by (inode, size, mtime),
so reopening a question of 400 answers reads only what changed.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.nb import Delimiters, drop_delimiter_lines, grade_id, load_config, region_lines
from course.paths import CourseDir

MAX_BYTES = 20 * 2**20  # a notebook bigger than this is not a student's work (or is an attack)

try:  # orjson (requirements.txt): 400 notebooks of ~100 kB parse in a quarter of json's time
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - the course's environments have it
    _loads = json.loads  # type: ignore[assignment]


@dataclass(frozen=True)
class Question:
    assignment: str
    notebook: str
    grade_id: str
    prompt: str  # the instructor's markdown
    scheme: str  # the mark scheme (graders only)
    solution: str  # the model answer, mark scheme removed
    points: float
    release: str  # what the student was handed (e.g. "YOUR ANSWER HERE")


def questions(course: CourseDir, assignment: str) -> list[Question]:
    """Every hand-graded markdown answer of the assignment, in notebook order."""
    folder = course.source / assignment
    delims = Delimiters.from_config(load_config(course.root))
    out: list[Question] = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        released = _release_sources(course, assignment, path.stem)
        cells = nb.cells
        by_id = {grade_id(c): c for c in cells if grade_id(c)}
        for i, cell in enumerate(cells):
            m = cell.metadata.get("nbgrader", {})
            if not (cell.cell_type == "markdown" and m.get("solution") and m.get("grade")):
                continue
            gid = m["grade_id"]
            prompt_cell = by_id.get(f"{gid}_prompt") or (cells[i - 1] if i else None)
            out.append(
                Question(
                    assignment=assignment,
                    notebook=path.stem,
                    grade_id=gid,
                    prompt=prompt_cell.source if prompt_cell is not None else "",
                    scheme="\n".join(region_lines(cell.source, delims.mark_scheme)).strip(),
                    solution=_without_region(cell.source, delims.mark_scheme),
                    points=float(m.get("points") or 0),
                    release=released.get(gid, ""),
                )
            )
    return out


def question(course: CourseDir, assignment: str, gid: str) -> Question:
    for q in questions(course, assignment):
        if q.grade_id == gid:
            return q
    raise KeyError(f"{assignment} has no written question {gid!r}")


def _without_region(source: str, delimiters: tuple[str, str]) -> str:
    inside = set(region_lines(source, delimiters))
    kept = [ln for ln in source.split("\n") if ln not in inside]
    return drop_delimiter_lines("\n".join(kept), delimiters).strip()


def _release_sources(course: CourseDir, assignment: str, notebook: str) -> dict[str, str]:
    path = course.release_notebook(assignment, notebook)
    if not path.exists():
        return {}
    nb = nbformat.read(path, as_version=4)
    return {str(grade_id(c)): c.source for c in nb.cells if grade_id(c)}


# --- students' answers -----------------------------------------------------------------
_cache: dict[tuple[str, int, int, int], dict[str, str]] = {}


class Unreadable(Exception):
    """One submission cannot be read; str() is the one-line reason."""


def _read_json(path: Path) -> dict:
    """A student's notebook, never through a link, never more than MAX_BYTES."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable(f"{path}: not a regular file")
        if st.st_size > MAX_BYTES:
            raise Unreadable(f"{path}: {st.st_size} bytes, over {MAX_BYTES}")
        key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
        if key in _cache:
            return {"_cached": _cache[key]}
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    try:
        nb = _loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unreadable(f"{path}: not JSON ({str(exc)[:80]})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise Unreadable(f"{path}: not a notebook (no list of cells)")
    written = {}
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        meta = cell.get("metadata")
        gid = meta.get("nbgrader", {}).get("grade_id") if isinstance(meta, dict) else None
        src = cell.get("source", "")
        if isinstance(gid, str) and gid not in written:
            written[gid] = "".join(src) if isinstance(src, list) else str(src)
    _cache[key] = written
    return {"_cached": written}


def _student_dirs(course: CourseDir) -> list[Path]:
    try:
        entries = sorted(os.scandir(course.submitted), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    # is_dir(follow_symlinks=False): a link in submitted/ is never a student.
    return [Path(e.path) for e in entries if e.is_dir(follow_symlinks=False)]


def answers(course: CourseDir, q: Question, problems: list[str] | None = None) -> dict[str, str]:
    """student -> their answer to `q` (the release text when they left the cell untouched, ""
    when the cell is gone). Unreadable submissions are left out, their reason appended to
    `problems`."""
    out: dict[str, str] = {}
    for folder in _student_dirs(course):
        sub = folder / q.assignment
        if sub.is_symlink() or not sub.is_dir():
            continue
        try:
            cells = _read_json(sub / f"{q.notebook}.ipynb")["_cached"]
        except FileNotFoundError:
            continue
        except (Unreadable, OSError) as exc:
            if problems is not None:
                problems.append(str(exc) if isinstance(exc, Unreadable) else f"{sub}: {exc}")
            continue
        out[folder.name] = cells.get(q.grade_id, "")
    return out
