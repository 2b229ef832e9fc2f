"""`python -m course <verb>`: argument parsing only; each verb calls one function.

Runs in: the grader/CLI process. Expected failures (course.errors.CourseError) end as one line
on stderr and the error's exit code; only a bug shows a traceback.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from .errors import CourseError
from .paths import ASSIGNMENT, REPO, CourseDir


def _release(args) -> int:
    from .authoring.release import release

    path = release(args.assignment, CourseDir(args.course))
    print(f"released {path} (solution passes, blank fails every test, nothing hidden leaks)")
    return 0


def _grade(args) -> int:
    pool = None
    if not args.scheduler:
        # Workers take ~2 s to warm up (numpy, matplotlib, seaborn, ipykernel); start them
        # before this process spends ~1.5 s importing nbgrader, so the two overlap.
        import os

        from .grading.pools import LocalPool
        from .sandbox.limits import Limits

        pool = LocalPool(args.workers or os.cpu_count() or 1, Limits())
    from .grading.run import grade

    try:
        summary = grade(
            args.assignment,
            root=args.course,
            workers=args.workers,
            scheduler=args.scheduler,
            force=args.force,
            progress=not args.quiet,
            pool=pool,
        )
    except KeyboardInterrupt:
        print(
            "\ngrade interrupted: what was graded is kept; run it again to grade the rest",
            file=sys.stderr,
        )
        return 130
    print(summary.text())
    if args.stats:
        import json

        Path(args.stats).write_text(json.dumps(summary.stats(), indent=1))
    return 1 if summary.failed else 0


def _feedback(args) -> int:
    from .results.feedback import generate_feedback

    files = generate_feedback(args.assignment, CourseDir(args.course), student=args.student)
    print(
        f"wrote {len(files)} feedback file(s) under {CourseDir(args.course).feedback} (hidden tests removed)"
    )
    return 0


def _export(args) -> int:
    from .results.export import export

    print("wrote " + " and ".join(str(p) for p in export(args.assignment, CourseDir(args.course))))
    return 0


def _report(args) -> int:
    from .results.report import report

    print(f"wrote {report(args.assignment, CourseDir(args.course))}")
    return 0


def _demo(args) -> int:
    from .demo import demo

    print(demo(args.root, workers=args.workers, grader=args.grader).summary())
    return 0


def _publish(args) -> int:
    from .exchange import release_to_exchange

    path = release_to_exchange(
        CourseDir(args.course), args.exchange, args.assignment, force=args.force
    )
    print(f"published {path}: students can fetch it from their Assignments tab")
    return 0


def _collect(args) -> int:
    from .exchange import collect

    students = collect(CourseDir(args.course), args.exchange, args.assignment)
    print(
        f"submitted/ holds {len(students)} submission(s) of {args.assignment}"
        + (f": {', '.join(students)}" if students else "")
    )
    return 0


def _student_setup(args) -> int:
    from .exchange import write_student_config

    print(f"wrote {write_student_config(args.config_dir, args.exchange, args.student)}")
    return 0


def _site(args) -> int:
    from .site import build, load_settings

    course = CourseDir(args.course)
    settings = load_settings(course)
    if args.hub_url is not None:
        settings = replace(settings, hub_url=args.hub_url or None)
    built = build(course, args.out, settings)
    print(built.summary())
    if args.serve:
        from .errors import SiteRefused
        from .site.serve import server

        try:
            httpd = server(built.out, args.port)
        except OSError as exc:
            raise SiteRefused(
                f"cannot serve on 127.0.0.1:{args.port} ({exc.strerror}); try --port"
            ) from None
        print(f"serving http://127.0.0.1:{httpd.server_address[1]}/ (Ctrl-C stops)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course", description="Math for LLMs course tooling"
    )
    parser.add_argument(
        "--course", type=Path, default=REPO, help="course directory (default: this repository)"
    )
    verbs = parser.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("release", help="regenerate the student release from source/, with gates")
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    p.set_defaults(run=_release)

    p = verbs.add_parser(
        "grade",
        help="autograde every submission in parallel into nbgrader's gradebook "
        "(resumable; exit status 1 if a submission could not be graded)",
    )
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    p.add_argument(
        "--workers", type=int, default=None, help="parallel workers (default: all cores)"
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on this dask.distributed scheduler instead"
    )
    p.add_argument(
        "--force", action="store_true", help="regrade all, also those graded and unchanged since"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--stats", metavar="FILE", help="write per-stage costs and latencies as JSON (benchmarks)"
    )
    p.set_defaults(run=_grade)

    p = verbs.add_parser("feedback", help="per-student HTML feedback, hidden tests removed")
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    p.add_argument("--student", help="only this student")
    p.set_defaults(run=_feedback)

    p = verbs.add_parser(
        "export", help="grades.csv (nbgrader's columns) and grades_by_exercise.csv"
    )
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    p.set_defaults(run=_export)

    p = verbs.add_parser(
        "report", help="HTML class report: score distribution, per-exercise analytics"
    )
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    p.set_defaults(run=_report)

    p = verbs.add_parser("demo", help="build, grade and report a synthetic class in demo-class/")
    p.add_argument(
        "--root",
        type=Path,
        default=REPO / "demo-class",
        help="where to build it (rebuilt each run)",
    )
    p.add_argument("--workers", type=int, default=None, help="grading workers (default: all cores)")
    p.add_argument(
        "--grader",
        choices=["course", "nbgrader"],
        default="course",
        help="course: `python -m course grade` (parallel); nbgrader: plain `nbgrader autograde`",
    )
    p.set_defaults(run=_demo)

    from jupyter_core.paths import jupyter_config_dir

    from .exchange import DEFAULT_EXCHANGE

    exchange = dict(
        type=Path,
        default=DEFAULT_EXCHANGE,
        help=f"nbgrader exchange directory (default {DEFAULT_EXCHANGE})",
    )
    p = verbs.add_parser(
        "publish", help="nbgrader release_assignment: put release/ASSIGNMENT on the exchange"
    )
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    p.add_argument("--exchange", **exchange)
    p.add_argument("--force", action="store_true", help="replace an already published version")
    p.set_defaults(run=_publish)

    p = verbs.add_parser(
        "collect", help="nbgrader collect: copy the newest submissions into submitted/"
    )
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    p.add_argument("--exchange", **exchange)
    p.set_defaults(run=_collect)

    p = verbs.add_parser(
        "student-setup", help="configure a student's JupyterLab for this course's exchange"
    )
    p.add_argument("--exchange", **exchange)
    p.add_argument(
        "--config-dir",
        type=Path,
        default=Path(jupyter_config_dir()),
        help="Jupyter config dir to write (default: yours, usually ~/.jupyter)",
    )
    p.add_argument(
        "--student", help="student id, only when students share one login (default: login name)"
    )
    p.set_defaults(run=_student_setup)

    p = verbs.add_parser(
        "site", help="build the course website from release/ (refused if anything hidden leaks)"
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default: site/)")
    p.add_argument(
        "--hub-url", help="JupyterHub for Run notebook (default: site.toml's; '' = download)"
    )
    p.add_argument("--serve", action="store_true", help="then preview it on 127.0.0.1")
    p.add_argument("--port", type=int, default=8800, help="preview port (default 8800)")
    p.set_defaults(run=_site)

    from .hub.cli import add_verbs

    add_verbs(verbs)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CourseError as exc:
        print(f"{exc.label}: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
