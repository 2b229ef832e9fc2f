"""Benchmark: written answers graded by question, in groups (course.written).

A class of N students (default 400) from course.written.classdata, whose answers carry the
label of the idea they state and so the rubric item a careful grader gives them. For each of
the two questions it prints:
  - grading actions by groups (one rubric key per group for its most common item, then one key
    per answer that needs another item) against the baseline of one key per answer, as a ratio
    (target <= 40 %), and at smaller class sizes (the saving grows with the class);
  - group purity against the labels (target >= 0.9);
  - time to open the question in the app (read every submitted notebook, group, read every
    mark from the gradebook): cold (first open, groups computed) and warm (reopen), against a
    baseline in the same run, reading each student's mark with nbgrader's find_grade and
    find_comment one by one (target: open <= 2 s).

    python bench/bench_written.py [--n 400] [--seed 22]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course.paths import new_course  # noqa: E402
from course.written import api, classdata, grouping, marks  # noqa: E402
from course.written.answers import question  # noqa: E402


def groups_figures(wc: classdata.WrittenClass, course, gid: str) -> tuple[float, float, int]:
    q = question(course, classdata.ASSIGNMENT, gid)
    groups = [g.students for g in grouping.group_answers(wc.answers[gid], q.prompt, q.release)]
    items = {s: wc.expected_item(gid, s) for s in wc.labels[gid]}
    return (grouping.actions_by_groups(groups, items) / len(items),
            grouping.purity(groups, wc.labels[gid]), len(groups))  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=22)
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-written-") as tmp:
        course = new_course(Path(tmp) / "course")
        t0 = time.perf_counter()
        wc = classdata.write_class(course, args.n, args.seed)
        students = sorted(wc.labels[classdata.QUESTIONS[0]])
        classdata.enter_in_gradebook(course, students)
        print(f"class of {args.n}: written and entered in the gradebook in "
              f"{time.perf_counter() - t0:.1f} s (threshold {grouping.THRESHOLD})")  # fmt: skip
        for gid in classdata.QUESTIONS:
            ratio, pure, n_groups = groups_figures(wc, course, gid)
            ok &= ratio <= 0.40 and pure >= 0.9
            print(f"{gid}: {n_groups} groups; actions by groups {ratio * args.n:.0f} vs one per "
                  f"answer {args.n}: {ratio:.1%} (target <= 40 %); purity {pure:.3f} "
                  "(target >= 0.9)")  # fmt: skip
            for n in (32, 100):
                small = classdata.make_class(n, {g: question(course, classdata.ASSIGNMENT, g).prompt
                                                 for g in classdata.QUESTIONS}, args.seed)  # fmt: skip
                r, p, _ = groups_figures(small, course, gid)
                print(f"  class of {n}: actions {r:.1%}, purity {p:.3f}")
        gid = classdata.QUESTIONS[0]
        t = time.perf_counter()
        view = api.open_question(course, classdata.ASSIGNMENT, gid)
        cold = time.perf_counter() - t
        warm = []
        for _ in range(5):
            t = time.perf_counter()
            api.open_question(course, classdata.ASSIGNMENT, gid)
            warm.append(time.perf_counter() - t)
        t = time.perf_counter()
        with marks.gradebook(course) as gb:
            for s in students:
                gb.find_grade(gid, "exercises", classdata.ASSIGNMENT, s)
                gb.find_comment(gid, "exercises", classdata.ASSIGNMENT, s)
        naive = time.perf_counter() - t
        assert view["progress"]["total"] == args.n
        ok &= cold <= 2.0
        print(f"open {gid} with {args.n} answers: cold {cold:.2f} s (target <= 2 s), warm median "
              f"{statistics.median(warm):.3f} s; baseline (marks one student at a time) "
              f"{naive:.2f} s for the marks alone: warm open = "
              f"{statistics.median(warm) / naive:.2f}x of it")  # fmt: skip
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
