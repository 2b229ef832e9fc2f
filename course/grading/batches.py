"""When the writer's gradebook transaction commits, and what becomes "graded" when it does.

Runs in: the grader process, main thread (course.grading.run drives it).
"""

from __future__ import annotations

import time

from course.grading import state as st
from course.grading.gradebook import Batch
from course.grading.stages import Stages
from course.grading.summary import GradeSummary

# Gradebook writes are committed together (course.grading.gradebook): at most this many
# submissions or this many seconds per transaction. 16 x ~50 commits -> 1 fsync; a grade
# reaches the gradebook at most BATCH_S after it was written (grade-on-submit latency).
BATCH_MAX = 16
BATCH_S = 0.5


class Batches:
    """When the writer's gradebook transaction (course.grading.gradebook.Batch) commits, and
    what becomes "graded" when it does. Grader process, main thread."""

    def __init__(self, db_url: str, state: st.GradeState, summary: GradeSummary):
        self.db_url, self.state, self.summary = db_url, state, summary
        self.batch: Batch | None = None
        self.pending: list[tuple[str, str, float, Stages]] = []  # written, not yet durable
        self.since = 0.0  # when the first pending submission was written

    def open(self) -> None:
        self.batch = self.batch or Batch(self.db_url, self.summary.costs)

    def written(self, student: str, digest: str, began: float, stages: Stages) -> None:
        self.since = self.since if self.pending else time.time()
        self.pending.append((student, digest, began, stages))

    def wait_s(self) -> float | None:
        """How long the caller may wait for results before this batch is due."""
        if not self.pending:
            self.commit()  # only read so far: hold no lock on the gradebook while waiting
            return None
        return max(0.0, self.since + BATCH_S - time.time())

    def commit_if_due(self, finished: bool) -> None:
        if (
            finished
            or len(self.pending) >= BATCH_MAX
            or (self.pending and time.time() >= self.since + BATCH_S)
        ):
            self.commit()

    def commit(self) -> None:
        """The batch's grades become durable; only then are they recorded as graded."""
        batch, pending, self.batch, self.pending = self.batch, self.pending, None, []
        if batch is None:
            return
        batch.commit()
        now = time.time()
        for student, digest, began, stages in pending:
            self.state.graded(student, digest, save=False)
            self.summary.graded.append(student)
            self.summary.stages[student] = stages.rounded()
            self.summary.latency[student] = round(now - began, 4)
        if pending:
            self.state.save()
