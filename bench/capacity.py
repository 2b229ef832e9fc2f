"""The capacity model bench_grade.py prints: how long a class takes on W worker cores.

Three measured costs, no fitted constant:
  s   serial CPU s per submission: the single writer process, alone (bench_writer.py replay)
  p   parallel CPU s per submission: the mean over a class of its worker-side stages' CPU
      (course.grading.stages: sanitize, kernel, execute, integrity, autograde; the worker
      process and its kernel, read from /proc). It leaves out the OS's share of each kernel
      (~0.07 s, docs/grading.md), so the model runs a little fast; the check below says how much
  t0  start-up wall s: `python -m course grade` on a class of 1

Grading N submissions is then bounded by the writer (N s on its one core), by the workers
(N p / W: a worker keeps at most one core busy) and by the cores the run shares (N (s + p) / C):

    T(N, W, C) = t0 + N max(s, p / W, (s + p) / C)

On this machine the grader shares C = 2 cores with its workers; on a cluster each of W worker
cores is a Dask worker's and the grader has a core of its own (C = W + 1). The model is checked
against the measured 1- and 2-worker runs of the same class in the same benchmark.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CLUSTER_CORES = (2, 4, 8, 16, 32)
WORKER_STAGES = ("sanitize", "kernel", "execute", "integrity", "autograde")


def parallel_cpu(stats: dict) -> float:
    """p: mean CPU s per submission of the worker-side stages in `grade --stats` output."""
    per = [sum(st.get(n, [0.0, 0.0])[1] for n in WORKER_STAGES) for st in stats["stages"].values()]
    return sum(per) / len(per)


@dataclass
class Model:
    serial: float  # s
    parallel: float  # p
    startup: float  # t0

    def seconds(self, n: int, workers: int, cores: int | None = None) -> float:
        cores = cores if cores is not None else workers + 1
        per = max(self.serial, self.parallel / workers, (self.serial + self.parallel) / cores)
        return self.startup + n * per


def report(model: Model, n: int, measured: dict[int, float], big: int = 2000) -> list[str]:
    """The lines `make bench` prints: the check against measured runs, then the table."""
    cores = os.cpu_count() or 1
    lines = [
        f"capacity model: serial {model.serial:.4f} CPU s per submission (writer), parallel "
        f"{model.parallel:.3f} CPU s per submission (workers + kernels), start-up "
        f"{model.startup:.1f} s"
    ]
    for workers, seconds in sorted(measured.items()):
        predicted = model.seconds(n, workers, cores)
        lines.append(
            f"  model check, {n} submissions, {workers} worker(s) on {cores} cores: predicted "
            f"{predicted:.1f} s, measured {seconds:.1f} s ({predicted / seconds:.2f})"
        )
    lines.append(f"  predicted wall time of {big} submissions (grader on its own core):")
    for workers in CLUSTER_CORES:
        lines.append(f"    {workers:>2} worker cores: {model.seconds(big, workers):7.0f} s")
    lines.append(
        f"  writer bound: {big * model.serial:.0f} s for {big} (1 / s = "
        f"{1 / model.serial:.0f} submissions/s); workers stop helping beyond "
        f"{model.parallel / model.serial:.0f} cores"
    )
    return lines
