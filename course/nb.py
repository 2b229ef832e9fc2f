"""Notebook facts, written once: cell kinds, grade_id <-> exercise, delimited regions, nbgrader.

Runs in: the grader/CLI process and the sandboxed worker (it imports nbgrader's preprocessors
only to read their delimiter traits, and the subprocess module only for `run_nbgrader`). It
never runs in the student's kernel.

- Cell kinds follow nbgrader's metadata (`nbgrader.utils.is_grade`/`is_solution`): a *test
  cell* is a graded code cell that is not an answer; an *answer cell* is a code cell the student
  writes; a *written answer* is a markdown cell the student writes (graded by hand).
- Exercises: this course names every graded cell `exNN_...`; `exercise_key` is "exNN".
- Regions (solution, hidden tests, mark scheme) are found exactly as nbgrader's ClearSolutions,
  ClearHiddenTests and ClearMarkScheme find them: a line *containing* the configured begin
  delimiter opens a region, one containing the end delimiter closes it. The delimiters are read
  from the course's nbgrader configuration (`Delimiters.from_config`), so changing them in
  nbgrader_config.py changes every consumer at once.
- `run_nbgrader` is the one way this tool starts an nbgrader command, with one failure rule.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from course.errors import NbgraderFailed

CONFIG_FILE = "nbgrader_config.py"
_EXERCISE = re.compile(r"^ex(\d\d)_")


# --- cell kinds ------------------------------------------------------------------------
def meta(cell) -> dict:
    """The cell's nbgrader metadata ({} for a plain cell)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell) -> str | None:
    return meta(cell).get("grade_id")


def is_test_cell(cell) -> bool:
    """An autograded test cell: graded code that is not the student's answer."""
    m = meta(cell)
    return cell.cell_type == "code" and bool(m.get("grade")) and not m.get("solution")


def is_answer_cell(cell) -> bool:
    """A code cell the student writes (nbgrader "solution" cell)."""
    return cell.cell_type == "code" and bool(meta(cell).get("solution"))


def is_written_answer(cell) -> bool:
    """A markdown cell the student writes, graded by hand."""
    return cell.cell_type == "markdown" and bool(meta(cell).get("solution"))


def is_student_code(cell) -> bool:
    """Code the student may have written: answer cells and cells with no nbgrader metadata."""
    return cell.cell_type == "code" and (bool(meta(cell).get("solution")) or not meta(cell))


# --- exercises ---------------------------------------------------------------------------
def exercise_number(gid: str | None) -> int | None:
    """3 for "ex03_nearest_neighbor" (any cell of exercise 3); None for other ids."""
    match = _EXERCISE.match(gid or "")
    return int(match.group(1)) if match else None


def exercise_key(gid: str | None) -> str | None:
    """ "ex03" for "ex03_nearest_neighbor_tests"; None for ids outside an exercise."""
    n = exercise_number(gid)
    return None if n is None else f"ex{n:02d}"


# --- regions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Delimiters:
    """nbgrader's region delimiters (its defaults here; `from_config` reads the course's)."""

    solution: tuple[str, str] = ("BEGIN SOLUTION", "END SOLUTION")
    hidden_tests: tuple[str, str] = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    mark_scheme: tuple[str, str] = ("BEGIN MARK SCHEME", "END MARK SCHEME")

    @classmethod
    def from_config(cls, config: Config) -> Delimiters:
        from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearSolutions

        sol = ClearSolutions(config=config)
        hid = ClearHiddenTests(config=config)
        mark = ClearMarkScheme(config=config)
        return cls(
            (sol.begin_solution_delimeter, sol.end_solution_delimeter),
            (hid.begin_test_delimeter, hid.end_test_delimeter),
            (mark.begin_mark_scheme_delimeter, mark.end_mark_scheme_delimeter),
        )

    @property
    def markers(self) -> tuple[str, ...]:
        """Every delimiter: none may survive in what students see."""
        return (*self.solution, *self.hidden_tests, *self.mark_scheme)


def region_spans(lines: list[str], delimiters: tuple[str, str]) -> Iterator[tuple[int, int]]:
    """(begin line index, end line index) of each region, as nbgrader finds them."""
    begin, end = delimiters
    start = None
    for i, line in enumerate(lines):
        if start is None and begin in line:
            start = i
        elif start is not None and end in line:
            yield start, i
            start = None


def region_lines(source: str, delimiters: tuple[str, str]) -> list[str]:
    """The lines inside every region of `source` (delimiter lines excluded)."""
    lines = source.split("\n")
    return [ln for b, e in region_spans(lines, delimiters) for ln in lines[b + 1 : e]]


def drop_delimiter_lines(source: str, delimiters: tuple[str, str]) -> str:
    """`source` with its delimiter lines removed (the region's content kept)."""
    return "\n".join(ln for ln in source.split("\n") if not any(d in ln for d in delimiters))


# --- nbgrader ----------------------------------------------------------------------------
def load_config(root: Path) -> Config:
    """The course's nbgrader_config.py (if any), with the course root pinned to `root`."""
    config = Config()
    if (Path(root) / CONFIG_FILE).exists():
        config.merge(PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    return config


def nbgrader_env() -> dict[str, str]:
    """This environment with the venv's tools first on PATH: nbgrader's gradebook shells out to
    `alembic`, which must be the venv's however this process was started."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_nbgrader(root: Path, *args: str, check: bool = True) -> str:
    """Run `nbgrader ARGS` in course directory `root` (so it reads that course's config).

    Returns its log (stdout + stderr). The one failure rule: a non-zero exit, or an ERROR line
    in the log (nbgrader logs `[App | ERROR] ...` and still exits 0 in some failure paths),
    raises NbgraderFailed with the end of the log. check=False returns the log regardless
    (`nbgrader autograde` logs the submissions it could not grade and goes on).
    """
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    log = done.stdout + done.stderr
    if check and (done.returncode != 0 or "| ERROR]" in log):
        raise NbgraderFailed(
            f"nbgrader {' '.join(args[:2])} failed in {root} (exit {done.returncode}):\n"
            + log[-3000:]
        )
    return log
