"""Integrity flags: what the checks found, kept per submission, summarised for people.

Runs in: the worker (makes them) and the grader (saves them; the summary and the report read
them). A flag is {"cell": grade_id | None, "action": "zeroed" | "restored" | "review",
"reason": str}; they are kept at CourseDir.integrity_flags(student, assignment).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

from course.nb import grade_id
from course.paths import CourseDir


class Flag(TypedDict):
    cell: str | None
    action: str  # "zeroed" (test scored 0), "restored" (trusted state put back), "review"
    reason: str


def flag(cell, action: str, reason: str) -> Flag:
    """A flag about `cell` (None: the whole notebook)."""
    return {
        "cell": grade_id(cell) if cell is not None else None,
        "action": action,
        "reason": reason,
    }


def save_flags(path: Path, flags: list[Flag]) -> None:
    """Write one submission's flags to `path` (CourseDir.integrity_flags); none: no file."""
    if flags:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(flags, indent=1))
    elif path.exists():
        path.unlink()


def load_flags(course: CourseDir, assignment: str) -> dict[str, list[Flag]]:
    """student -> flags, for the summary and the report."""
    out = {}
    students = (
        sorted(p.name for p in course.autograded.iterdir()) if course.autograded.is_dir() else []
    )
    for student in students:
        path = course.integrity_flags(student, assignment)
        if path.is_file():
            out[student] = json.loads(path.read_text())
    return out


def summarize(flags: list[Flag]) -> str:
    """One line for the grading summary."""
    worst = (
        "zeroed"
        if any(f["action"] == "zeroed" for f in flags)
        else ("restored" if any(f["action"] == "restored" for f in flags) else "review")
    )
    parts = [f"{f['cell'] or 'notebook'}: {f['reason']}" for f in flags]
    return f"[{worst}] " + "; ".join(dict.fromkeys(parts))
