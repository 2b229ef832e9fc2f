"""`python -m course hub`: lay out a course JupyterHub and write its configuration (runs as root).

One directory (``--state``, default /srv/math-for-llms) holds everything the hub serves:

    hub/                 root only (0700): jupyterhub_config.py, its database, cookie secret
    exchange/            nbgrader's exchange (1777; owners and modes: course.hub.layout)
    jupyter-student/     read by every student's server: exchange, course id, no instructor tools
    jupyter-grader/      read by the formgrader service
    grader/<course_id>/  the course directory (0700, owned by the grader account): source/,
                         release/, gradebook.db, submitted/, autograded/, feedback/, course/

The course directory is a copy of this repository's source/, release/, nbgrader_config.py and
the course/ package (nbgrader and the formgrader import the course's preprocessors and
sanitising filters from it); student work stays there, never in the repository.
Why a venv under /opt for the students' servers: see .ci/hub-packages.sh.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError
from course.exchange import write_student_config
from course.hub import layout
from course.hub import roster as rosters
from course.hub.services import SERVICES, path_env
from course.paths import COURSE_ID, REPO, CourseDir, new_course

LAB_VENV = Path("/opt/math-for-llms-lab")
DEMO_AUTH = "demo-anyone-can-log-in"
AUTHENTICATORS = ("pam", "native", DEMO_AUTH)


@dataclass
class HubSettings:
    state: Path = Path("/srv/math-for-llms")
    roster: Path | None = None
    ip: str = "127.0.0.1"
    port: int = 8000  # the hub uses port+1 (hub API), port+2 (proxy API), port+3 (formgrader)
    auth: str = "pam"
    course_id: str = COURSE_ID
    grader_user: str = f"grader-{COURSE_ID}"
    lab_venv: Path = LAB_VENV
    per_hour: int = 3  # graded feedback shown per student and assignment per hour
    poll_s: float = 1.0
    people: list[rosters.Person] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}/"

    @property
    def exchange(self) -> Path:
        return self.state / "exchange"

    @property
    def hub_dir(self) -> Path:
        return self.state / "hub"

    @property
    def grader_home(self) -> Path:
        return self.state / "grader"

    @property
    def course(self) -> CourseDir:
        return CourseDir(self.grader_home / self.course_id)

    def by_role(self, *roles: str) -> list[str]:
        return sorted(p.id for p in self.people if p.role in roles)


class HubSetupError(CourseError):
    """The hub cannot be set up; the message says what is missing and how to install it."""

    label = "hub"


def check_requirements(settings: HubSettings) -> None:
    if os.geteuid() != 0:
        raise HubSetupError(
            "the hub must run as root (it starts each server as the student's Unix account)"
        )
    if not shutil.which("configurable-http-proxy"):
        raise HubSetupError("configurable-http-proxy not found: run `bash .ci/hub-packages.sh`")
    if not (settings.lab_venv / "bin" / "jupyterhub-singleuser").exists():
        raise HubSetupError(
            f"{settings.lab_venv} has no jupyterhub-singleuser: run `bash .ci/hub-packages.sh`"
        )


def _copy_course_package(dest: Path) -> None:
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(REPO / "course", dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def prepare_course(settings: HubSettings) -> CourseDir:
    """Create or refresh the course directory; record every assignment in its gradebook."""
    from course.authoring.release import generate

    course = settings.course
    settings.grader_home.mkdir(parents=True, exist_ok=True)
    if not course.root.exists():
        new_course(course.root)
    else:  # refresh what the instructor edits in the repository; keep all student work
        for step in ("source", "release"):
            shutil.copytree(REPO / step, course.root / step, dirs_exist_ok=True)
        shutil.copy2(REPO / "nbgrader_config.py", course.root / "nbgrader_config.py")
    _copy_course_package(course.root / "course")
    for assignment in sorted(p.name for p in course.source.iterdir() if p.is_dir()):
        generate(course, assignment)
    return course


def assignments(course: CourseDir) -> list[str]:
    return sorted(p.name for p in course.release.iterdir() if p.is_dir())


def chown_tree(path: Path, user: str) -> None:
    """Give a tree to `user` (the grading service writes as root; formgrader runs as the grader)."""
    entry = rosters.pwd.getpwnam(user)
    for top, dirs, files in os.walk(path):
        for name in [top, *(os.path.join(top, n) for n in dirs + files)]:
            os.lchown(name, entry.pw_uid, entry.pw_gid)


def prepare(settings: HubSettings) -> Path:
    """Accounts, course directory, exchange and configuration; returns jupyterhub_config.py."""
    from course.exchange import release_to_exchange

    check_requirements(settings)
    if settings.roster:
        settings.people = rosters.read_roster(settings.roster)
    settings.state.mkdir(parents=True, exist_ok=True)
    settings.state.chmod(0o755)
    settings.hub_dir.mkdir(mode=0o700, exist_ok=True)
    for p in settings.people:
        rosters.ensure_account(p.id)
    rosters.ensure_account(settings.grader_user)
    course = prepare_course(settings)
    rosters.sync_gradebook(course.db_url, settings.people)
    unsafe = layout.before_release(settings.exchange, settings.course_id, settings.grader_user)
    if not unsafe:
        for assignment in assignments(course):
            release_to_exchange(
                course=course, exchange=settings.exchange, assignment=assignment, force=True
            )
        layout.after_release(settings.exchange, settings.course_id, settings.grader_user)
        unsafe = layout.check_exchange(settings.exchange, settings.course_id, settings.grader_user)
    if unsafe:
        raise HubSetupError("refusing to serve an exchange students could rearrange: "
                            + "; ".join(unsafe))  # fmt: skip
    chown_tree(settings.grader_home, settings.grader_user)
    settings.grader_home.chmod(0o700)
    write_student_config(
        settings.state / "jupyter-student", settings.exchange, course_id=settings.course_id
    )
    _write_grader_config(settings)
    config = settings.hub_dir / "jupyterhub_config.py"
    config.write_text(hub_config(settings))
    return config


def _write_grader_config(settings: HubSettings) -> None:
    conf = settings.state / "jupyter-grader"
    conf.mkdir(exist_ok=True)
    (conf / "nbgrader_config.py").write_text(
        '"""The formgrader\'s nbgrader settings (written by `python -m course hub`)."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(settings.course.root)!r}\n"
        f"c.CourseDirectory.course_id = {settings.course_id!r}\n"
        f"c.Exchange.root = {str(settings.exchange)!r}\n"
    )


