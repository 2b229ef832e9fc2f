"""Grade on submit: a JupyterHub-managed service that grades each new submission and releases
its feedback (`python -m course hub-grader`, started by the hub as root, restarted on exit).

Runs as root because the sandboxed grader needs it (a uid of its own for every kernel, see
README "Threat model"); everything it writes in the course directory is handed back to the
grader account afterwards so formgrader keeps working.

One batch = every complete inbound entry without a ``done`` line in the ledger when the service
wakes (a burst of 30 is one or two batches, not 30), per assignment:
  refuse entries whose folder owner is not the student they claim to be (moved out of inbound);
  collect: ONE nbgrader collect --update (the newest per student goes to submitted/);
  grade: ONE course.grading.run.grade on workers kept warm between batches (KeptPool);
  feedback: ONE nbgrader generate_feedback for the batch's students (course.results.feedback:
  hidden tests removed), a banner in each page (when received, graded feedback used this hour)
  or, over the rate limit, a page that says it was recorded but not scored; pages of our own for
  entries that could not be graded or were superseded in the same batch;
  release: ONE nbgrader release_feedback for the batch's students, files handed back.
Per-student nbgrader runs made feedback the stage that grew with a burst (the previous design;
see README "Grade on submit" for the stage times). Only then is ``done`` written, so a crash
anywhere means the batch is redone on restart. Stage times go to the ledger (a ``batch`` line).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections import defaultdict
from contextlib import contextmanager
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


@contextmanager
def _timed(stages: dict[str, float], name: str):
    """Add the seconds spent in the `with` block to stages[name] (the batch's stage times)."""
    t0 = time.monotonic()
    try:
        yield
    finally:
        stages[name] += time.monotonic() - t0


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
        self.feedback = None  # course.hub.feedback_pool.FeedbackPool, made by warm()
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

    def _nbgrader(self, verb: str, assignment: str, only: list[str] | None = None) -> None:
        api = self._api()
        if only is not None:  # these students only, in one run (nbgrader's student_id_exclude)
            everyone = {p.name for p in self.course.feedback.iterdir() if p.is_dir()}
            api.coursedir.student_id_exclude = ",".join(sorted(everyone - set(only)))
        result = getattr(api, verb)(assignment)
        if not result.get("success"):
            raise RuntimeError(f"nbgrader {verb} {assignment} failed: {result.get('log')}")

    def process(self, batch: list[Arrival]) -> dict[str, float]:
        """Everything that arrived since the last wake-up, as ONE batch per assignment: one
        collect, one grade() on the kept workers, one generate_feedback, one release_feedback.
        Returns (and records in the ledger) the seconds spent in each stage."""
        from course.grading.run import grade

        stages = dict.fromkeys(("collect", "grade", "feedback", "release"), 0.0)
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
            self.warm()
            with _timed(stages, "collect"):
                self._nbgrader("collect", assignment)
            with _timed(stages, "grade"):
                summary = grade(
                    course=self.course, assignment=assignment, progress=False, pool=self.pool
                )
            self._feedback(assignment, arrivals, summary, stages)
        with _timed(stages, "release"):
            self._hand_back()
        self.ledger.batch([a.entry for a in batch], stages)
        log.info("batch of %d: %s", len(batch),
                 ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))  # fmt: skip
        return stages

    def warm(self) -> None:
        """Start the sandboxed workers and the feedback workers once (~2 s idle, 10-15 s under
        load) and keep them."""
        from course.grading.pools import LocalPool
        from course.hub.feedback_pool import FeedbackPool
        from course.sandbox.limits import Limits

        if self.pool is None:
            self.pool = KeptPool(LocalPool(self.workers, Limits()))
        if self.feedback is None:
            self.feedback = FeedbackPool(self.workers)

    def stop_workers(self) -> None:
        for pool in (self.pool, self.feedback):
            if pool:
                pool.shutdown()
        self.pool = self.feedback = None

    def _collected_secret(self, student: str, assignment: str) -> str:
        path = self.course.submission_dir(student, assignment) / "submission_secret.txt"
        return path.read_text().strip() if path.exists() else ""

    def _feedback(self, assignment: str, arrivals: list[Arrival], summary, stages) -> None:
        notebooks = sorted(p.stem for p in (self.course.release / assignment).glob("*.ipynb"))
        since = (datetime.now(UTC) - WINDOW).isoformat()
        outcomes: dict[str, tuple[str, str]] = {}
        pages: dict[str, tuple[bool, str]] = {}  # student -> (replaces nbgrader's page?, html)
        with _timed(stages, "feedback"):
            for student in sorted({a.student for a in arrivals}):
                counted = self._collected_secret(student, assignment)
                for a in (a for a in arrivals if a.student == student):
                    secret = (self.inbound / a.entry / "submission_secret.txt").read_text().strip()
                    if secret != counted:
                        outcomes[a.entry] = ("superseded", "a newer submission of yours counts")
                        self._own_page(secret, notebooks, superseded_page(a))
                    elif student in summary.failed:
                        outcomes[a.entry] = ("failed", summary.failed[student])
                        self._own_page(secret, notebooks, failed_page(a, summary.failed[student]))
                    else:
                        shown = self.ledger.shown_since(student, assignment, since)
                        if len(shown) >= self.limit.per_hour:
                            nxt = (datetime.fromisoformat(shown[0]) + WINDOW).isoformat()
                            pages[student] = (True, limited_page(a, self.limit.per_hour, nxt))
                            outcomes[a.entry] = ("limited", f"over {self.limit.per_hour}/hour")
                        else:
                            pages[student] = (False, banner(a, len(shown) + 1, self.limit.per_hour))
                            outcomes[a.entry] = ("graded", "")
            # One nbgrader run per core for the whole batch (course.hub.feedback_pool).
            self.feedback.generate(assignment, self.course, sorted(pages))
            for student, (replace, page) in pages.items():
                for nb in notebooks:
                    f = self._feedback_file(student, assignment, nb)
                    f.write_text(
                        page if replace else f.read_text().replace("<body>", "<body>" + page, 1)
                    )
        with _timed(stages, "release"):
            if pages:  # only this batch's students: the whole class would grow with its size
                self._nbgrader("release_feedback", assignment, only=sorted(pages))
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
        self.warm()  # before the first submission, not while a student waits for it
        try:
            while True:
                batch = self.pending()
                if batch:
                    try:
                        self.process(batch)
                    except Exception:  # noqa: BLE001 - keep serving; the batch is redone
                        log.exception("batch failed; retrying in 10 s")
                        self.stop_workers()
                        time.sleep(10)
                time.sleep(poll_s)
        finally:
            self.stop_workers()
