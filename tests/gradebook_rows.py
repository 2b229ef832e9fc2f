"""Every row nbgrader's autograde writes for students, read straight from gradebook.db, and
autograded notebooks compared up to what differs between two executions of the same cells."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

_JOIN = """
    JOIN submitted_notebook sn ON x.notebook_id = sn.id
    JOIN notebook n ON sn.notebook_id = n.id
    JOIN submitted_assignment sa ON sn.assignment_id = sa.id
    JOIN student s ON sa.student_id = s.id
    JOIN base_cell c ON x.cell_id = c.id"""
QUERIES = {
    "grade": "SELECT s.id, n.name, c.name, x.auto_score, x.manual_score, x.extra_credit, "
    f"x.needs_manual_grade FROM grade x {_JOIN}",
    "comment": f"SELECT s.id, n.name, c.name, x.auto_comment, x.manual_comment FROM comment x {_JOIN}",
    "notebook": "SELECT s.id, n.name, sn.flagged, sn.late_submission_penalty "
    "FROM submitted_notebook sn JOIN notebook n ON sn.notebook_id = n.id "
    "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
    "JOIN student s ON sa.student_id = s.id",
    "submission": "SELECT s.id, sa.timestamp FROM submitted_assignment sa "
    "JOIN student s ON sa.student_id = s.id",
    "student": "SELECT id, first_name, last_name, email, lms_user_id FROM student",
}


def student_rows(gradebook: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(gradebook)
    try:
        return {t: sorted(map(tuple, db.execute(q)), key=repr) for t, q in QUERIES.items()}
    finally:
        db.close()


def files(folder: Path) -> dict[str, bytes]:
    """Every file nbgrader put under `folder` (the grader's own files left out: dot-files and
    the integrity flags, course.paths.CourseDir.integrity_flags)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and p.name != "integrity.json"
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def executed_alike(text: str) -> dict:
    """A notebook without what two executions of the same cells may differ in: each cell's
    execution timestamps, and how a stream's text was split into messages."""
    nb = json.loads(text)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        merged: list[dict] = []
        for out in cell.get("outputs", []):
            if "text" in out:
                out = {**out, "text": "".join(out["text"])}
            last = merged[-1] if merged else None
            if last and out["output_type"] == last["output_type"] == "stream":
                if out["name"] == last["name"]:
                    last["text"] += out["text"]
                    continue
            merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def same_but_made_up_ids(mine: bytes, theirs: bytes, submitted: Path) -> bool:
    """Byte-identical, or identical but for cell ids nbformat made up at random (for a cell
    nbgrader's OverwriteCells added back, or every cell of an nbformat 3 notebook), which
    differ between two runs of nbgrader too: ids not in the submitted file."""
    if mine == theirs:
        return True
    try:
        given = {c.get("id") for c in json.loads(submitted.read_bytes()).get("cells", [])}
    except (OSError, ValueError, AttributeError):
        given = set()
    a, b = json.loads(mine), json.loads(theirs)
    if len(a["cells"]) != len(b["cells"]):
        return False
    for x, y in zip(a["cells"], b["cells"], strict=True):
        if x.get("id") != y.get("id") and not {x.get("id"), y.get("id")} & given:
            x.pop("id"), y.pop("id")
    return a == b
