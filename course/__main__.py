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
from .paths import REPO, CourseDir


def _ids(args, everything_by_default: bool = True) -> list[str]:
    """The assignments a verb acts on: those named, else (or with --all) all of course.toml."""
    from .config import load

    config = load(args.course)
    named = getattr(args, "assignment", None) or []
    if not named and not getattr(args, "all", False) and not everything_by_default:
        raise SystemExit(f"python -m course {args.verb}: name an assignment or pass --all")
    return [config.assignment(a).id for a in named] if named else config.ids


def _release(args) -> int:
    from .authoring.release import release

    for assignment in _ids(args):
        path = release(assignment, CourseDir(args.course))
        print(f"released {path} (solution passes, blank fails every test, nothing hidden leaks)")
    return 0


def _grade(args) -> int:
    from .results.late import apply_penalties, sync_due_dates

    course = CourseDir(args.course)
    sync_due_dates(course)
    status = 0
    for assignment in _ids(args):
        status = max(status, _grade_one(args, assignment))
        apply_penalties(course, assignments=[assignment])
    return status


def _grade_one(args, assignment: str) -> int:
    pool = None
    if not args.scheduler:
        # Workers take ~2 s to warm up (numpy, matplotlib, seaborn, ipykernel); start them
        # before this process spends ~1.5 s importing nbgrader, so the two overlap.
        import os

        from .grading.pools import LocalPool
        from .sandbox.limits import Limits

        pool = LocalPool(args.workers or os.cpu_count() or 1, Limits())
    from .grading.run import grade
    from .results import regrade

    before = regrade.snapshot(CourseDir(args.course), assignment) if args.force else None
    try:
        summary = grade(
            assignment,
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
    if before:
        changes = regrade.diff(before, regrade.snapshot(CourseDir(args.course), assignment))
        print(regrade.describe(assignment, changes, len(summary.graded)))
        if changes:
            print(f"  saved {regrade.save(CourseDir(args.course), assignment, changes)}")
    if args.stats:
        import json

        Path(args.stats).write_text(json.dumps(summary.stats(), indent=1))
    return 1 if summary.failed else 0


def _feedback(args) -> int:
    from .results.feedback import generate_feedback

    files = [
        f
        for a in _ids(args)
        for f in generate_feedback(a, CourseDir(args.course), student=args.student)
    ]
    print(
        f"wrote {len(files)} feedback file(s) under {CourseDir(args.course).feedback} (hidden tests removed)"
    )
    return 0


def _late_applied(args) -> CourseDir:
    """The course with due dates synced and late penalties applied: what export and report read."""
    from .results.late import apply_penalties, sync_due_dates

    course = CourseDir(args.course)
    sync_due_dates(course)
    apply_penalties(course)
    return course


def _export(args) -> int:
    from .results.course_export import export_course
    from .results.export import export

    course = _late_applied(args)
    if args.assignment:
        paths = [p for a in _ids(args) for p in export(a, course)]
    else:
        paths = export_course(course)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def _report(args) -> int:
    from .results.course_report import course_report
    from .results.report import report

    course = _late_applied(args)
    if args.assignment:
        for a in _ids(args):
            print(f"wrote {report(a, course)}")
    else:
        print(f"wrote {course_report(course)}")
    return 0


def _demo(args) -> int:
    from .demo import demo

    print(demo(args.root, workers=args.workers, grader=args.grader).summary())
    return 0


def _publish(args) -> int:
    from .exchange import release_to_exchange

    for assignment in _ids(args, everything_by_default=False):
        path = release_to_exchange(
            CourseDir(args.course), args.exchange, assignment, force=args.force
        )
        print(f"published {path}: students can fetch it from their Assignments tab")
    return 0


def _collect(args) -> int:
    from .exchange import collect
    from .paths import COURSE_ID
    from .results.arrival import record_collected

    course = CourseDir(args.course)
    for assignment in _ids(args):
        students = collect(course, args.exchange, assignment)
        print(
            f"submitted/ holds {len(students)} submission(s) of {assignment}"
            + (f": {', '.join(students)}" if students else "")
        )
        inbound = Path(args.exchange) / COURSE_ID / "inbound"
        for student, seen in record_collected(course, assignment, inbound).items():
            if seen.forged:
                print(
                    f"  FORGED TIME {student}: claims {seen.claimed:%Y-%m-%d %H:%M:%S} UTC, "
                    f"arrived {seen.arrived:%Y-%m-%d %H:%M:%S} UTC (lateness counts from arrival)"
                )
    return 0


def _extend(args) -> int:
    from .results.late import extend

    extension, due = extend(
        CourseDir(args.course), args.student, args.assignment, until=args.until, days=args.days
    )
    what = f"an extension of {extension}" if extension else "no extension"
    print(
        f"{args.student} has {what} on {args.assignment}: due {due:%Y-%m-%d %H:%M} UTC "
        "(late penalties recomputed)"
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
    _assignments(p, "default: every assignment in course.toml")
    p.set_defaults(run=_release)

    p = verbs.add_parser(
        "grade",
        help="autograde every submission in parallel into nbgrader's gradebook "
        "(resumable; exit status 1 if a submission could not be graded)",
    )
    _assignments(p, "default: every assignment in course.toml")
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
    _assignments(p, "default: every assignment in course.toml")
    p.add_argument("--student", help="only this student")
    p.set_defaults(run=_feedback)

    p = verbs.add_parser(
        "export",
        help="course-wide grades_course.csv, canvas.csv, lateness.csv; with an assignment: its "
        "grades.csv (nbgrader's columns) and grades_by_exercise.csv",
    )
    p.add_argument("assignment", nargs="*", help="default: the whole course")
    p.set_defaults(run=_export)

    p = verbs.add_parser(
        "report", help="HTML class report: score distribution, per-exercise analytics"
    )
    p.add_argument("assignment", nargs="*", help="default: the course report")
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
    _assignments(p, "or --all")
    p.add_argument("--exchange", **exchange)
    p.add_argument("--force", action="store_true", help="replace an already published version")
    p.set_defaults(run=_publish)

    p = verbs.add_parser(
        "collect", help="nbgrader collect: copy the newest submissions into submitted/"
    )
    _assignments(p, "default: every assignment in course.toml")
    p.add_argument("--exchange", **exchange)
    p.set_defaults(run=_collect)

    p = verbs.add_parser(
        "extend", help="give a student more time (nbgrader's extension); penalties recomputed"
    )
    p.add_argument("student")
    p.add_argument("assignment")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--until", type=_when, help="new due time, ISO 8601 with a UTC offset")
    when.add_argument("--days", type=float, help="days after the due date (0 removes it)")
    p.set_defaults(run=_extend)

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


def _assignments(p, default: str) -> None:
    p.add_argument("assignment", nargs="*", help=f"assignment id(s) ({default})")
    p.add_argument("--all", action="store_true", help="every assignment in course.toml")


def _when(text: str):
    from datetime import datetime

    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset (add Z or +HH:MM)")
    return value


if __name__ == "__main__":
    sys.exit(main())
