"""Benchmark: what the sandbox and a few hostile submissions cost `python -m course grade`.

One honest class of N demo submissions (bench_grade's class) is graded three ways, each as the
command a user types: unsandboxed (COURSE_SANDBOX=off), sandboxed, and sandboxed with K of
its students swapped for hostile submissions from tests/adversarial (a cheat subverting checks
during a test, a memory bomb, a fork bomb, os._exit). The honest students must get identical
cell scores in all three; the last line is the mixed class's time over the honest class's.

    python bench/bench_hostile.py [--n 20] [--workers N] [--repeat 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Sibling scripts, not packages: the benchmark helpers and the adversarial catalogue.
sys.path[:0] = [str(REPO / "bench"), str(REPO / "tests" / "adversarial")]

from bench_grade import grade_cmd, make_class, scores, timed  # noqa: E402
from catalog import ALL  # noqa: E402

from course.nb import nbgrader_env  # noqa: E402
from course.paths import CourseDir  # noqa: E402

HOSTILE = ("cheat_during_test", "limit_memory_bomb", "limit_fork_bomb", "limit_os_exit")


def grade(course: CourseDir, workers: int | None, sandbox: bool) -> float:
    cmd = grade_cmd(course, None, "--force", *(["--workers", str(workers)] if workers else []))
    return timed(cmd, REPO, dict(nbgrader_env(), COURSE_SANDBOX="on" if sandbox else "off"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="submissions per class (default 20)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept (default 2)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    try:
        print(f"building a class of {args.n} in {tmp} ...", flush=True)
        honest = make_class(tmp / "honest", args.n)
        plain, mixed = (
            CourseDir(Path(shutil.copytree(honest.root, tmp / n))) for n in ("plain", "mixed")
        )
        swapped = sorted(p.name for p in mixed.submitted.iterdir())[: len(HOSTILE)]
        for student in swapped:
            shutil.rmtree(mixed.submitted / student)
        for case in (c for c in ALL if c.student in HOSTILE):
            case.build(mixed, case)

        # Interleaved repeats, best of each: other load on the machine only ever adds time.
        runs = {"plain": [], "honest": [], "mixed": []}
        for _ in range(args.repeat):
            runs["plain"].append(grade(plain, args.workers, sandbox=False))
            runs["honest"].append(grade(honest, args.workers, sandbox=True))
            runs["mixed"].append(grade(mixed, args.workers, sandbox=True))
        print(
            "runs (s): "
            + "; ".join(f"{k} {', '.join(f'{t:.1f}' for t in v)}" for k, v in runs.items())
        )
        t_plain, t_honest, t_mixed = (min(runs[k]) for k in ("plain", "honest", "mixed"))

        base, boxed, mix = scores(plain), scores(honest), scores(mixed)
        same_box = base == boxed and bool(base)
        kept = {k: v for k, v in boxed.items() if k[0] not in swapped}
        same_mix = all(mix.get(k) == v for k, v in kept.items()) and bool(kept)
        print(
            f"honest students' cell scores identical: sandbox on/off {'yes' if same_box else 'NO'}, "
            f"with hostile mixed in {'yes' if same_mix else 'NO'}"
        )
        print(f"honest, no sandbox: {t_plain:.1f} s ({t_plain / args.n:.2f} s per submission)")
        print(
            f"honest, sandboxed:  {t_honest:.1f} s ({t_honest / args.n:.2f} s per submission); "
            f"sandbox overhead {100 * (t_honest / t_plain - 1):+.0f}%"
        )
        print(
            f"{len(HOSTILE)} of {args.n} hostile: {t_mixed:.1f} s "
            f"({t_mixed / args.n:.2f} s per submission)"
        )
        print(f"hostile mix / honest class: {t_mixed / t_honest:.2f}")
        if not (same_box and same_mix):
            sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
