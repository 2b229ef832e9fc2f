"""The exchange's owners and modes, set by `python -m course hub` and checked at every start of
the hub and of the grade-on-submit service (both run as root).

nbgrader requires an exchange root every account can write. With mode 0777 and no sticky bit
any student could rename the course's folder and put her own outbound/ in its place (issue 18:
classmates then fetched her notebook and submitted into her folder). The layout here:

    exchange/                   root          1777  sticky: only an entry's owner renames it
    exchange/<course>/          grader        0755
    exchange/<course>/outbound/ grader        0755  (and everything in it: not writable by others)
    exchange/<course>/inbound/  grader        3733  students create, cannot list, and (sticky)
                                                    cannot rename or delete each other's entries
    exchange/<course>/feedback/ root          0711  written by the service's release_feedback

nbgrader's release_assignment insists on owning the course, outbound and inbound folders and
release_feedback the feedback folder ("You don't own the directory"), so `lay_out` hands them
to root around the release and back to the grader account after it; anything found owned by
someone else (a student) is never chowned: the hub refuses to start, naming the path.
"""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

ROOT_MODE, COURSE_MODE, INBOUND_MODE, FEEDBACK_MODE = 0o1777, 0o755, 0o3733, 0o711


def _expected(exchange: Path, course_id: str, grader_uid: int) -> list[tuple[Path, int, int]]:
    course = exchange / course_id
    return [
        (exchange, 0, ROOT_MODE),
        (course, grader_uid, COURSE_MODE),
        (course / "outbound", grader_uid, COURSE_MODE),
        (course / "inbound", grader_uid, INBOUND_MODE),
        (course / "feedback", 0, FEEDBACK_MODE),
    ]


def _describe(path: Path, st: os.stat_result | None, uid: int, mode: int) -> str | None:
    if st is None:
        return f"{path}: missing"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path}: not a folder (a link or file put in its place?)"
    if st.st_uid != uid:
        return f"{path}: owned by {_name(st.st_uid)}, expected {_name(uid)}"
    if stat.S_IMODE(st.st_mode) != mode:
        return f"{path}: mode {stat.S_IMODE(st.st_mode):04o}, expected {mode:04o}"
    return None


def _name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def check_exchange(exchange: Path, course_id: str, grader_user: str) -> list[str]:
    """Every way the exchange differs from the layout above, one line each naming the path."""
    grader_uid = pwd.getpwnam(grader_user).pw_uid
    problems = []
    for path, uid, mode in _expected(Path(exchange), course_id, grader_uid):
        if (why := _describe(path, _lstat(path), uid, mode)) is not None:
            problems.append(why)
    outbound = Path(exchange) / course_id / "outbound"
    if not problems:  # released assignments: nothing in them another account may change
        for top, dirs, files in os.walk(outbound):
            for name in dirs + files:
                st = os.lstat(os.path.join(top, name))
                if st.st_uid != grader_uid or st.st_mode & 0o022 or stat.S_ISLNK(st.st_mode):
                    problems.append(f"{os.path.join(top, name)}: not the grader's, or writable")
    return problems


def before_release(exchange: Path, course_id: str, grader_user: str) -> list[str]:
    """Hand the grader's folders to root for nbgrader's release (see the module docstring);
    returns the problems that make it unsafe (a folder owned by anyone else)."""
    grader_uid = pwd.getpwnam(grader_user).pw_uid
    exchange = Path(exchange)
    st = _lstat(exchange)
    if st is not None and (st.st_uid != 0 or not stat.S_ISDIR(st.st_mode)):
        return [f"{exchange}: owned by {_name(st.st_uid)} or not a folder; expected root's"]
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(ROOT_MODE)
    problems = []
    for path, _, _ in _expected(exchange, course_id, grader_uid)[1:]:
        st = _lstat(path)
        if st is None:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid not in (0, grader_uid):
            problems.append(f"{path}: owned by {_name(st.st_uid)}, expected {_name(grader_uid)}")
        elif path.name != "feedback":
            os.lchown(path, 0, 0)
    return problems


def after_release(exchange: Path, course_id: str, grader_user: str) -> None:
    """Owners and modes of the layout above (after nbgrader created what was missing)."""
    entry = pwd.getpwnam(grader_user)
    exchange = Path(exchange)
    exchange.chmod(ROOT_MODE)
    course = exchange / course_id
    (course / "feedback").mkdir(mode=FEEDBACK_MODE, exist_ok=True)
    for path, uid, mode in _expected(exchange, course_id, entry.pw_uid)[1:]:
        os.lchown(path, uid, entry.pw_gid if uid else 0)
        path.chmod(mode)
    for top, dirs, files in os.walk(course / "outbound"):  # made by root's release just now
        for name in dirs + files:
            os.lchown(os.path.join(top, name), entry.pw_uid, entry.pw_gid)
