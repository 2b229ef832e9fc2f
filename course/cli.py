"""The `python -m course` command line: the parser and the mapping of the error hierarchy to exit
codes. Each verb is one function in course.verbs.

Runs in: the grader/CLI process. Expected failures (course.errors.CourseError) end as one line
on stderr and the error's exit code; only a bug shows a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import CourseError
from .paths import REPO
from .verbs import (
    run_archive,
    run_collect,
    run_demo,
    run_export,
    run_extend,
    run_feedback,
    run_grade,
    run_new,
    run_publish,
    run_release,
    run_report,
    run_similarity,
    run_site,
    run_student_setup,
)


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
    p.set_defaults(run=run_release)

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
    p.set_defaults(run=run_grade)

    p = verbs.add_parser("feedback", help="per-student HTML feedback, hidden tests removed")
    _assignments(p, "default: every assignment in course.toml")
    p.add_argument("--student", help="only this student")
    p.set_defaults(run=run_feedback)

    p = verbs.add_parser(
        "export",
        help="course-wide grades_course.csv, canvas.csv, lateness.csv; with an assignment: its "
        "grades.csv (nbgrader's columns) and grades_by_exercise.csv",
    )
    p.add_argument("assignment", nargs="*", help="default: the whole course")
    p.set_defaults(run=run_export)

    p = verbs.add_parser(
        "report", help="HTML class report: score distribution, per-exercise analytics"
    )
    p.add_argument("assignment", nargs="*", help="default: the course report")
    p.set_defaults(run=run_report)

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
    p.set_defaults(run=run_demo)

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
    p.set_defaults(run=run_publish)

    p = verbs.add_parser(
        "collect", help="nbgrader collect: copy the newest submissions into submitted/"
    )
    _assignments(p, "default: every assignment in course.toml")
    p.add_argument("--exchange", **exchange)
    p.set_defaults(run=run_collect)

    p = verbs.add_parser(
        "extend", help="give a student more time (nbgrader's extension); penalties recomputed"
    )
    p.add_argument("student")
    p.add_argument("assignment")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--until", type=_when, help="new due time, ISO 8601 with a UTC offset")
    when.add_argument("--days", type=float, help="days after the due date (0 removes it)")
    p.set_defaults(run=run_extend)

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
    p.set_defaults(run=run_student_setup)

    p = verbs.add_parser(
        "site", help="build the course website from release/ (refused if anything hidden leaks)"
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default: site/)")
    p.add_argument(
        "--hub-url", help="JupyterHub for Run notebook (default: site.toml's; '' = download)"
    )
    p.add_argument("--serve", action="store_true", help="then preview it on 127.0.0.1")
    p.add_argument("--port", type=int, default=8800, help="preview port (default 8800)")
    p.set_defaults(run=run_site)

    p = verbs.add_parser(
        "new", help="scaffold an assignment: source/<id>/exercises.ipynb and its course.toml table"
    )
    p.add_argument("assignment", help="the new assignment's id (lower case, digits, _)")
    p.add_argument("title", help="its title, as students see it")
    p.set_defaults(run=run_new)

    p = verbs.add_parser(
        "similarity",
        help="report pairs of submissions with unusually similar answers, for review "
        "(writes similarity/ASSIGNMENT.html)",
    )
    _assignments(p, "or --all")
    p.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="also compare with past terms' submissions (what `python -m course archive` kept)",
    )
    p.add_argument("--json", action="store_true", help="print the ranked pairs as JSON")
    p.set_defaults(run=run_similarity)

    p = verbs.add_parser(
        "archive", help="keep this term's submitted/ and gradebook under archive/TERM"
    )
    p.add_argument("--term", help="the term's name (default: year-month of the first due date)")
    p.add_argument("--to", type=Path, help="archive folder (default: COURSE/archive)")
    p.set_defaults(run=run_archive)

    from .hub.cli import add_verbs

    add_verbs(verbs)

    from .written.cli import add_verbs as add_written_verbs

    add_written_verbs(verbs)

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
