"""Benchmark: `python -m course grade` against plain serial `nbgrader autograde`, same class.

Builds one class of N demo submissions (course.demo's roster: correct, blank, late-free
misconceptions, mixes; repeated to N) in a temporary course directory, copies it twice, grades
one copy with `nbgrader autograde` and the other with `python -m course grade` (both as the
commands a user would type, start-up included), checks that every graded cell got the same
score, and prints seconds per submission for both; the last line is the ratio.

    python bench/bench_grade.py [--n 40] [--workers N] [--keep]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument(
        "--workers", type=int, default=None, help="course grade workers (default: cores)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary course directories")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        print(f"building a class of {args.n} submissions in {tmp} ...", flush=True)
        base = make_class(tmp / "base", args.n)
        serial, parallel = (
            CourseDir(Path(shutil.copytree(base.root, tmp / name)))
            for name in ("nbgrader", "course")
        )

        print("grading with nbgrader autograde (serial) ...", flush=True)
        t_nbgrader = timed([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], serial.root)
        print("grading with python -m course grade ...", flush=True)
        cmd = [
            sys.executable,
            "-m",
            "course",
            "--course",
            str(parallel.root),
            "grade",
            ASSIGNMENT,
            "--quiet",
        ]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        t_course = timed(cmd, REPO)

        want, got = scores(serial), scores(parallel)
        differ = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        students = {k[0] for k in want}
        print(
            f"cells compared: {len(want)} over {len(students)} submissions; "
            f"identical: {'yes' if not differ and want else 'NO'}"
        )
        for key in differ[:20]:
            print(f"  DIFFERENT {key}: nbgrader {want.get(key)} vs course {got.get(key)}")
        print(
            f"nbgrader autograde: {t_nbgrader:.1f} s total, {t_nbgrader / args.n:.2f} s per submission"
        )
        print(
            f"course grade:       {t_course:.1f} s total, {t_course / args.n:.2f} s per submission"
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
