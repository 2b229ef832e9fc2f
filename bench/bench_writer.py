"""Benchmark: the single gradebook writer alone, fed recorded worker results.

Grades a small class once for real (in this process, recording every worker result as the JSON
line it arrived as), then builds a class of --n submissions (hard links to the recorded
students' files) and replays the results into the grader's own write path, on one thread, as
`python -m course grade` runs it: the content hash and read of each submission (prepare),
parsing the worker's line, `Grader._record` (nbgrader's Autograde writing rows and files,
integrity flags), the batched commits and the state file. No worker runs during the replay, so
the process CPU it takes is the serial part of grading a class:

    python bench/bench_writer.py [--n 2000] [--keep]

prints `writer throughput: <x> submissions/s` and `serial CPU per submission: <x> s`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path

from course.grading import state as st
from course.grading.pools import LocalPool
from course.grading.run import FORGET_AHEAD, Grader, _Batches, grade
from course.grading.stages import Stages
from course.grading.summary import GradeSummary
from course.grading.writer import GradebookWriter
from course.paths import ASSIGNMENT, CourseDir
from course.sandbox.limits import Limits

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_grade.py, a sibling script
from bench_grade import make_class  # noqa: E402


class RecordingPool(LocalPool):
    """LocalPool that keeps each result as the JSON line a worker sent."""

    def __init__(self, workers: int, limits: Limits):
        super().__init__(workers, limits)
        self.lines: dict[str, str] = {}

    def submit(self, request) -> Future:
        fut = super().submit(request)
        student = request["id"]
        fut.add_done_callback(lambda f: self.lines.__setitem__(student, json.dumps(f.result())))
        return fut


def record(tmp: Path, n: int, workers: int) -> tuple[CourseDir, dict[str, str]]:
    """A graded class of `n` and each student's worker result line."""
    course = make_class(tmp / "recorded", n)
    pool = RecordingPool(workers, Limits())
    summary = grade(course=course, assignment=ASSIGNMENT, progress=False, pool=pool)
    if summary.failed or not pool.lines:
        sys.exit(f"recording failed:\n{summary.text()}")
    return course, pool.lines


def clone_class(base: CourseDir, dest: Path, lines: dict[str, str], n: int) -> list[tuple]:
    """A course of `n` submissions: hard links to the recorded students' files, no grades."""
    shutil.copytree(
        base.root, dest, ignore=shutil.ignore_patterns("submitted", "autograded", "gradebook.db")
    )
    shutil.copy(base.gradebook, dest / "gradebook.db")
    import sqlite3

    db = sqlite3.connect(dest / "gradebook.db")
    for table in ("comment", "grade", "submitted_notebook", "submitted_assignment", "student"):
        db.execute(f"DELETE FROM {table}")  # noqa: S608 - nbgrader's student tables
    db.commit()
    db.close()
    course = CourseDir(dest)
    recorded = sorted(lines)
    plan = []
    for i in range(n):
        source = recorded[i % len(recorded)]
        student = f"s{i:05d}_{source}"
        folder = course.submission_dir(student, ASSIGNMENT)
        folder.mkdir(parents=True)
        for path in base.submission_dir(source, ASSIGNMENT).iterdir():
            os.link(path, folder / path.name)
        plan.append((student, lines[source]))
    return plan


def replay(course: CourseDir, plan: list[tuple]) -> tuple[float, float]:
    """Wall and process CPU seconds of writing every planned result, as grade's loop does."""
    grader = Grader(course.root, ASSIGNMENT, progress=False)
    summary = GradeSummary(ASSIGNMENT)
    with st.exclusive(course, ASSIGNMENT), st.run_log(course, ASSIGNMENT) as log:
        writer = GradebookWriter(course.root, ASSIGNMENT, log=log)
        writer.expected_notebooks()
        state = st.GradeState(course, ASSIGNMENT)
        wall, cpu = time.perf_counter(), time.process_time()
        batches = _Batches(writer.coursedir.db_url, state, summary)
        for i, (student, line) in enumerate(plan):
            if i % FORGET_AHEAD == 0:  # as grade's loop does (nothing to save in a new class)
                state.forget(*(s for s, _ in plan[i : i + FORGET_AHEAD]))
            stages = Stages()
            with stages.timed("prepare"):
                digest = st.digest(course.submission_dir(student, ASSIGNMENT))
                writer.prepare(student)
            result = json.loads(line)
            batches.open()
            if grader._record(student, result, writer, state, stages, summary):
                batches.written(student, digest, time.time(), stages)
            batches.commit_if_due(finished=i == len(plan) - 1)
        batches.commit()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if summary.failed or len(summary.graded) != len(plan):
        sys.exit(f"replay failed: {dict(list(summary.failed.items())[:3])}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="submissions replayed (default 2000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-writer-"))
    try:
        writer_benchmark(tmp, args.n)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def writer_benchmark(tmp: Path, n: int, workers: int = 2) -> float:
    """Record, replay `n`, print the two lines; returns the CPU seconds per submission."""
    print(f"writer benchmark: recording worker results of a class of 8 in {tmp} ...", flush=True)
    base, lines = record(tmp, 8, workers)
    plan = clone_class(base, tmp / "replay", lines, n)
    print(f"replaying {n} results into the writer alone ...", flush=True)
    wall, cpu = replay(CourseDir(tmp / "replay"), plan)
    print(
        f"writer throughput: {n / wall:.1f} submissions/s ({n} in {wall:.1f} s; its CPU alone "
        f"would allow {n / cpu:.0f}/s, the rest is waiting for the disk or for a core)"
    )
    print(f"serial CPU per submission: {cpu / n:.4f} s (the writer process, replay of {n})")
    return cpu / n


if __name__ == "__main__":
    main()
