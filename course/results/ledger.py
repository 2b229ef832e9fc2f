"""Reading the grade-on-submit ledger (``hub-ledger.jsonl``): every arrival and what became of it.

The grade-on-submit service writes the ledger (course.hub.ledger, which imports this reader);
lateness reads it here (course.results.arrival), so the results depend on a file format and
not on the hub's code. Runs in the instructor's process and in the service.

Arrival time: a student's ``timestamp.txt`` is written by the student's own server, so it is a
claim. The ledger also keeps what the server saw: ``received``, the newest ctime in the inbound
entry (ctime cannot be set back by its owner, and the folder's ctime moves when nbgrader writes
timestamp.txt last), and ``noticed``, when the service first saw it complete. `arrivals()` and
`received_at()` are the functions the lateness rules use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LEDGER = "hub-ledger.jsonl"


@dataclass(frozen=True)
class Arrival:
    entry: str  # the inbound folder name: student+assignment+timestamp+random
    student: str
    assignment: str
    claimed: str  # the student's timestamp.txt, as written
    received: str  # ISO UTC: newest ctime in the inbound entry when noticed
    noticed: str  # ISO UTC: when the service first saw the entry complete
    outcome: str = ""  # graded | limited | failed | superseded | refused ("" = not done yet)
    detail: str = ""


def records(path: Path) -> list[dict]:
    """Every line of the ledger at `path`, oldest first ([] before the first submission)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a crash mid-write; its entry is simply redone
    return out


def arrivals_in(lines: list[dict]) -> dict[str, Arrival]:
    """entry -> Arrival, with the outcome of its last ``done`` line if any."""
    seen: dict[str, Arrival] = {}
    for r in lines:
        if r["event"] == "arrived" and r["entry"] not in seen:
            fields = {k: r[k] for k in Arrival.__dataclass_fields__ if k in r}
            seen[r["entry"]] = Arrival(**{**fields, "outcome": "", "detail": ""})
        elif r["event"] == "done" and r["entry"] in seen:
            a = seen[r["entry"]]
            seen[r["entry"]] = Arrival(**{**a.__dict__, "outcome": r["outcome"],
                                          "detail": r.get("detail", "")})  # fmt: skip
    return seen


def arrivals(course_root: Path, assignment: str | None = None, student: str | None = None):
    """Every submission the grade-on-submit service saw, oldest first (claimed and observed)."""
    found = [
        a
        for a in arrivals_in(records(Path(course_root) / LEDGER)).values()
        if (assignment is None or a.assignment == assignment)
        and (student is None or a.student == student)
    ]
    return sorted(found, key=lambda a: a.received)


def received_at(course_root: Path, student: str, assignment: str) -> datetime | None:
    """Server-observed arrival of the submission that counts (the newest one not refused)."""
    kept = [a for a in arrivals(course_root, assignment, student) if a.outcome != "refused"]
    if not kept:
        return None
    newest = max(kept, key=lambda a: (a.claimed, a.received))
    return datetime.fromisoformat(newest.received)
