"""Benchmark: `python -m course grade` against plain serial `nbgrader autograde`, same class.

Builds one class of N demo submissions (course.demo's roster: correct, blank, late-free
misconceptions, mixes; repeated to N) in a temporary course directory and grades copies of it,
each as the command a user types (start-up included), in one run:
1. serial `nbgrader autograde` and `python -m course grade` (cold: its workers start); every
   graded cell must get the same score. Prints seconds per submission, the ratio, the median
   wall and CPU seconds per stage (course.grading.stages), the peak memory (PSS) of all
   grading processes together, and latency percentiles from a submission's start to its grade
   being durable in the gradebook;
2. the same class again on workers that are already warm (in this process), for warm latency;
3. a class of --big submissions end to end;
4. the class on a Dask LocalCluster of 1 and of 2 worker processes through `--scheduler`;
5. the writer alone (bench_writer.py: 2,000 recorded results replayed), a class of 1 and the
   class on 1 local worker, for the capacity model (capacity.py): its prediction for 1 and 2
   workers next to the measured times, and for 2,000 submissions on 2 to 32 worker cores.
The last line is the ratio over serial nbgrader.

    python bench/bench_grade.py [--n 40] [--big 200] [--workers N] [--no-dask]
                                [--writer-n 2000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course import demo
from course.authoring.release import generate
from course.nb import nbgrader_env
from course.paths import ASSIGNMENT, REPO, CourseDir, new_course

sys.path.insert(0, str(Path(__file__).resolve().parent))  # measure.py, a sibling script
from measure import breakdown, percentiles, run_measured  # noqa: E402


def make_class(root: Path, n: int) -> CourseDir:
    course = new_course(root)
    generate(course, ASSIGNMENT)
    roster = [s for s in demo.default_roster() if not s.broken and not s.late]
    students = [
        demo.Student(f"{s.id}_{i:02d}", s.story, s.answers)
        for i, s in enumerate((roster * (n // len(roster) + 1))[:n])
    ]
    demo.write_class(course, students)
    return course


def scores(course: CourseDir) -> dict[tuple[str, str, str], float | None]:
    """(student, notebook, cell) -> auto score, read straight from nbgrader's gradebook."""
    db = sqlite3.connect(course.gradebook)
    rows = db.execute("""
        SELECT student.id, notebook.name, base_cell.name, grade.auto_score
        FROM grade
        JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
        JOIN notebook ON submitted_notebook.notebook_id = notebook.id
        JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
        JOIN student ON submitted_assignment.student_id = student.id
        JOIN base_cell ON grade.cell_id = base_cell.id""").fetchall()
    db.close()
    return {(s, nb, cell): score for s, nb, cell, score in rows}


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    """Wall seconds of one command; a failing command ends the benchmark with its output."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env or nbgrader_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds


def grade_cmd(course: CourseDir, stats: Path | None, *extra: str) -> list[str]:
    """`python -m course grade` of the class, as a user types it (per-stage costs to `stats`)."""
    cmd = [sys.executable, "-m", "course", "--course", str(course.root), "grade", ASSIGNMENT]
    return [*cmd, "--quiet", *(["--stats", str(stats)] if stats is not None else []), *extra]


def copy_of(base: CourseDir, dest: Path) -> CourseDir:
    return CourseDir(Path(shutil.copytree(base.root, dest)))


def warm_latencies(course: CourseDir, workers: int) -> list[float]:
    """Grade `course` again (--force) on local workers that finished warming up first."""
    from concurrent.futures import wait

    from course.grading.pools import LocalPool
    from course.grading.run import grade
    from course.sandbox.limits import Limits

    pool = LocalPool(workers, Limits())
    wait([pool.submit({"id": None}) for _ in range(2 * workers)])
    summary = grade(course=course, assignment=ASSIGNMENT, force=True, progress=False, pool=pool)
    return list(summary.latency.values())


def dask_seconds(base: CourseDir, tmp: Path, n_workers: int) -> tuple[float, dict]:
    from distributed import LocalCluster

    course = copy_of(base, tmp / f"dask{n_workers}")
    stats = tmp / f"dask{n_workers}.json"
    with LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        seconds, _ = run_measured(
            grade_cmd(course, stats, "--scheduler", cluster.scheduler_address), REPO, nbgrader_env()
        )
    return seconds, json.loads(stats.read_text())


def capacity(tmp: Path, base: CourseDir, cold: dict, writer_n: int, runs: dict[int, float]) -> None:
    """The writer benchmark, then the capacity model from measured costs (capacity.py)."""
    from bench_writer import writer_benchmark
    from capacity import Model, parallel_cpu, report

    serial = writer_benchmark(tmp / "writer", writer_n)
    print("grading a class of 1 (start-up) and the class on 1 worker ...", flush=True)
    one = make_class(tmp / "one", 1)
    t_one, _ = run_measured(grade_cmd(one, None, "--workers", "2"), REPO, nbgrader_env())
    if 1 not in runs:
        class_1 = copy_of(base, tmp / "w1")
        runs = {
            **runs,
            1: run_measured(grade_cmd(class_1, None, "--workers", "1"), REPO, nbgrader_env())[0],
        }
    model = Model(serial=serial, parallel=parallel_cpu(cold), startup=t_one)
    print("\n".join(report(model, len(cold["stages"]), runs)))


def median_stage(stats: dict, *names: str) -> float:
    import statistics

    return statistics.median(
        sum(st.get(n, [0.0])[0] for n in names) for st in stats["stages"].values()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument("--big", type=int, default=200, help="the large class (0: skip)")
    parser.add_argument(
        "--workers", type=int, default=None, help="course grade workers (default: cores)"
    )
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster runs")
    parser.add_argument(
        "--writer-n", type=int, default=2000, help="results replayed into the writer (0: skip)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary course directories")
    args = parser.parse_args()
    workers = args.workers or __import__("os").cpu_count() or 1
    extra = ["--workers", str(args.workers)] if args.workers else []

    tmp = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        print(f"building a class of {args.n} submissions in {tmp} ...", flush=True)
        base = make_class(tmp / "base", args.n)
        serial, parallel = (copy_of(base, tmp / name) for name in ("nbgrader", "course"))

        print("grading with nbgrader autograde (serial) ...", flush=True)
        t_nbgrader = timed([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], serial.root)
        print("grading with python -m course grade ...", flush=True)
        cold_json = tmp / "cold.json"
        t_course, memory = run_measured(
            grade_cmd(parallel, cold_json, *extra), REPO, nbgrader_env()
        )
        cold = json.loads(cold_json.read_text())

        want, got = scores(serial), scores(parallel)
        differ = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        students = {k[0] for k in want}
        print(
            f"cells compared: {len(want)} over {len(students)} submissions; "
            f"identical: {'yes' if not differ and want else 'NO'}"
        )
        for key in differ[:20]:
            print(f"  DIFFERENT {key}: nbgrader {want.get(key)} vs course {got.get(key)}")
        print(f"per-stage cost of course grade ({workers} workers, cold run):")
        print("\n".join(breakdown(cold)))
        print(
            f"peak memory of all grading processes together: {memory.peak_pss / 2**30:.2f} GiB "
            f"PSS ({memory.peak_procs} processes; summed RSS {memory.peak_rss / 2**30:.2f} GiB)"
        )
        print(f"latency, cold (workers starting): {percentiles(list(cold['latency'].values()))}")
        print(f"latency, warm (workers ready):    {percentiles(warm_latencies(parallel, workers))}")
        if scores(parallel) != want:
            print("  the warm regrade changed scores: NO")
            differ = differ or ["warm"]

        if args.big:
            print(f"building and grading a class of {args.big} submissions ...", flush=True)
            big = make_class(tmp / "big", args.big)
            t_big, big_memory = run_measured(
                grade_cmd(big, tmp / "big.json", *extra), REPO, nbgrader_env()
            )
            print(
                f"{args.big} submissions end to end: {t_big:.1f} s "
                f"({t_big / args.big:.3f} s per submission; peak memory "
                f"{big_memory.peak_pss / 2**30:.2f} GiB PSS)"
            )

        if not args.no_dask:
            print("grading on a Dask LocalCluster (1, then 2 worker processes) ...", flush=True)
            t_d1, _ = dask_seconds(base, tmp, 1)
            t_d2, d2 = dask_seconds(base, tmp, 2)
            overhead = (t_d2 - t_course) / args.n
            trips = median_stage(d2, "queue", "transfer") - median_stage(cold, "queue", "transfer")
            print(
                f"dask: 1 worker {t_d1:.1f} s, 2 workers {t_d2:.1f} s, ratio {t_d1 / t_d2:.2f}; "
                f"scheduler cost {overhead:+.3f} s per submission against local workers "
                f"(median queue + transfer {trips:+.3f} s)"
            )

        if args.writer_n:
            capacity(tmp, base, cold, args.writer_n, {workers: t_course})

        print(
            f"nbgrader autograde: {t_nbgrader:.1f} s total, {t_nbgrader / args.n:.2f} s per submission"
        )
        print(
            f"course grade:       {t_course:.1f} s total, {t_course / args.n:.3f} s per submission"
        )
        print(f"speedup: {t_nbgrader / t_course:.1f}x")
        if differ or not want:
            sys.exit(1)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
