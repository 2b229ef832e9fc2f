"""Grade on submit: a JupyterHub-managed service that grades each new submission and releases
its feedback (`python -m course hub-grader`, started by the hub as root, restarted on exit).

Runs as root because the sandboxed grader needs it (a uid of its own for every kernel, see
README "Threat model"); everything it writes in the course directory is handed back to the
grader account afterwards so formgrader keeps working.

One batch = every complete inbound entry without a ``done`` line in the ledger:
  refuse entries whose folder owner is not the student they claim to be (moved out of inbound);
  nbgrader collect --update (course.exchange.collect: the newest per student goes to submitted/);
  course.grade.grade (sandboxed, parallel, resumable; one gradebook writer);
  nbgrader generate_feedback per student (course.results.feedback: hidden tests removed);
  a banner in each feedback page (when received, graded feedback used this hour), or, over the
  rate limit, a page that says it was recorded but not scored; nbgrader release_feedback;
  pages of our own for entries that could not be graded or were superseded in the same batch.
Only then is ``done`` written, so a crash anywhere means the batch is redone on restart.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nbgrader.utils import notebook_hash

from course.hub.ledger import Arrival, Ledger, now
from course.paths import CourseDir

log = logging.getLogger("grade-on-submit")
WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class RateLimit:
    per_hour: int = 3


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds")


def _hm(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S UTC")


class GradeOnSubmit:
    def __init__(self, course: CourseDir, exchange: Path, course_id: str, grader_user: str | None,
                 limit: RateLimit = RateLimit()):  # fmt: skip
        self.course, self.exchange, self.course_id = course, Path(exchange), course_id
        self.grader_user, self.limit = grader_user, limit
        self.workers = os.cpu_count() or 1
        self.ledger = Ledger(course.root)
        self.inbound = self.exchange / course_id / "inbound"
        self.feedback_dir = self.exchange / course_id / "feedback"

    # --- noticing ------------------------------------------------------------------------
    def pending(self) -> list[Arrival]:
        """Complete inbound entries the ledger has no ``done`` for (arrival recorded once)."""
        known = self.ledger.arrivals()
        out = []
        try:
            names = sorted(os.listdir(self.inbound))
        except FileNotFoundError:
            return []
        for name in names:
            if name in known and known[name].outcome:
                continue
            folder = self.inbound / name
            parts = name.split("+")
            if len(parts) != 4 or not all(
                (folder / f).is_file() for f in ("timestamp.txt", "submission_secret.txt")
            ):
                continue  # still being copied by the student's server
            if name in known:
                out.append(known[name])
                continue
            stamps = [folder.stat().st_ctime] + [p.lstat().st_ctime for p in folder.rglob("*")]
            arrival = Arrival(
                entry=name, student=parts[0], assignment=parts[1],
                claimed=(folder / "timestamp.txt").read_text().strip(),
                received=_iso(max(stamps)), noticed=now(),
            )  # fmt: skip
            self.ledger.arrived(arrival)
            out.append(arrival)
        return out

    def _owner_ok(self, a: Arrival) -> str | None:
        import pwd

        try:
            owner = pwd.getpwuid((self.inbound / a.entry).stat().st_uid).pw_name
        except KeyError:
            owner = "an unknown account"
        if owner != a.student and os.geteuid() == 0:
            return f"submitted as {a.student} by {owner}"
        return None

    # --- one batch -----------------------------------------------------------------------
    def _api(self):
        """nbgrader's own API in this process: collect and release_feedback without paying
        ~1.5 s (more under load) for a new `nbgrader` process each time."""
        from nbgrader.apps.api import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        from course.nb import load_config

        config = load_config(self.course.root)
        config.CourseDirectory.course_id = self.course_id
        config.Exchange.root = str(self.exchange)
        # Owners were checked (and forgeries moved out) before collecting; see _owner_ok.
        config.ExchangeCollect.check_owner = False
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def _nbgrader(self, verb: str, assignment: str) -> None:
        result = getattr(self._api(), verb)(assignment)
        if not result.get("success"):
            raise RuntimeError(f"nbgrader {verb} {assignment} failed: {result.get('log')}")

    def process(self, batch: list[Arrival]) -> None:
        from course.grading.pools import LocalPool
        from course.grading.run import grade
        from course.sandbox.limits import Limits

        kept = []
        for a in batch:
            if why := self._owner_ok(a):
                refused = self.course.root / "refused"
                refused.mkdir(exist_ok=True)
                shutil.move(str(self.inbound / a.entry), refused / a.entry)
                self.ledger.done(a.entry, "refused", why)
                log.warning("refused %s: %s", a.entry, why)
            else:
                kept.append(a)
        by_assignment = defaultdict(list)
        for a in kept:
            by_assignment[a.assignment].append(a)
        for assignment, arrivals in sorted(by_assignment.items()):
            t0 = time.monotonic()
            # Workers warm up (~2 s) while nbgrader collects, as in `python -m course grade`.
            pool = LocalPool(self.workers, Limits())
            self._nbgrader("collect", assignment)
            t1 = time.monotonic()
            summary = grade(assignment, root=self.course.root, progress=False, pool=pool)
            t2 = time.monotonic()
            self._feedback(assignment, arrivals, summary)
            log.info("%s: %d submission(s): collect %.1f s, grade %.1f s, feedback %.1f s",
                     assignment, len(arrivals), t1 - t0, t2 - t1, time.monotonic() - t2)  # fmt: skip
        self._hand_back()

    def _collected_secret(self, student: str, assignment: str) -> str:
        path = self.course.submission_dir(student, assignment) / "submission_secret.txt"
        return path.read_text().strip() if path.exists() else ""

    def _feedback(self, assignment: str, arrivals: list[Arrival], summary) -> None:
        from course.results.feedback import generate_feedback

        notebooks = sorted(p.stem for p in (self.course.release / assignment).glob("*.ipynb"))
        outcomes: dict[str, tuple[str, str]] = {}
        for student in sorted({a.student for a in arrivals}):
            mine = [a for a in arrivals if a.student == student]
            counted = self._collected_secret(student, assignment)
            for a in mine:
                secret = (self.inbound / a.entry / "submission_secret.txt").read_text().strip()
                if secret != counted:
                    outcomes[a.entry] = ("superseded", "a newer submission of yours counts")
                    self._own_page(secret, notebooks, _superseded_page(a))
                elif student in summary.failed:
                    why = summary.failed[student]
                    outcomes[a.entry] = ("failed", why)
                    self._own_page(secret, notebooks, _failed_page(a, why))
                else:
                    shown = self.ledger.shown_since(
                        student, assignment, (datetime.now(UTC) - WINDOW).isoformat()
                    )
                    generate_feedback(assignment, self.course, student=student)
                    if len(shown) >= self.limit.per_hour:
                        nxt = (datetime.fromisoformat(shown[0]) + WINDOW).isoformat()
                        page = _limited_page(a, self.limit.per_hour, nxt)
                        for nb in notebooks:
                            self._feedback_file(student, assignment, nb).write_text(page)
                        outcomes[a.entry] = ("limited", f"over {self.limit.per_hour}/hour")
                    else:
                        banner = _banner(a, len(shown) + 1, self.limit.per_hour)
                        for nb in notebooks:
                            f = self._feedback_file(student, assignment, nb)
                            f.write_text(f.read_text().replace("<body>", "<body>" + banner, 1))
                        outcomes[a.entry] = ("graded", "")
        self._nbgrader("release_feedback", assignment)
        for entry, (outcome, detail) in outcomes.items():
            self.ledger.done(entry, outcome, detail)
            log.info("%s: %s %s", entry, outcome, detail)

    def _feedback_file(self, student: str, assignment: str, notebook: str) -> Path:
        return self.course.feedback / student / assignment / f"{notebook}.html"

    def _own_page(self, secret: str, notebooks: list[str], page: str) -> None:
        self.feedback_dir.mkdir(mode=0o711, exist_ok=True)
        for nb in notebooks:
            path = self.feedback_dir / f"{notebook_hash(secret=secret, notebook_id=nb)}.html"
            path.write_text(page)
            path.chmod(0o644)

    def _hand_back(self) -> None:
        if self.grader_user and os.geteuid() == 0:
            from course.hub.setup import chown_tree

            chown_tree(self.course.root, self.grader_user)

    def run_forever(self, poll_s: float = 1.0) -> None:
        log.info("watching %s", self.inbound)
        while True:
            batch = self.pending()
            if batch:
                try:
                    self.process(batch)
                except Exception:  # noqa: BLE001 - keep serving; the batch is redone next poll
                    log.exception("batch failed; retrying in 10 s")
                    time.sleep(10)
            time.sleep(poll_s)


_STYLE = (
    "font-family:sans-serif;border:2px solid #31708f;background:#d9edf7;color:#31708f;"
    "padding:10px 14px;margin:10px 0"
)


def _banner(a: Arrival, used: int, per_hour: int) -> str:
    return (
        f'<div id="grade-on-submit" style="{_STYLE}"><b>Graded on submit.</b> Received '
        f"{html.escape(_hm(a.received))}. Graded feedback {used} of {per_hour} this hour for "
        "this assignment. Written answers are awaiting the instructor.</div>"
    )


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><div id='grade-on-submit' style='{_STYLE}'><h2>{html.escape(title)}</h2>"
        f"{body}</div></body></html>"
    )


def _limited_page(a: Arrival, per_hour: int, next_iso: str) -> str:
    return _page(
        "Submission recorded; not scored now",
        f"<p>Received {html.escape(_hm(a.received))}. It is kept and counts as your newest "
        f"submission.</p><p>Graded feedback is limited to {per_hour} submissions per hour per "
        f"assignment, and you have used {per_hour}. Submit again after "
        f"{html.escape(_hm(next_iso))} to see your score.</p>",
    )


def _failed_page(a: Arrival, why: str) -> str:
    return _page(
        "Your submission could not be graded",
        f"<p>Received {html.escape(_hm(a.received))}.</p><p><b>What is wrong:</b> "
        f"<code>{html.escape(why)}</code></p><p>Open the notebook in JupyterLab (if it does not "
        "open, fetch the assignment again into a new folder and copy your answers over), save "
        "it, and submit again.</p>",
    )


def _superseded_page(a: Arrival) -> str:
    return _page(
        "A newer submission counts",
        f"<p>Received {html.escape(_hm(a.received))}. You submitted again right after this; "
        "your newest submission is the one graded, and its feedback is under it.</p>",
    )