def hub_config(s: HubSettings) -> str:
    """The text of jupyterhub_config.py: plain assignments, readable by an administrator."""
    cid = s.course_id
    staff, students = s.by_role("instructor", "ta"), s.by_role("student")
    lab_bin = s.lab_venv / "bin"
    made = [make(s) for make in SERVICES]
    roles = [r for m in made for r in m.roles] + [{"name": "server", "scopes": ["inherit"]}]
    lines = [
        '"""Written by `python -m course hub` from the roster; edit the roster, not this file."""',
        "c = get_config()  # noqa: F821",
        f"c.JupyterHub.bind_url = {s.url!r}",
        f"c.JupyterHub.hub_bind_url = 'http://127.0.0.1:{s.port + 1}'",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{s.port + 2}'",
        f"c.JupyterHub.db_url = 'sqlite:///{s.hub_dir / 'jupyterhub.sqlite'}'",
        f"c.JupyterHub.cookie_secret_file = {str(s.hub_dir / 'jupyterhub_cookie_secret')!r}",
        f"c.ConfigurableHTTPProxy.pid_file = {str(s.hub_dir / 'proxy.pid')!r}",
        f"c.Authenticator.admin_users = {set(s.by_role('instructor'))!r}",
        f"c.JupyterHub.load_groups = {{'formgrade-{cid}': {{'users': {staff!r}}},"
        f" 'nbgrader-{cid}': {{'users': {students!r}}}}}",
        f"c.JupyterHub.load_roles = {roles!r}",
        f"c.JupyterHub.services = {[m.spec for m in made]!r}",
        f"c.Spawner.cmd = [{str(lab_bin / 'jupyterhub-singleuser')!r}]",
        "c.Spawner.default_url = '/lab'",
        "c.Spawner.notebook_dir = '~'",
        "c.Spawner.start_timeout = 120",
        "c.Spawner.http_timeout = 90",
        f"c.Spawner.environment = {{'PATH': {path_env(lab_bin)!r},"
        f" 'JUPYTER_CONFIG_PATH': {str(s.state / 'jupyter-student')!r}}}",
    ]
    if s.auth == DEMO_AUTH:
        lines += [
            "# DEMO MODE: anyone who types any name logs in; a Unix account is made for them.",
            "c.JupyterHub.authenticator_class = 'dummy'",
            "c.Authenticator.allow_all = True",
            "from course.hub.roster import ensure_account",
            "c.Spawner.pre_spawn_hook = lambda spawner: ensure_account(spawner.user.name)",
        ]
    else:
        lines.append(f"c.Authenticator.allowed_users = {set(p.id for p in s.people)!r}")
        if s.auth == "native":
            lines += [
                "c.JupyterHub.authenticator_class = 'native'",
                "c.NativeAuthenticator.open_signup = False  # an instructor approves each signup",
            ]
        else:
            lines += [
                "c.JupyterHub.authenticator_class = 'pam'",
                "c.PAMAuthenticator.open_sessions = False",
            ]
    return "\n".join(lines) + "\n"


def hub_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "jupyterhub", "-f", str(config)]
