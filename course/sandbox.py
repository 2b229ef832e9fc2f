"""How a submission's kernel is confined. PLACEHOLDER: the sandbox helper makes this real.

Interface used by the grading engine (course/execute.py, course/grade.py):
- ``Limits``: per-submission limits.
- ``wrap_command(argv, scratch_dir, limits)``: argv that launches a worker process confined
  (e.g. inside bubblewrap) with ``scratch_dir`` as its only writable directory.
- ``confine_child(limits)``: called in each forked per-submission child right after fork,
  before any student code runs (rlimits, process group, ...).
- ``available()``: whether real confinement is in effect.
- ``BEFORE_TEST_CELL``: code run silently in the kernel before each graded test cell (or None).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    cell_timeout_s: int = 30
    notebook_timeout_s: int = 300
    memory_mb: int = 2048
    max_procs: int = 256
    max_output_bytes: int = 10 * 1024 * 1024


def available() -> bool:
    return False


def wrap_command(argv: list[str], scratch_dir: Path, limits: Limits) -> list[str]:
    return list(argv)


def confine_child(limits: Limits) -> None:
    return None


BEFORE_TEST_CELL: str | None = None
