"""Reading what a student put in the exchange, as root, without being led anywhere else.

Runs in the grade-on-submit service (root) and in `python -m course collect` (root on a hub, the
instructor elsewhere). An inbound entry is a folder the student made in a directory she can
write: every name, link, owner and size in it is hers to choose. nbgrader's collect copies it
with `shutil.copytree`, which follows symbolic links, so as root it copied a classmate's notebook
(or /etc/shadow) into the attacker's submission (issue 18). Three walls, each enough alone:

1. `walk`: root reads only metadata, through directory file descriptors opened with
   O_NOFOLLOW, never a path twice, and refuses (`Refused`, a rule and the offending path, never
   a byte of content) symbolic links, hard links (st_nlink > 1: a link to a file she could not
   copy), devices, FIFOs and sockets, anything not owned by the submitting student, control
   characters in names, and more files, bytes or depth than `EntryLimits`.
2. `stage`: the copy is made by a child forked from this process that drops to the student's
   uid and gid (no supplementary groups) before it opens anything, so the kernel refuses what
   she could not read herself, whatever this code forgets. It repeats the walk's checks on the
   open descriptors (O_NOFOLLOW | O_NONBLOCK: a FIFO that appeared since cannot hang it) and
   streams a tar to the parent through a pipe, under a deadline.
3. The parent treats that tar as hostile too (the child runs as the student, who can ptrace
   it): regular files and folders only, relative names without `..`, the same limits, written
   into a fresh folder only root can reach. nbgrader then collects from these copies.
Fork without exec because the project's interpreter may live where students cannot read it
(a pyenv build under /root, see .ci/hub-packages.sh); the child only makes system calls.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.utils import parse_utc

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_ID = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")  # the roster's login names (course.hub.roster)
_ASSIGNMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
_RANDOM = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # nbgrader: urlsafe base64 of 9 random bytes
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SMALL = 256  # timestamp.txt and submission_secret.txt are one short line each


@dataclass(frozen=True)
class EntryLimits:
    """What one submission may hold. A course notebook with outputs is ~0.1-2 MB; 200 files and
    50 MB leave room for data files while a 10 GB sparse file or 100,000 empty files are refused
    after reading at most 201 directory entries."""

    files: int = 200  # files and folders
    bytes: int = 50 * 2**20  # sum of the files' sizes (st_size: sparse files count in full)
    depth: int = 8
    seconds: float = 60.0  # the student-uid copy is killed after this


LIMITS = EntryLimits()

RULES = {
    "name": "the submission's folder name is not one nbgrader makes",
    "owner": "a file or folder in it is not owned by the student who submitted it",
    "symlink": "it contains a symbolic link",
    "hardlink": "it contains a hard link (a file with more than one name)",
    "special": "it contains a device, FIFO or socket",
    "control": "a file name contains a control character (newline, tab, ...)",
    "files": "it holds more files than a submission may",
    "bytes": "it is larger than a submission may be",
    "depth": "its folders are nested deeper than a submission may be",
    "unreadable": "the student's own account could not read it",
    "changed": "it changed while it was being copied",
}


@dataclass
class Refused(Exception):
    """An inbound entry that root will not read; `reason` names the rule and the path."""

    rule: str
    where: str = ""
    secret: str = ""  # the entry's submission_secret.txt when it could be read safely
    claimed: str = ""  # its timestamp.txt, likewise

    def __str__(self) -> str:
        return self.reason

    @property
    def reason(self) -> str:
        return RULES[self.rule] + (f": {self.where!r}" if self.where else "")


@dataclass
class Walked:
    files: int = 0
    bytes: int = 0
    newest_ctime: float = 0.0
    paths: list[str] = field(default_factory=list)


def parse_entry_name(name: str) -> tuple[str, str]:
    """(student, assignment) of an inbound folder named as nbgrader submit names it."""
    parts = name.split("+")
    if len(parts) != 4 or _CONTROL.search(name):
        raise Refused("name")
    student, assignment, stamp, rand = parts
    if not (_ID.match(student) and _ASSIGNMENT.match(assignment) and _RANDOM.match(rand)):
        raise Refused("name")
    try:
        parse_utc(stamp)
    except (ValueError, OverflowError):
        raise Refused("name") from None
    return student, assignment


def entry_owner(entry: Path, allow: set[int] | None = None) -> int:
    """The uid the whole entry must belong to: the student its name claims to be (refused if
    the folder is not hers, or is not a folder). `allow`: other uids accepted for the folder's
    owner (the instructor's own on a one-account machine)."""
    student, _ = parse_entry_name(entry.name)
    st = os.lstat(entry)
    if not stat.S_ISDIR(st.st_mode):
        raise Refused("symlink" if stat.S_ISLNK(st.st_mode) else "special")
    try:
        uid = pwd.getpwnam(student).pw_uid
    except KeyError:
        uid = -1
    if st.st_uid != uid and st.st_uid not in (allow or set()):
        raise Refused("owner", ".")
    return st.st_uid


def _check(st: os.stat_result, rel: str, uid: int | None, seen: Walked, lim: EntryLimits) -> None:
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        raise Refused("symlink", rel)
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        raise Refused("special", rel)
    if uid is not None and st.st_uid != uid:
        raise Refused("owner", rel)
    if stat.S_ISREG(mode) and st.st_nlink > 1:
        raise Refused("hardlink", rel)
    seen.files += 1
    if seen.files > lim.files:
        raise Refused("files")
    if stat.S_ISREG(mode):
        seen.bytes += st.st_size
        if seen.bytes > lim.bytes:
            raise Refused("bytes", rel)
    seen.newest_ctime = max(seen.newest_ctime, st.st_ctime)


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, a.st_mode, a.st_uid) == (b.st_dev, b.st_ino, b.st_mode, b.st_uid)


