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
from course.hub.pages import banner, failed_page, limited_page, superseded_page
from course.paths import CourseDir

log = logging.getLogger("grade-on-submit")
WINDOW = timedelta(hours=1)


class KeptPool:
    """The sandboxed workers, kept warm from one batch to the next.

    grade() closes the pool it is given at the end of every run; workers take ~2 s to warm
    up on an idle 2-core machine (numpy, matplotlib, seaborn, ipykernel) and 10-15 s under
    load, which would be paid for every single submission. Each submission still runs in a
    fresh kernel forked from the worker, exactly as within one `python -m course grade` run."""

    def __init__(self, pool):
        self.pool, self.slots = pool, pool.slots

    def submit(self, request):
        return self.pool.submit(request)

    def close(self, abort: bool = False) -> None:
        pass  # see the class docstring; shutdown() really stops them

    def shutdown(self) -> None:
        self.pool.close(abort=True)


@dataclass(frozen=True)
class RateLimit:
    per_hour: int = 3


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds")


class GradeOnSubmit:
    def __init__(self, course: CourseDir, exchange: Path, course_id: str, grader_user: str | None,
                 limit: RateLimit = RateLimit()):  # fmt: skip
        self.course, self.exchange, self.course_id = course, Path(exchange), course_id
        self.grader_user, self.limit = grader_user, limit
        self.workers = os.cpu_count() or 1
        self.pool: KeptPool | None = None
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

    def _nbgrader(self, verb: str, assignment: str, **kw) -> None:
        result = getattr(self._api(), verb)(assignment, **kw)
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
            if self.pool is None:  # warms up (~2 s) while nbgrader collects
                self.pool = KeptPool(LocalPool(self.workers, Limits()))
            self._nbgrader("collect", assignment)
            t1 = time.monotonic()
            summary = grade(assignment, root=self.course.root, progress=False, pool=self.pool)
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
                    self._own_page(secret, notebooks, superseded_page(a))
                elif student in summary.failed:
                    why = summary.failed[student]
                    outcomes[a.entry] = ("failed", why)
                    self._own_page(secret, notebooks, failed_page(a, why))
                else:
                    shown = self.ledger.shown_since(
                        student, assignment, (datetime.now(UTC) - WINDOW).isoformat()
                    )
                    generate_feedback(assignment, self.course, student=student)
                    if len(shown) >= self.limit.per_hour:
                        nxt = (datetime.fromisoformat(shown[0]) + WINDOW).isoformat()
                        page = limited_page(a, self.limit.per_hour, nxt)
                        for nb in notebooks:
                            self._feedback_file(student, assignment, nb).write_text(page)
                        outcomes[a.entry] = ("limited", f"over {self.limit.per_hour}/hour")
                    else:
                        top = banner(a, len(shown) + 1, self.limit.per_hour)
                        for nb in notebooks:
                            f = self._feedback_file(student, assignment, nb)
                            f.write_text(f.read_text().replace("<body>", "<body>" + top, 1))
                        outcomes[a.entry] = ("graded", "")
        # Only this batch's students: releasing the whole class each time grows with its size.
        for student in sorted({e.split("+")[0] for e, (o, _) in outcomes.items() if o in
                               ("graded", "limited")}):  # fmt: skip
            self._nbgrader("release_feedback", assignment, student_id=student)
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
        try:
            while True:
                batch = self.pending()
                if batch:
                    try:
                        self.process(batch)
                    except Exception:  # noqa: BLE001 - keep serving; the batch is redone
                        log.exception("batch failed; retrying in 10 s")
                        if self.pool:
                            self.pool.shutdown()
                            self.pool = None
                        time.sleep(10)
                time.sleep(poll_s)
        finally:
            if self.pool:
                self.pool.shutdown()
