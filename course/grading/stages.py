"""What grading one submission costs, stage by stage: wall and CPU seconds.

Runs in: the grader process and the sandboxed worker (the worker's stages travel back in its
Result). Always on: each stage is a pair of clock reads (under a microsecond), so the figures
`bench/bench_grade.py` prints come from the same code path users run. CPU is counted where
the work happens: the calling thread in the grader (several threads share that process), the
whole worker process, and the kernel process (read from /proc, in clock ticks, before the
kernel is killed).

Stages, in a submission's order (`ORDER`):
  queue      grader hands it to a pool -> a worker starts it (waiting for a free worker)
  prepare    grader: content hash, reading the submitted notebooks, extra files
  sanitize   worker: nbgrader's sanitize pass (course.worker.autograde)
  kernel     worker: fork a kernel from the warm server until it answers kernel_info
  execute    worker + kernel: running the cells (guard calls excluded)
  integrity  worker + kernel: the guard around each test cell, then the static/output scans
  autograde  worker: Autograde's conversion after execution (LimitOutput ..., the rows)
  transfer   worker's result serialised, piped back and parsed in the grader
  convert    grader: nbgrader's Autograde converter writing files (autograded/), without
             its gradebook calls
  gradebook  grader: every Gradebook call of that conversion (student, submission, grades)
The grader's stages (prepare, transfer's parse, convert, gradebook) are the serial part.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

ORDER = (
    "queue",
    "prepare",
    "sanitize",
    "kernel",
    "execute",
    "integrity",
    "autograde",
    "transfer",
    "convert",
    "gradebook",
)

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class Stages(dict):
    """stage name -> [wall seconds, cpu seconds], summed over the times a stage ran."""

    def add(self, name: str, wall: float, cpu: float = 0.0) -> None:
        slot = self.setdefault(name, [0.0, 0.0])
        slot[0] += wall
        slot[1] += cpu

    @contextmanager
    def timed(self, name: str, cpu=time.thread_time):
        wall0, cpu0 = time.perf_counter(), cpu()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall0, cpu() - cpu0)

    def rounded(self) -> dict[str, list[float]]:
        return {k: [round(w, 5), round(c, 5)] for k, (w, c) in self.items()}


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a live process has used so far; 0.0 if it is gone."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return 0.0
