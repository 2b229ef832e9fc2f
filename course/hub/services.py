"""The hub's managed services, one function each: `python -m course hub` writes every entry of
SERVICES into jupyterhub_config.py (its `c.JupyterHub.services`, plus the roles it needs).

To add a service (e.g. for graders), write a function `(HubSettings) -> Service` here and
append it to SERVICES; nothing else changes. Services that run as root get ROOT_ENV: root
imports the course package from this checkout, and must not write `__pycache__/` into it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from course.paths import REPO

if TYPE_CHECKING:
    from course.hub.setup import HubSettings

IDLE_TIMEOUT_S = 3600  # a lab untouched for an hour is stopped; its files stay in the home


@dataclass
class Service:
    spec: dict  # one entry of c.JupyterHub.services
    roles: list[dict] = field(default_factory=list)  # c.JupyterHub.load_roles entries


def path_env(venv_bin: Path) -> str:
    return f"{venv_bin}:/usr/local/bin:/usr/bin:/bin"


def root_env() -> dict[str, str]:
    """Environment of a root service run from this checkout's venv."""
    return {
        "PATH": path_env(Path(sys.executable).parent),
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def formgrader(s: HubSettings) -> Service:
    """nbgrader's formgrader, as the grader account, for instructors and TAs."""
    cid, lab_bin = s.course_id, s.lab_venv / "bin"
    spec = {
        "name": cid,
        "url": f"http://127.0.0.1:{s.port + 3}",
        "command": [str(lab_bin / "jupyterhub-singleuser")],
        "user": s.grader_user,
        "cwd": str(s.grader_home),
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            "PATH": path_env(lab_bin),
            "JUPYTER_CONFIG_PATH": str(s.state / "jupyter-grader"),
            # The course's nbgrader_config.py imports the course package: its copy in the course
            # directory (this checkout may not be readable by the grader account).
            "PYTHONPATH": str(s.course.root),
        },
        "oauth_no_confirm": True,
    }
    roles = [
        {
            "name": f"formgrade-{cid}",
            "groups": [f"formgrade-{cid}"],
            "scopes": [
                f"access:services!service={cid}",
                "list:services",
                f"read:services!service={cid}",
            ],
        },
        {
            "name": f"nbgrader-{cid}",
            "groups": [f"nbgrader-{cid}"],
            "scopes": ["list:services", f"read:services!service={cid}"],
        },
    ]
    return Service(spec, roles)


def grade_on_submit(s: HubSettings) -> Service:
    """course.hub.service, as root (the sandbox gives every kernel a uid of its own)."""
    command = [sys.executable, "-m", "course", "--course", str(s.course.root), "hub-grader",
               "--exchange", str(s.exchange), "--grader-user", s.grader_user,
               "--per-hour", str(s.per_hour), "--poll", str(s.poll_s)]  # fmt: skip
    return Service({"name": "grade-on-submit", "command": command, "cwd": str(REPO),
                    "environment": root_env()})  # fmt: skip


def idle_culler(s: HubSettings) -> Service:
    """jupyterhub-idle-culler: stops labs idle for IDLE_TIMEOUT_S so they free their memory
    (the scopes are the ones its README lists)."""
    command = [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT_S}"]
    role = {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    }
    return Service({"name": "idle-culler", "command": command, "cwd": str(s.hub_dir),
                    "environment": root_env()}, [role])  # fmt: skip


def written_answers(s: HubSettings) -> Service:
    """Written answers graded by question (course.written), for the formgrader group only."""
    from course.written import hub as written

    return Service(written.service(s), [written.role(s.course_id)])


SERVICES = [formgrader, grade_on_submit, idle_culler, written_answers]
