"""Grade on submit: a JupyterHub-managed service that grades each new submission and releases
its feedback (`python -m course hub-grader`, started by the hub as root, restarted on exit).
Root, because the sandbox gives every kernel a uid of its own (docs/deploy.md, threat model);
what it writes in the course directory is handed back to the grader account for formgrader.

One batch = every complete inbound entry without a ``done`` ledger line when the service wakes
(a burst of 30 is one or two batches), per assignment: admit each entry (course.hub.staging:
walked without following links, copied as its student) or refuse it naming the rule it broke;
ONE nbgrader collect from the staged copies; ONE course.grading.run.grade on kept-warm workers,
then the gradebook's submission times set to the arrival the lateness rule uses; ONE
generate_feedback (hidden tests removed) with a banner per page, or our own page for entries
over the rate limit, ungradable or superseded; ONE release_feedback, files handed back.
Per-student nbgrader runs made feedback grow with a burst (stage times: docs/grading.md).
Only then is ``done`` written, so a crash anywhere means the batch is redone on restart.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nbgrader.utils import notebook_hash

from course.hub.feedback_pool import KeptPool
from course.hub.inbound import LIMITS, Refused
from course.hub.ledger import Arrival, Ledger, now
from course.hub.pages import banner, failed_page, limited_page, refused_page, superseded_page
from course.hub.staging import admit
from course.paths import CourseDir

log = logging.getLogger("grade-on-submit")
WINDOW = timedelta(hours=1)


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
        self.limits = LIMITS
        # What nbgrader collects from: root's checked copies of admitted entries.
        self.staged_root = course.root / "exchange-staged"
        self.staged_inbound = self.staged_root / course_id / "inbound"
        # Refused entries, moved out of inbound/ (outside the course folder, which the service
        # hands back to the grader account after every batch: no chown of 100,000 files).
        self.refused_dir = course.root.parent / f"{course_id}-refused"
        self.feedback_dir = self.exchange / course_id / "feedback"

    # --- noticing ------------------------------------------------------------------------
    def pending(self) -> list[Arrival]:
        """Complete inbound entries the ledger has no ``done`` for (arrival recorded once).
        A new entry is admitted (course.hub.staging: checked, copied as its student) or
        refused here; nothing of it is read as root before that."""
        known = self.ledger.arrivals()
        out = []
        try:
            names = sorted(os.listdir(self.inbound))
        except FileNotFoundError:
            return []
        for name in names:
            if name in known:
                if not known[name].outcome:
                    out.append(known[name])
                continue
            folder = self.inbound / name
            try:  # lstat: present is enough, whatever they are (a link is refused below)
                for f in ("timestamp.txt", "submission_secret.txt"):
                    os.lstat(folder / f)
            except OSError:
                continue  # still being copied by the student's server
            if arrival := self._admit(name):
                out.append(arrival)
        return out

    def _admit(self, name: str) -> Arrival | None:
        folder = self.inbound / name
        student, assignment = (name.split("+") + ["", ""])[:2]
        received, claimed, refusal = now(os.lstat(folder).st_ctime), "", None
        try:
            if assignment not in self._released():
                raise Refused("name", "no such assignment")
            newest, _, claimed = admit(folder, self._staged(name), self.limits)
            received = now(newest)
        except Refused as r:
            refusal, claimed = r, r.claimed
        arrival = Arrival(entry=name, student=student, assignment=assignment, claimed=claimed,
                          received=received, noticed=now())  # fmt: skip
        self.ledger.arrived(arrival)
        if refusal:
            self._refuse(arrival, refusal)
            return None
        return arrival

    def _staged(self, name: str) -> Path:
        self.staged_inbound.mkdir(parents=True, exist_ok=True)
        return self.staged_inbound / name

    def _released(self) -> list[str]:
        return sorted(p.name for p in self.course.release.iterdir() if p.is_dir())

    def _refuse(self, a: Arrival, why: Refused) -> None:
        """Ledger line, a page naming the rule (under the secret the student's own file gave,
        if it could be read as hers), and the entry moved out of inbound/ (a rename: nothing
        is read or copied) so that no later collect, ours or formgrader's, sees it."""
        self.ledger.done(a.entry, "refused", why.reason)
        log.warning("refused %r: %s", a.entry, why.reason)
        if why.secret and a.assignment in self._released():
            notebooks = sorted(p.stem for p in (self.course.release / a.assignment).glob("*.ipynb"))
            self._own_page(why.secret, notebooks, refused_page(a, why.reason))
        self.refused_dir.mkdir(mode=0o700, exist_ok=True)
        try:
            os.rename(self.inbound / a.entry, self.refused_dir / a.entry)
        except OSError as exc:  # another filesystem: leave it; the ledger says refused
            log.warning("could not move %r out of inbound: %s", a.entry, exc.strerror)

    # --- one batch -----------------------------------------------------------------------
    def _api(self, exchange: Path):
        """nbgrader's own API in this process: collect and release_feedback without paying
        ~1.5 s (more under load) for a new `nbgrader` process each time. Collect reads the
        staged exchange (root's checked copies), release_feedback writes the real one."""
        from nbgrader.apps.api import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        from course.nb import load_config

        config = load_config(self.course.root)
        config.CourseDirectory.course_id = self.course_id
        config.Exchange.root = str(exchange)
        # Staged copies are root's; their students' owners were checked when admitted.
        config.ExchangeCollect.check_owner = False
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def _nbgrader(self, verb: str, assignment: str, only: list[str] | None = None) -> None:
        api = self._api(self.staged_root if verb == "collect" else self.exchange)
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
        from course.results.late import apply_penalties

        stages = dict.fromkeys(("collect", "grade", "feedback", "release"), 0.0)
        kept = []
        for a in batch:  # after a crash between admitting and grading: admit again
            if not self._staged(a.entry).is_dir():
                try:
                    admit(self.inbound / a.entry, self._staged(a.entry), self.limits)
                except Refused as r:
                    self._refuse(a, r)
                    continue
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
                # One submission time: the gradebook's timestamp becomes the arrival time the
                # lateness rule uses (course.results.late), now rather than at the next export.
                apply_penalties(self.course, assignments=[assignment])
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
                    secret = (self._staged(a.entry) / "submission_secret.txt").read_text().strip()
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
