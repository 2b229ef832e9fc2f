"""The `hub` and `hub-grader` verbs of `python -m course` (argument parsing lives here so
course/__main__.py only registers them)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from course.paths import COURSE_ID, REPO, CourseDir

LOUD = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  DEMO MODE: ANYONE WHO CAN REACH THIS HUB LOGS IN WITH ANY NAME AND PASSWORD,
!!  AND GETS A UNIX ACCOUNT. Never use it on a network others can reach.
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""


DEMO_ROSTER = Path(__file__).with_name("demo-roster.csv")
DEMO_LINE = (
    "*** DEMO course hub: accounts from course/hub/demo-roster.csv, passwords shown once here; "
    "for a real class: --roster roster.csv ***"
)


def add_verbs(verbs) -> None:
    from course.hub.setup import AUTHENTICATORS, LAB_VENV, HubSettings

    d = HubSettings()
    p = verbs.add_parser(
        "hub", help="set up and start the course JupyterHub (root; roster -> accounts)"
    )
    p.add_argument("--roster", type=Path, help="CSV id,name,email,role (student|ta|instructor); "
                   "without it, a demo course from course/hub/demo-roster.csv")  # fmt: skip
    p.add_argument("--state", type=Path, default=d.state, help=f"hub directory (default {d.state})")
    p.add_argument("--ip", default=d.ip, help=f"address to serve on (default {d.ip})")
    p.add_argument("--port", type=int, default=d.port, help=f"port (default {d.port}; +1..+3 used)")
    p.add_argument("--auth", choices=AUTHENTICATORS, default="pam",
                   help="pam (Unix passwords), native (sign-up, instructor approves), or the "
                   "demo mode that lets anyone in")  # fmt: skip
    p.add_argument("--per-hour", type=int, default=d.per_hour,
                   help="graded feedback per student and assignment per hour")  # fmt: skip
    p.add_argument("--lab-venv", type=Path, default=LAB_VENV, help="students' environment")
    p.add_argument(
        "--grader-user",
        default=d.grader_user,
        help=f"Unix account that owns the course directory (default {d.grader_user})",
    )
    p.add_argument("--setup-only", action="store_true", help="write everything, start nothing")
    p.set_defaults(run=run_hub)

    p = verbs.add_parser("hub-grader", help="the grade-on-submit service (started by the hub)")
    p.add_argument("--exchange", type=Path, required=True)
    p.add_argument("--grader-user", default=None)
    p.add_argument("--per-hour", type=int, default=d.per_hour)
    p.add_argument("--poll", type=float, default=d.poll_s)
    p.add_argument("--course-id", default=COURSE_ID)
    p.set_defaults(run=run_grader)


def run_hub(args: argparse.Namespace) -> int:
    from course.hub.setup import DEMO_AUTH, HubSettings, hub_command, prepare

    sys.dont_write_bytecode = True  # root: nothing written into the checkout
    demo_roster = args.auth != DEMO_AUTH and not args.roster
    if demo_roster:  # a fresh clone's `make hub`: see the hub at once, with demo accounts
        args.roster = DEMO_ROSTER
    settings = HubSettings(state=args.state.resolve(), roster=args.roster, ip=args.ip,
                           port=args.port, auth=args.auth, per_hour=args.per_hour,
                           lab_venv=args.lab_venv, grader_user=args.grader_user)  # fmt: skip
    if args.auth == DEMO_AUTH:
        print(LOUD, file=sys.stderr)
    config = prepare(settings)  # a CourseError ends as one line (course/cli.py)
    print(f"course JupyterHub config: {config}", flush=True)
    if demo_roster:
        print(demo_accounts(settings.people), flush=True)
    if args.setup_only:
        return 0
    print(f"JupyterHub for {settings.course_id}: {settings.url}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # Become JupyterHub (exec, not a child): systemd's and a test's SIGTERM then reach the hub
    # itself, which stops its proxy and services; a wrapper left it orphaned and running.
    os.chdir(settings.hub_dir)
    cmd = hub_command(config)
    os.execve(cmd[0], cmd, env)


def demo_accounts(people) -> str:
    """New random passwords for the demo roster's accounts, printed this once (never stored)."""
    import secrets

    from course.hub.roster import set_password

    lines = [DEMO_LINE]
    for p in people:
        password = secrets.token_urlsafe(9)
        set_password(p.id, password)
        lines.append(f"   {p.id:<10} {p.role:<10} password: {password}")
    return "\n".join([*lines, DEMO_LINE, ""])


def run_grader(args: argparse.Namespace) -> int:
    from course.hub.service import GradeOnSubmit, RateLimit

    sys.dont_write_bytecode = True  # root: nothing written into the checkout it imports from
    logging.basicConfig(level=logging.INFO, format="%(asctime)s grade-on-submit %(message)s")
    if args.grader_user:  # every start: a rearranged exchange is not served
        from course.hub.layout import check_exchange

        if unsafe := check_exchange(args.exchange, args.course_id, args.grader_user):
            logging.error("refusing to run: %s", "; ".join(unsafe))
            return 1
    service = GradeOnSubmit(CourseDir(args.course), args.exchange, args.course_id,
                            args.grader_user, RateLimit(args.per_hour))  # fmt: skip
    try:
        service.run_forever(args.poll)
    except KeyboardInterrupt:
        return 0
    return 0
