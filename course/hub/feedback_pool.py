"""The grade-on-submit service's kept workers: KeptPool (grading) and FeedbackPool (feedback for
a whole batch, rendered on every core). Runs in the grade-on-submit service; its
worker processes are spawned once and kept between batches, like the grading workers.

Why (bench/bench_hub.py, 2 cores, load average 11-29, one process per batch): feedback was 78 s
of the 115 s a burst of 30 waited. cProfile of one nbgrader generate_feedback run: ~4 s per
student notebook under that load (nbconvert's HTML export: jinja, pygments, a BeautifulSoup
pass), ~0.7 s of setup per run. Batching saves the setup; the rendering has to use the other
core. So the batch's students are dealt into one chunk per core, and each chunk is ONE nbgrader
generate_feedback run (course.results.feedback, hidden tests removed), all chunks at once.
GenerateFeedback only reads the gradebook (sqlite serves concurrent readers).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from course.paths import CourseDir


def _warm(service_pid: int) -> None:
    """Worker start: die with the service, then import what rendering needs."""
    import ctypes
    import signal

    # The service is SIGKILLed or SIGTERMed (a crash, the hub stopping it) without running any
    # cleanup; measured: each restart left both workers behind, orphaned. The kernel kills them
    # with it instead (PR_SET_PDEATHSIG = 1).
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != service_pid:  # it died before prctl took effect
        os._exit(1)
    import course.results.feedback  # noqa: F401 - nbgrader and nbconvert: seconds under load


def _chunk(assignment: str, root: str, students: list[str]) -> None:
    from course.results.feedback import generate_feedback

    generate_feedback(course=CourseDir(Path(root)), assignment=assignment, students=students)


class FeedbackPool:
    def __init__(self, workers: int):
        self.workers = max(1, workers)
        # spawn, not fork: the service has threads (the grading pool's), fork would copy locks.
        self.pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm,
            initargs=(os.getpid(),),
        )
        for _ in range(self.workers):
            self.pool.submit(int)  # start (and import) now, not when the first batch is waiting

    def generate(self, assignment: str, course: CourseDir, students: list[str]) -> None:
        """Feedback for `students` (sorted) in at most one nbgrader run per core, in parallel."""
        chunks = [students[i :: self.workers] for i in range(self.workers)]
        runs = [self.pool.submit(_chunk, assignment, str(course.root), c) for c in chunks if c]
        for run in runs:
            run.result()  # FeedbackFailed (nbgrader's log) ends the batch; it is redone

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


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
