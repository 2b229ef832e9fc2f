"""The written-grading app as a service of the course hub (added to jupyterhub_config.py by
course.hub.setup): run as the grader account (the course directory is its, mode 0700) with
the students' venv's Python (readable by that account) and the course package copied into the
course directory; reachable by the formgrader group only (a role of its own), so a student is
refused with 403 by JupyterHub before the app sees the request."""

from __future__ import annotations


def service_name(course_id: str) -> str:
    return f"written-{course_id}"


def service(s) -> dict:
    """The managed service for HubSettings `s` (port + 4; the hub uses port .. port + 3)."""
    lab_bin = s.lab_venv / "bin"
    return {
        "name": service_name(s.course_id),
        "url": f"http://127.0.0.1:{s.port + 4}",
        "command": [
            str(lab_bin / "python"),
            "-m",
            "course",
            "--course",
            str(s.course.root),
            "written",
            "--serve",
            "--hub",
        ],  # fmt: skip
        "user": s.grader_user,
        "cwd": str(s.grader_home),
        "environment": {
            "PATH": f"{lab_bin}:/usr/local/bin:/usr/bin:/bin",
            "PYTHONPATH": str(s.course.root),
        },
        "oauth_no_confirm": True,
        "display": True,
    }


def role(course_id: str) -> dict:
    name = service_name(course_id)
    return {
        "name": name,
        "groups": [f"formgrade-{course_id}"],
        "scopes": [f"access:services!service={name}", f"read:services!service={name}"],
    }
