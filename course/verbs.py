"""What each `python -m course` verb does: one small function per verb, over the plain functions
of the subpackages (authoring, grading, results, site, exchange). The argument parser is in
course.cli; these functions receive its parsed arguments.

Runs in: the grader/CLI process.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from .paths import CourseDir


def _ids(args, everything_by_default: bool = True) -> list[str]:
    """The assignments a verb acts on: those named, else (or with --all) all of course.toml."""
    from .config import load

    config = load(args.course)
    named = getattr(args, "assignment", None) or []
    if not named and not getattr(args, "all", False) and not everything_by_default:
        raise SystemExit(f"python -m course {args.verb}: name an assignment or pass --all")
    return [config.assignment(a).id for a in named] if named else config.ids


def run_release(args) -> int:
    from .authoring.release import release

    for assignment in _ids(args):
        path = release(course=CourseDir(args.course), assignment=assignment)
        print(f"released {path} (solution passes, blank fails every test, nothing hidden leaks)")
    return 0


def run_grade(args) -> int:
    ids = _ids(args)
    # Workers take ~2 s to warm up (numpy, matplotlib, seaborn, ipykernel); the first
    # assignment's start before this process spends ~2 s importing nbgrader, so the two overlap.
    pool = _start_pool(args)
    try:
        from .results.late import apply_penalties, sync_due_dates

        course = CourseDir(args.course)
        sync_due_dates(course)
    except BaseException:
        if pool is not None:
            pool.close(abort=True)
        raise
    status = 0
    for i, assignment in enumerate(ids):
        status = max(status, _grade_one(args, assignment, pool if i == 0 else _start_pool(args)))
        apply_penalties(course, assignments=[assignment])
    return status


def _start_pool(args):
    """Local workers, warming up from now on (None with --scheduler: Dask's workers)."""
    if args.scheduler:
        return None
    import os

    from .grading.pools import LocalPool
    from .sandbox.limits import Limits

    return LocalPool(args.workers or os.cpu_count() or 1, Limits())


def _grade_one(args, assignment: str, pool) -> int:
    from .grading.run import grade
    from .results import regrade

    before = regrade.snapshot(CourseDir(args.course), assignment) if args.force else None
    try:
        summary = grade(
            course=CourseDir(args.course),
            assignment=assignment,
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


def run_feedback(args) -> int:
    from .results.feedback import generate_feedback

    files = [
        f
        for a in _ids(args)
        for f in generate_feedback(
            course=CourseDir(args.course), assignment=a, student=args.student
        )
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


def run_export(args) -> int:
    from .results.course_export import export_course
    from .results.export import export

    course = _late_applied(args)
    if args.assignment:
        paths = [p for a in _ids(args) for p in export(course=course, assignment=a)]
    else:
        paths = export_course(course=course)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def run_report(args) -> int:
    from .results.course_report import course_report
    from .results.report import report

    course = _late_applied(args)
    if args.assignment:
        for a in _ids(args):
            print(f"wrote {report(course=course, assignment=a)}")
    else:
        print(f"wrote {course_report(course=course)}")
    return 0


def run_demo(args) -> int:
    from .demo import demo

    print(demo(args.root, workers=args.workers, grader=args.grader).summary())
    return 0


def run_publish(args) -> int:
    from .exchange import release_to_exchange

    for assignment in _ids(args, everything_by_default=False):
        path = release_to_exchange(
            course=CourseDir(args.course),
            exchange=args.exchange,
            assignment=assignment,
            force=args.force,
        )
        print(f"published {path}: students can fetch it from their Assignments tab")
    return 0


def run_collect(args) -> int:
    from .exchange import collect_checked
    from .paths import COURSE_ID
    from .results.arrival import record_collected

    course = CourseDir(args.course)
    for assignment in _ids(args):
        students, refused, staged = collect_checked(
            course=course, exchange=args.exchange, assignment=assignment
        )
        print(
            f"submitted/ holds {len(students)} submission(s) of {assignment}"
            + (f": {', '.join(students)}" if students else "")
        )
        for entry, why in refused.items():  # course.hub.inbound: never read, never collected
            print(f"  REFUSED {entry!r}: {why.reason}")
        inbound = Path(args.exchange) / COURSE_ID / "inbound"
        for student, seen in record_collected(
            course=course, assignment=assignment, inbound=inbound, staged=staged
        ).items():
            if seen.forged:
                print(
                    f"  FORGED TIME {student}: claims {seen.claimed:%Y-%m-%d %H:%M:%S} UTC, "
                    f"arrived {seen.arrived:%Y-%m-%d %H:%M:%S} UTC (lateness counts from arrival)"
                )
    return 0


def run_extend(args) -> int:
    from .results.late import extend

    extension, due = extend(
        course=CourseDir(args.course),
        student=args.student,
        assignment=args.assignment,
        until=args.until,
        days=args.days,
    )
    what = f"an extension of {extension}" if extension else "no extension"
    print(
        f"{args.student} has {what} on {args.assignment}: due {due:%Y-%m-%d %H:%M} UTC "
        "(late penalties recomputed)"
    )
    return 0


def run_student_setup(args) -> int:
    from .exchange import write_student_config

    print(f"wrote {write_student_config(args.config_dir, args.exchange, args.student)}")
    return 0


def run_site(args) -> int:
    from .site import build, load_settings

    course = CourseDir(args.course)
    settings = load_settings(course)
    if args.hub_url is not None:
        settings = replace(settings, hub_url=args.hub_url or None)
    built = build(course=course, out=args.out, settings=settings)
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


def run_new(args) -> int:
    from .authoring.new import scaffold

    written = scaffold(assignment=args.assignment, title=args.title, course=CourseDir(args.course))
    print(f"wrote {', '.join(written)}; next: python -m course release {args.assignment}")
    return 0


# --- similarity and archive (issue 23) ------------------------------------------------------
def run_similarity(args) -> int:
    from .similarity.verbs import similarity

    return similarity(
        course=args.course,
        assignments=_ids(args, everything_by_default=False),
        against=args.against,
        as_json=args.json,
    )


def run_archive(args) -> int:
    from .similarity.verbs import archive

    return archive(course=args.course, term=args.term, to=args.to)
