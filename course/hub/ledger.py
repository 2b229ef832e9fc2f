"""The grade-on-submit ledger: what arrived in the exchange, when, and what became of it.

An append-only JSON-lines file in the course directory (``hub-ledger.jsonl``, written only by the
grade-on-submit service, fsync'd per line). It is why a restart loses nothing: an inbound entry
without a ``done`` line is processed again when the service starts.

Arrival time: a student's ``timestamp.txt`` is written by the student's own server, so it is a
claim. The ledger also keeps what the server saw: ``received``, the newest ctime in the inbound
entry (ctime cannot be set back by its owner, and the folder's ctime moves when nbgrader writes
timestamp.txt last), and ``noticed``, when the service first saw it complete. `arrivals()` and
`received_at()` are the functions the lateness rules use.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LEDGER = "hub-ledger.jsonl"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


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


class Ledger:
    def __init__(self, course_root: Path):
        self.path = Path(course_root) / LEDGER

    def _append(self, record: dict) -> None:
        with open(self.path, "a") as fh:
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def records(self) -> list[dict]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash mid-write; its entry is simply redone
        return out

    def arrived(self, a: Arrival) -> None:
        self._append({"event": "arrived", **a.__dict__})

    def done(self, entry: str, outcome: str, detail: str = "", **extra) -> None:
        self._append(
            {"event": "done", "entry": entry, "outcome": outcome, "detail": detail, "at": now()}
            | extra
        )

    def batch(self, entries: list[str], stages: dict[str, float]) -> None:
        """Seconds per stage of one batch of inbound entries (read by bench/bench_hub.py)."""
        self._append({"event": "batch", "size": len(entries), "entries": entries, "at": now()}
                     | stages)  # fmt: skip

    def batches(self) -> list[dict]:
        return [r for r in self.records() if r["event"] == "batch"]

    def arrivals(self) -> dict[str, Arrival]:
        """entry -> Arrival, with the outcome of its last ``done`` line if any."""
        seen: dict[str, Arrival] = {}
        for r in self.records():
            if r["event"] == "arrived" and r["entry"] not in seen:
                fields = {k: r[k] for k in Arrival.__dataclass_fields__ if k in r}
                seen[r["entry"]] = Arrival(**{**fields, "outcome": "", "detail": ""})
            elif r["event"] == "done" and r["entry"] in seen:
                a = seen[r["entry"]]
                seen[r["entry"]] = Arrival(**{**a.__dict__, "outcome": r["outcome"],
                                              "detail": r.get("detail", "")})  # fmt: skip
        return seen

    def shown_since(self, student: str, assignment: str, since: str) -> list[str]:
        """`done` times of graded feedback shown to `student` for `assignment` after `since`."""
        by_entry = {a.entry: a for a in self.arrivals().values()}
        return sorted(
            r["at"]
            for r in self.records()
            if r["event"] == "done"
            and r["outcome"] == "graded"
            and r["at"] > since
            and by_entry.get(r["entry"])
            and by_entry[r["entry"]].student == student
            and by_entry[r["entry"]].assignment == assignment
        )


def arrivals(course_root: Path, assignment: str | None = None, student: str | None = None):
    """Every submission the grade-on-submit service saw, oldest first (claimed and observed)."""
    found = [
        a
        for a in Ledger(course_root).arrivals().values()
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
