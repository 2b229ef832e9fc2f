"""`python -m course grade`: grade a whole class in parallel, resumably, with progress.

Runs in: the grader process. One submission's path (docs/architecture.md draws it):
  submissions.problem (pre-checks) -> writer.prepare (read the submitted notebooks)
  -> pools (a sandboxed worker runs nbgrader's sanitize pass, executes, runs Autograde's
  conversion; course.worker) -> writer.write (nbgrader's Autograde writes the gradebook rows
  and the worker's autograded/ files) -> state (remember what was graded).
Submissions execute in parallel; this process is the only gradebook writer. The lock is taken
before anything is written, so a refused second run changes nothing. submitted/ is only read.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry

from course.errors import GradingError
from course.grading import state as st
from course.grading.batches import BATCH_MAX, Batches
from course.grading.pools import DaskPool, LocalPool
from course.grading.protocol import Request, Result
from course.grading.stages import Stages
from course.grading.submissions import extra_files, find_submissions, problem
from course.grading.summary import GradeSummary
from course.grading.writer import GradebookWriter
from course.integrity.flags import save_flags, summarize
from course.nb import Delimiters
from course.paths import ASSIGNMENT, REPO, CourseDir
from course.sandbox import host as sandbox
from course.sandbox.limits import Limits

FORGET_AHEAD = 2 * BATCH_MAX  # forgotten in the state file ahead of being written


class Grader:
    """Grades `assignment` of the course at `root`; see `grade()` for the parameters.

    Constructing one touches no file; `run()` takes the lock first."""

    def __init__(
        self,
        root: Path = REPO,
        assignment: str = ASSIGNMENT,
        *,
        workers: int | None = None,
        scheduler: str | None = None,
        force: bool = False,
        progress: bool = True,
        limits: Limits | None = None,
        pool: LocalPool | None = None,
    ):
        self.course = CourseDir(Path(root).resolve())
        self.assignment = assignment
        self.workers = workers or os.cpu_count() or 1
        self.scheduler, self.force, self.progress = scheduler, force, progress
        self.limits = limits or Limits()
        self.pool = pool  # already warming up (course.verbs starts it early), or made in _grade

    def run(self) -> GradeSummary:
        start = time.monotonic()
        summary = GradeSummary(self.assignment)
        with (
            st.exclusive(self.course, self.assignment),
            st.run_log(self.course, self.assignment) as log,
        ):
            writer = GradebookWriter(self.course.root, self.assignment, log=log)
            expected = writer.expected_notebooks()  # GradeRefused when not released
            state = st.GradeState(self.course, self.assignment)
            in_gradebook = self._in_gradebook(writer)
            todo = []
            for student in find_submissions(self.course, self.assignment):
                if self._up_to_date(student, state, in_gradebook, expected):
                    summary.up_to_date.append(student)
                elif (why := problem(self.course, self.assignment, student, expected)) is not None:
                    summary.failed[student] = why
                else:
                    todo.append(student)
            if todo:
                if not self.scheduler:
                    sandbox.warn_if_unavailable()  # loud, once; Dask workers warn on their side
                self._grade(todo, writer, state, summary)
            st.save_failures(
                self.course, self.assignment, summary.failed, summary.graded + summary.up_to_date
            )
        summary.seconds = time.monotonic() - start
        summary.graded.sort()
        return summary

    # --- what to grade -------------------------------------------------------------------
    def _in_gradebook(self, writer: GradebookWriter) -> set[str]:
        with Gradebook(self.course.db_url, writer.coursedir.course_id) as gb:
            try:
                return {s.student.id for s in gb.find_assignment(self.assignment).submissions}
            except MissingEntry:
                return set()

    def _digest(self, student: str) -> str:
        return st.digest(self.course.submission_dir(student, self.assignment))

    def _up_to_date(
        self, student: str, state: st.GradeState, in_gradebook: set[str], expected: list[str]
    ) -> bool:
        if self.force or student not in in_gradebook:
            return False
        outputs = [self.course.autograded_notebook(student, self.assignment, n) for n in expected]
        return state.graded_digest(student) == self._digest(student) and any(
            p.exists() for p in outputs
        )

    # --- the run -------------------------------------------------------------------------
    def _grade(
        self, todo: list[str], writer: GradebookWriter, state: st.GradeState, summary: GradeSummary
    ) -> None:
        from tqdm import tqdm

        pool = self.pool or (
            DaskPool(self.scheduler, self.limits)
            if self.scheduler
            else LocalPool(self.workers, self.limits)
        )
        summary.workers = (
            f"dask cluster {self.scheduler}"
            if self.scheduler
            else f"{self.workers} local worker(s)"
        )
        bar = tqdm(
            total=len(todo),
            desc=f"grading {self.assignment}",
            unit="sub",
            file=sys.stderr,
            disable=not self.progress,
            dynamic_ncols=True,
        )
        base: Request = {
            "execute": writer.execute_config(),
            "limits": asdict(self.limits),
            "hidden_tests": list(Delimiters.from_config(writer.config).hidden_tests),
            "autograde": {**writer.worker_context(), "assignment": self.assignment},
        }
        # Enough in flight to keep every slot busy while this process writes results.
        queue, window = list(reversed(todo)), 2 * pool.slots
        in_flight: dict[Future, tuple[str, str, float, float, Stages]] = {}
        batches = Batches(writer.coursedir.db_url, state, summary)
        forgotten: set[str] = set()
        aborted = True
        try:
            while queue or in_flight:
                while queue and len(in_flight) < window:
                    student = queue.pop()
                    if student not in forgotten:
                        # A crash before its batch commits must not leave it "up to date";
                        # the state file is saved once for the next FORGET_AHEAD, not per
                        # submission (2,000 saves of a growing file for a class of 2,000).
                        ahead = [student, *reversed(queue[-FORGET_AHEAD:])]
                        state.forget(*ahead)
                        forgotten.update(ahead)
                    began, stages = time.time(), Stages()
                    try:
                        with stages.timed("prepare"):
                            digest = self._digest(student)  # what is graded, even if resubmitted
                            texts = writer.prepare(student)
                            files = extra_files(self.course, self.assignment, student)
                    except GradingError as exc:
                        summary.failed[student] = str(exc)
                        bar.update()
                        continue
                    request: Request = {**base, "id": student, "notebooks": texts, "files": files}
                    request["labels"] = {n: writer.submitted_label(student, n) for n in texts}
                    submitted = time.time()
                    in_flight[pool.submit(request)] = (
                        student,
                        digest,
                        began,
                        submitted,
                        stages,
                    )
                done, _ = wait(in_flight, timeout=batches.wait_s(), return_when=FIRST_COMPLETED)
                for fut in done:
                    student, digest, began, submitted, stages = in_flight.pop(fut)
                    result = fut.result()
                    if result.get("started_at"):  # waiting for a free (or warming) worker
                        stages.add("queue", result["started_at"] - submitted)
                    batches.open()
                    if self._record(student, result, writer, state, stages, summary):
                        batches.written(student, digest, began, stages)
                    bar.update()
                    bar.set_postfix(failed=len(summary.failed), refresh=False)
                batches.commit_if_due(finished=not in_flight)
            aborted = False
        finally:
            batches.commit()  # Ctrl-C or an error too: keep what was completely written
            bar.close()
            pool.close(abort=aborted)

    def _record(
        self,
        student: str,
        result: Result,
        writer: GradebookWriter,
        state: st.GradeState,
        stages: Stages,
        summary: GradeSummary,
    ) -> bool:
        """Write one executed submission into the open batch; False if it failed."""
        summary.timings[student] = result.get("seconds", 0.0)
        for name, (wall, cpu) in (result.get("stages") or {}).items():
            stages.add(name, wall, cpu)
        if result.get("sent_at"):
            received = result.get("received_at") or time.time()
            stages.add("transfer", received - result["sent_at"], result.get("parse_cpu", 0.0))
        if result.get("error"):
            summary.failed[student] = result.get("error") or ""
            return False
        try:
            writer.write(student, result["notebooks"], result.get("rows") or {}, stages)
        except GradingError as exc:
            summary.failed[student] = str(exc)
            return False
        flags = [f for nb_flags in (result.get("integrity") or {}).values() for f in nb_flags]
        save_flags(self.course.integrity_flags(student, self.assignment), flags)
        if flags:
            summary.review[student] = summarize(flags)
        if result.get("aborted"):
            summary.flagged[student] = result.get("aborted") or ""
        return True


def grade(
    *,
    course: CourseDir = CourseDir(),
    assignment: str = ASSIGNMENT,
    pool: LocalPool | None = None,
    **options: Any,
) -> GradeSummary:
    """Grade every submission of `assignment` in `course`'s submitted/; returns the summary.

    options: Grader's keywords (workers, scheduler, force, progress, limits). pool: local
    workers already warming up (LocalPool), or None. Raises GradeRefused when the run cannot
    start."""
    try:
        return Grader(course.root, assignment, pool=pool, **options).run()
    finally:
        if pool is not None:
            # When run() had nothing to grade the workers are still warming up: stop them now.
            pool.close(abort=True)
