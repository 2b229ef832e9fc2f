"""Roster CSV -> Unix accounts and gradebook students (runs as root in `python -m course hub`).

The roster is the only list of who may log in: ``id,name,email,role`` with role student, ta or
instructor. Students and TAs get real Unix accounts (nbgrader's exchange identifies a submission
by the Unix owner of its folder; JupyterHub's LocalProcessSpawner starts each server as that
account) with private homes (0700), so one student cannot read another's work.
"""

from __future__ import annotations

import csv
import pwd
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError

ROLES = ("student", "ta", "instructor")
# Unix and JupyterHub both accept this; nbgrader uses the id in folder names split on "+".
_ID = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class RosterError(CourseError):
    """The roster file is unusable; the message names the file, line and reason."""

    label = "roster"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    role: str

    @property
    def first_last(self) -> tuple[str, str]:
        first, _, last = self.name.partition(" ")
        return first, last


def read_roster(path: Path) -> list[Person]:
    """Parse and validate a roster CSV (header id,name,email,role)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc.strerror})") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise RosterError(f"{path}: no people (expected a header id,name,email,role and rows)")
    missing = {"id", "name", "email", "role"} - set(rows[0])
    if missing:
        raise RosterError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    people, seen = [], set()
    for line, row in enumerate(rows, start=2):
        pid, role = (row["id"] or "").strip(), (row["role"] or "").strip().lower()
        if not _ID.match(pid):
            raise RosterError(
                f"{path}:{line}: id {pid!r} is not a valid login name (lowercase letters, digits, _ -)"
            )
        if role not in ROLES:
            raise RosterError(f"{path}:{line}: role {role!r} is not one of {', '.join(ROLES)}")
        if pid in seen:
            raise RosterError(f"{path}:{line}: id {pid!r} appears twice")
        seen.add(pid)
        people.append(Person(pid, (row["name"] or "").strip(), (row["email"] or "").strip(), role))
    return people


def ensure_account(login: str, home_mode: int = 0o700) -> pwd.struct_passwd:
    """Create the Unix account if missing (no password: PAM logins need `set_password`)."""
    try:
        entry = pwd.getpwnam(login)
    except KeyError:
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/bash", login],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(login)
    Path(entry.pw_dir).chmod(home_mode)
    return entry


def set_password(login: str, password: str) -> None:
    subprocess.run(["chpasswd"], input=f"{login}:{password}\n", text=True, check=True)


def remove_account(login: str) -> None:
    """Delete an account and its home (tests; never called for a real roster)."""
    # --force: a server killed with the hub can leave zombie processes of the account behind.
    subprocess.run(["userdel", "--force", "--remove", login], capture_output=True)


def sync_gradebook(db_url: str, people: list[Person]) -> int:
    """Add or update every student in nbgrader's gradebook; returns how many."""
    from nbgrader.api import Gradebook

    students = [p for p in people if p.role == "student"]
    with Gradebook(db_url) as gb:
        for p in students:
            first, last = p.first_last
            gb.update_or_create_student(p.id, first_name=first, last_name=last, email=p.email)
    return len(students)
