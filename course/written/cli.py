"""The `written`, `written-groups` and `written-demo` verbs of `python -m course` (parsing
here, so course/cli.py only registers them)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from pathlib import Path

from course.paths import REPO, CourseDir


def add_verbs(verbs) -> None:
    p = verbs.add_parser(
        "written", help="grade written answers by question, in groups, with a rubric (web app)"
    )
    p.add_argument("--serve", action="store_true", help="serve the grading app")
    p.add_argument("--ip", default="127.0.0.1", help="address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8810, help="port (default 8810)")
    p.add_argument("--hub", action="store_true",
                   help="run as the course hub's service (JupyterHub OAuth; started by the hub)")  # fmt: skip
    p.set_defaults(run=run_written)

    p = verbs.add_parser("written-groups", help="the answer groups of one written question")
    p.add_argument("assignment")
    p.add_argument("grade_id")
    p.add_argument("--json", action="store_true", help="print JSON (the only format)")
    p.set_defaults(run=run_groups)

    p = verbs.add_parser(
        "written-demo", help="a graded class with realistic written answers, for the grading app"
    )
    p.add_argument("--root", type=Path, default=REPO / "written-demo", help="course directory")
    p.add_argument("--students", type=int, default=40)
    p.set_defaults(run=run_demo)


def groups_json(course: CourseDir, assignment: str, gid: str) -> dict:
    """{"assignment", "grade_id", "groups": [{"students", "representative"}]}, largest first."""
    from course.written import answers, grouping, state

    q = answers.question(course, assignment, gid)
    problems: list[str] = []
    texts = answers.answers(course, q, problems)
    for line in problems:
        print(f"written-groups: skipped {line}", file=sys.stderr)
    st = state.current(course, q, texts, keep=False)
    groups = [
        {"students": g, "representative": grouping.representative([texts[s] for s in g])}
        for g in state.ordered(st.groups)
    ]
    return {"assignment": assignment, "grade_id": gid, "groups": groups}


def run_groups(args: argparse.Namespace) -> int:
    from course.errors import CourseError

    try:
        out = groups_json(CourseDir(args.course), args.assignment, args.grade_id)
    except (KeyError, FileNotFoundError, ValueError) as exc:
        raise CourseError(f"written-groups: {exc.args[0] if exc.args else exc}") from None
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return 0


def run_written(args: argparse.Namespace) -> int:
    if not args.serve:
        print("python -m course written: add --serve to start the grading app", file=sys.stderr)
        return 2
    import asyncio

    asyncio.run(_serve(args))
    return 0


async def _serve(args: argparse.Namespace) -> None:
    import asyncio
    from urllib.parse import urlparse

    from course.written.app import make_app

    course = CourseDir(Path(args.course).resolve())
    if args.hub:  # the hub says where to listen (the service's url)
        url = os.environ.get("JUPYTERHUB_SERVICE_URL", f"http://{args.ip}:{args.port}")
        where = urlparse(url)
        make_app(course, hub=True).listen(where.port or args.port, where.hostname or args.ip)
        print(f"written grading service on {url}", flush=True)
    else:
        token = secrets.token_urlsafe(24)
        make_app(course, token=token, user=getpass.getuser()).listen(args.port, args.ip)
        print(f"written grading: http://{args.ip}:{args.port}/?token={token}", flush=True)
    await asyncio.Event().wait()


def run_demo(args: argparse.Namespace) -> int:
    from course.written.demo import build

    course = build(args.root, args.students)
    print(f"written-answer class of {args.students} in {course.root}; grade it with:\n"
          f"  python -m course --course {course.root} written --serve")  # fmt: skip
    return 0
