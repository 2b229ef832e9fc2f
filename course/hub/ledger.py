"""The grade-on-submit ledger: what arrived in the exchange, when, and what became of it.

An append-only JSON-lines file in the course directory (``hub-ledger.jsonl``, written only by the
grade-on-submit service, fsync'd per line). It is why a restart loses nothing: an inbound entry
without a ``done`` line is processed again when the service starts.

The reader (the Arrival record, `arrivals()`, `received_at()`) lives in course.results.ledger,
where the lateness rules read it without depending on the hub; it is imported here too.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from course.results.ledger import LEDGER, Arrival, arrivals, arrivals_in, received_at, records

__all__ = ["LEDGER", "Arrival", "Ledger", "arrivals", "now", "received_at"]


def now(ts: float | None = None) -> str:
    """The ledger's time format (UTC, microseconds): now, or the POSIX time `ts`."""
    when = datetime.now(UTC) if ts is None else datetime.fromtimestamp(ts, UTC)
    return when.isoformat(timespec="microseconds")


class Ledger:
    def __init__(self, course_root: Path):
        self.path = Path(course_root) / LEDGER

    def _append(self, record: dict) -> None:
        with open(self.path, "a") as fh:
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def records(self) -> list[dict]:
        return records(self.path)

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
        return arrivals_in(self.records())

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
