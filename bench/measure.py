"""Measuring helpers for bench_grade.py: memory of a process tree, percentiles, the per-stage
table. Runs in: the benchmark process (the processes it measures are its children).

Memory is PSS (proportional set size): the kernels are forked from a warm parent and share its
pages, so summing RSS would count numpy and matplotlib once per kernel; PSS splits each shared
page among the processes that map it, so the sum is what the tree really occupies.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from course.grading.stages import ORDER


class TreeMemory:
    """Samples the summed PSS (and RSS) of a process and all its descendants, in a thread."""

    def __init__(self, pid: int, every_s: float = 0.2):
        self.root, self.every_s = psutil.Process(pid), every_s
        self.peak_pss = self.peak_rss = 0
        self.peak_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            pss = rss = 0
            for proc in procs:
                try:
                    info = proc.memory_full_info()
                except psutil.Error:  # gone between listing and reading
                    continue
                pss, rss = pss + getattr(info, "pss", info.rss), rss + info.rss
            if pss > self.peak_pss:
                self.peak_pss, self.peak_procs = pss, len(procs)
            self.peak_rss = max(self.peak_rss, rss)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(cmd: list[str], cwd: Path, env: dict) -> tuple[float, TreeMemory]:
    """Wall seconds of one command and its tree's peak memory; a failure ends the benchmark."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    memory = TreeMemory(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    memory.stop()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.decode()[-3000:]}\n{err.decode()[-3000:]}")
    return seconds, memory


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s"


def breakdown(stats: dict) -> list[str]:
    """Median wall and CPU seconds per submission for each stage of `grade --stats`."""
    per_student = list(stats["stages"].values())
    lines = [f"  {'stage':<10} {'wall s':>8} {'cpu s':>8}   (median per submission)"]
    total_w = total_c = 0.0
    for stage in ORDER:
        pairs = [s[stage] for s in per_student if stage in s]
        if not pairs:
            continue
        wall = statistics.median(p[0] for p in pairs)
        cpu = statistics.median(p[1] for p in pairs)
        total_w, total_c = total_w + wall, total_c + cpu
        lines.append(f"  {stage:<10} {wall:8.3f} {cpu:8.3f}")
    lines.append(f"  {'sum':<10} {total_w:8.3f} {total_c:8.3f}")
    commit = stats.get("run", {}).get("commit")
    if commit and stats.get("graded"):
        lines.append(
            f"  {'commit':<10} {commit[0] / stats['graded']:8.3f} {'':>8}   "
            "(batched gradebook commits, whole run / submissions)"
        )
    return lines