def _walk_fd(fd: int, rel: str, depth: int, uid, lim: EntryLimits, seen: Walked, visit) -> None:
    if depth > lim.depth:
        raise Refused("depth", rel)
    with os.scandir(fd) as it:
        names = []
        for e in it:  # stop reading a huge directory as soon as it is over the limit
            names.append(e.name)
            if len(names) + seen.files > lim.files:
                raise Refused("files")
    for name in sorted(names):
        path = f"{rel}/{name}" if rel else name
        if _CONTROL.search(name):
            raise Refused("control", path)
        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        _check(st, path, uid, seen, lim)
        seen.paths.append(path)
        if not (visit or stat.S_ISDIR(st.st_mode)):
            continue  # root's walk: metadata only, no file is ever opened
        flags = _DIR if stat.S_ISDIR(st.st_mode) else _FILE
        try:
            sub = os.open(name, flags, dir_fd=fd)
        except OSError as exc:
            raise Refused("unreadable" if exc.errno == 13 else "changed", path) from None
        try:
            if not _same(os.fstat(sub), st):
                raise Refused("changed", path)
            if stat.S_ISDIR(st.st_mode):
                _walk_fd(sub, path, depth + 1, uid, lim, seen, visit)
            if visit:
                visit(path, sub, st)
        finally:
            os.close(sub)


def _kind(path: Path) -> str:
    """Why a folder could not be opened without following anything."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "unreadable"
    if stat.S_ISLNK(mode):
        return "symlink"
    return "unreadable" if stat.S_ISDIR(mode) else "special"


def walk(entry: Path, uid: int | None, limits: EntryLimits = LIMITS, visit=None) -> Walked:
    """Check every name under `entry` (see the module docstring) without following anything;
    `visit(relpath, fd, stat)` is called for each file and folder (after a folder's contents).
    Root calls it with visit=None: it then opens folders only, never a file."""
    seen = Walked()
    try:
        top = os.open(entry, _DIR)
    except OSError:
        raise Refused(_kind(entry), ".") from None
    try:
        st = os.fstat(top)
        _check(st, ".", uid, seen, limits)
        seen.files = 0  # the entry itself does not count
        _walk_fd(top, "", 1, uid, limits, seen, visit)
    finally:
        os.close(top)
    return seen


def _read_small(entry: Path, name: str, uid: int | None) -> str:
    """One short text file at the top of the entry, under the same rules, or ''."""
    try:
        fd = os.open(entry / name, _FILE)
    except OSError:
        return ""
    try:
        st = os.fstat(fd)
        if (
            not stat.S_ISREG(st.st_mode)
            or st.st_nlink > 1
            or (uid is not None and st.st_uid != uid)
        ):
            return ""
        text = os.read(fd, _SMALL).decode("utf-8", "replace").strip()
    finally:
        os.close(fd)
    return "" if _CONTROL.search(text) else text
