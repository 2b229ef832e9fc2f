"""An nbgrader exchange on this machine: instructor release/collect, and a student's config.

nbgrader's default exchange moves files through one shared directory (``Exchange.root``):
release copies ``release/<a>`` to ``<root>/<course>/outbound/<a>``, a student's submit copies
into ``<root>/<course>/inbound/<student>+<a>+<time>``, and collect copies the newest of those
into ``submitted/<student>/<a>``. These functions only wrap the ``nbgrader`` commands so the
instructor and the tests pass the same flags.

Runs in: the CLI process; the nbgrader commands run as subprocesses (course.nb.run_nbgrader).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from course.nb import run_nbgrader
from course.paths import ASSIGNMENT, COURSE_ID, CourseDir

# nbgrader's own default; instructors on a shared machine usually keep it.
DEFAULT_EXCHANGE = Path("/usr/local/share/nbgrader/exchange")

STUDENT_CONFIG = '''\
"""nbgrader settings for a student of {course_id} (written by `python -m course student-setup`)."""
c = get_config()  # noqa: F821
c.Exchange.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
{student_line}'''


# Students get the Assignments list and Validate; the instructor-only parts stay hidden.
STUDENT_SERVER_CONFIG = {
    "ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False}}
}
STUDENT_PAGE_CONFIG = {
    "disabledExtensions": {
        "@jupyter/nbgrader:formgrader": True,
        "@jupyter/nbgrader:create-assignment": True,
    }
}


def ensure_exchange(root: Path) -> Path:
    """Create the exchange directory; nbgrader requires it to exist and be writable by all."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    # Students (other Unix users on a real machine) write into inbound/ under this root; a
    # root-owned shared exchange is the administrator's to set up, so leave others' modes alone.
    # Sticky (1777): nobody can rename or delete a folder of another account's in it, such as
    # the course's (nbgrader's own check looks at the 0777 bits only).
    if root.stat().st_uid == os.getuid():
        root.chmod(0o1777)
    return root


def write_student_config(
    config_dir: Path, exchange_root: Path, student_id: str | None = None, course_id: str = COURSE_ID
) -> Path:
    """Configure a student's Jupyter config dir (``~/.jupyter`` or ``$JUPYTER_CONFIG_DIR``).

    Writes ``nbgrader_config.py`` plus server/lab settings that switch off the formgrader
    and the create-assignment toolbar, which are for instructors.

    The Assignments tab lists courses from ``CourseDirectory.course_id`` and fetches from
    ``Exchange.root``. ``student_id`` is only needed when students share one Unix account
    (as in tests); otherwise nbgrader uses the login name.
    """
    config_dir = Path(config_dir)
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps(STUDENT_SERVER_CONFIG, indent=1)
    )
    (config_dir / "labconfig" / "page_config.json").write_text(
        json.dumps(STUDENT_PAGE_CONFIG, indent=1)
    )
    student_line = f"c.CourseDirectory.student_id = {student_id!r}\n" if student_id else ""
    path = config_dir / "nbgrader_config.py"
    path.write_text(
        STUDENT_CONFIG.format(
            root=str(Path(exchange_root).resolve()), course_id=course_id, student_line=student_line
        )
    )
    return path


def _nbgrader(course: CourseDir, exchange_root: Path, *args: str) -> str:
    """An nbgrader exchange command in the course root, on this exchange; NbgraderFailed."""
    return run_nbgrader(course.root, *args, f"--Exchange.root={Path(exchange_root).resolve()}")


def release_to_exchange(
    *,
    course: CourseDir,
    exchange: Path = DEFAULT_EXCHANGE,
    assignment: str = ASSIGNMENT,
    force: bool = False,
) -> Path:
    """``nbgrader release_assignment``: publish ``release/<assignment>`` for students to fetch."""
    ensure_exchange(exchange)
    _nbgrader(course, exchange, "release_assignment", assignment, *(["--force"] if force else []))
    return Path(exchange) / COURSE_ID / "outbound" / assignment


def collect(
    *, course: CourseDir, exchange: Path = DEFAULT_EXCHANGE, assignment: str = ASSIGNMENT
) -> list[str]:
    """``nbgrader collect``: copy each student's newest submission into ``submitted/``.

    Returns the ids of students who have a submission of ``assignment`` afterwards.
    """
    return collect_checked(course=course, exchange=exchange, assignment=assignment)[0]


def collect_checked(*, course: CourseDir, exchange: Path, assignment: str):
    """collect, from root's checked copies: every inbound entry is first staged into the
    course's own ``exchange-staged/`` (course.hub.staging: no links followed, copied as its
    student when run as root), and nbgrader collects from there. Returns (students,
    {refused entry: Refused}, the staged inbound folder)."""
    from course.hub.staging import stage_inbound

    staged_root = course.root / "exchange-staged"
    staged = staged_root / COURSE_ID / "inbound"
    inbound = Path(exchange) / COURSE_ID / "inbound"
    refused = stage_inbound(inbound, staged, assignment) if inbound.is_dir() else {}
    # check_owner compares the Unix owner with the student id: done while staging (and on a
    # one-account machine, tests or a laptop demo, every submission has the same owner).
    _nbgrader(
        course,
        staged_root,
        "collect",
        assignment,
        "--update",
        "--ExchangeCollect.check_owner=False",
    )
    students = sorted(p.parent.name for p in course.submitted.glob(f"*/{assignment}") if p.is_dir())
    return students, refused, staged
