"""When a submission reached the server, as the server saw it, beside the time the student claims.

Runs in the instructor's process (`python -m course collect`) and in the grade-on-submit service.
nbgrader's exchange dates a submission by `timestamp.txt` and the `student+assignment+TIME`
folder name in inbound/, both written by the student's own process into a directory students
can write: a late student can claim any time. A file's ctime is set by the kernel on every
change (create, write, rename, chmod) and cannot be set back by a user, so the newest ctime of
an inbound entry and everything in it is a time the student cannot move earlier: the moment the
submission (or its last tampering) arrived. `collect` keeps both times in
`submitted/.arrivals-ASSIGNMENT.json` ({student: {arrived, claimed, source, entry}}); the
grade-on-submit service keeps the same facts in its ledger (written by course.hub.ledger, read
by course.results.ledger), and `load_arrivals` reads both. Lateness uses `Arrival.effective`. Submissions that reach
submitted/ by other means (an LMS download, by hand) have no record and keep their timestamp.txt.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nbgrader.utils import parse_utc

from ..paths import CourseDir
from .ledger import arrivals as ledger_arrivals

# An honest submit writes timestamp.txt and then copies the notebook, so its arrival is a
# moment after its claim; more than this apart and the claim is not believed.
TOLERANCE = timedelta(minutes=2)


@dataclass(frozen=True)
class Arrival:
    arrived: datetime  # aware UTC, seen by the server
    claimed: datetime | None  # aware UTC, the student's timestamp.txt
    source: str  # "exchange inbound ctime", "grade-on-submit", ...
    entry: str = ""  # the inbound folder it came from

    @property
    def forged(self) -> bool:
        """The student claims a time earlier than the server saw the submission."""
        return self.claimed is not None and self.claimed < self.arrived - TOLERANCE

    @property
    def effective(self) -> datetime:
        """The time lateness is measured from: the claim when the server confirms it (within
        TOLERANCE, so a submit at 23:59:59 that lands at 00:00:01 is on time), else arrival."""
        if self.claimed is None or self.forged:
            return self.arrived
        return min(self.claimed, self.arrived)


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_utc(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def arrived_at(entry: Path) -> datetime:
    """The newest ctime of an inbound entry and everything under it (never following links)."""
    newest = os.lstat(entry).st_ctime
    for folder, dirs, files in os.walk(entry):
        for name in dirs + files:
            newest = max(newest, os.lstat(os.path.join(folder, name)).st_ctime)
    return datetime.fromtimestamp(newest, UTC)


def claimed_at(folder: Path) -> datetime | None:
    """The student's own timestamp.txt in `folder`, or None when absent or unreadable."""
    try:
        return _utc((Path(folder) / "timestamp.txt").read_text().strip())
    except (OSError, ValueError, OverflowError):
        return None


def _store(course: CourseDir, assignment: str) -> Path:
    return course.arrivals(assignment)


def load_arrivals(course: CourseDir, assignment: str) -> dict[str, Arrival]:
    """{student: Arrival} from `python -m course collect`'s records and the grade-on-submit
    service's ledger (course.results.ledger), for the submission now in submitted/."""
    try:
        raw = json.loads(_store(course, assignment).read_text())
    except (FileNotFoundError, ValueError):
        raw = {}
    found = {
        student: Arrival(
            _utc(r["arrived"]), _utc(r.get("claimed")), r["source"], r.get("entry", "")
        )
        for student, r in raw.items()
    }
    for a in ledger_arrivals(course.root, assignment):  # oldest first: the newest wins
        claimed = _safe_utc(a.claimed)
        here = claimed_at(course.submission_dir(a.student, assignment))
        if a.outcome == "refused" or claimed != here:
            continue  # not the submission that is in submitted/
        found[a.student] = Arrival(_utc(a.received), claimed, "grade-on-submit", a.entry)
    return found


def _safe_utc(text: str) -> datetime | None:
    try:
        return _utc(text.strip())
    except (ValueError, OverflowError):
        return None


def record_arrival(
    course: CourseDir,
    assignment: str,
    student: str,
    arrived: datetime,
    claimed: datetime | None,
    source: str,
    entry: str = "",
) -> Arrival:
    """Remember when `student`'s current submission of `assignment` arrived (the one function
    the collect verb and the grade-on-submit service both call)."""
    arrival = Arrival(_utc(arrived), _utc(claimed), source, entry)
    path = _store(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        raw = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        raw = {}
    raw[student] = {
        k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(arrival).items()
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(dict(sorted(raw.items())), indent=1))
    os.replace(tmp, path)
    return arrival


def record_collected(
    *, course: CourseDir, assignment: str, inbound: Path, staged: Path | None = None
) -> dict[str, Arrival]:
    """After `nbgrader collect`: for each student whose submitted/ copy is the newest inbound
    entry (the one nbgrader chose by its folder-name time), record that entry's arrival.
    `staged`: where collect took root's checked copies from (course.hub.staging); claims are
    read there, only ctimes (metadata) in `inbound`, which the students wrote."""
    newest: dict[str, tuple[datetime, Path]] = {}
    for entry in Path(staged or inbound).glob(f"*+{assignment}+*"):
        parts = entry.name.rsplit("+", 3)
        try:
            stamp = _utc(parts[2])
        except (IndexError, ValueError, OverflowError):
            continue
        if parts[0] not in newest or stamp > newest[parts[0]][0]:
            newest[parts[0]] = (stamp, entry)
    recorded = {}
    for student, (_, entry) in sorted(newest.items()):
        submitted = course.submission_dir(student, assignment)
        claim = claimed_at(entry)
        if not submitted.is_dir() or claim != claimed_at(submitted):
            continue  # collect kept an older copy, or did not take this one
        recorded[student] = record_arrival(
            course,
            assignment,
            student,
            arrived_at(Path(inbound) / entry.name),
            claim,
            "exchange inbound ctime",
            entry.name,
        )
    return recorded
