"""Benchmark: `python -m course similarity` on a class of 400 (target: at most 30 s on 2 cores).

Builds the planted-copies class (course.authoring.similar: honest answers in varied styles,
four planted copies, a one-liner pair) of --n submissions in a temporary course directory and
times, in one run:
1. `python -m course similarity ASSIGNMENT --json` as the user types it (start-up included),
   which also writes the HTML report; checks that the four planted pairs come first;
2. the baseline: copydetect's own CopyDetector (all pairs, no report) over the same
   students' own answer code, one .py file per student, as a course would run it by hand;
and prints both times and the ratio.

    python bench/bench_similarity.py [--n 400] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from copydetect import CopyDetector

from course.authoring.similar import build
from course.authoring.similar.planted import ASSIGNMENT
from course.paths import new_course
from course.similarity.compare import compare
from course.similarity.extract import CODE


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400, help="submissions in all (default 400)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-similarity-"))
    try:
        course = new_course(tmp / "course")
        start = time.perf_counter()
        truth = build(course, n_honest=args.n - 6, seed=1)
        print(f"class of {args.n} written in {time.perf_counter() - start:.1f} s ({tmp})")

        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "course", "--course", str(course.root), "similarity"]
            + [ASSIGNMENT, "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        ours = time.perf_counter() - start
        pairs = json.loads(done.stdout)["pairs"]
        top = {frozenset(p["students"]) for p in pairs[:4]}
        found = top == {frozenset(p) for p in truth["planted"]}
        print(
            f"python -m course similarity: {ours:.1f} s for {args.n} submissions "
            f"({len(pairs)} pairs listed; planted copies ranked first: {found})"
        )

        code = tmp / "own-code"
        code.mkdir()
        for subject in compare(course, ASSIGNMENT).analysis.subjects:
            own = "\n".join(p.own for k, p in sorted(subject.parts.items()) if k[1] == CODE)
            (code / f"{subject.name}.py").write_text(own)
        start = time.perf_counter()
        detector = CopyDetector(
            test_dirs=[str(code)], ref_dirs=[str(code)], extensions=["py"],
            autoopen=False, silent=True, out_file=os.devnull,
        )  # fmt: skip
        detector.run()
        baseline = time.perf_counter() - start
        print(f"copydetect CopyDetector (all pairs, own code only, no report): {baseline:.1f} s")
        print(
            f"ratio: python -m course similarity takes {ours / baseline:.2f}x copydetect's "
            f"time; target <= 30 s: {'met' if ours <= 30 else 'MISSED'} ({ours:.1f} s, "
            f"{os.cpu_count()} cores)"
        )
        return 0 if found and ours <= 30 else 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
