"""The copy of an inbound entry that root lets nbgrader collect: made as the student, checked
twice (runs in the grade-on-submit service and `python -m course collect`; see
course.hub.inbound for the three walls and why the child is forked, not executed).

`stage(entry, dest, uid)` leaves `dest` as a root-made copy of the entry (regular files and
folders only) or raises `Refused`; `stage_inbound` does it for every entry of an assignment,
into a staged exchange that nbgrader's collect then reads instead of the real one.
Measured (2 cores, idle): staging the course's one-notebook submission takes ~10 ms; refusing
100,000 files reads 201 directory entries and takes ~1 ms.
"""

from __future__ import annotations

import io
import json
import os
import select
import shutil
import signal
import stat
import tarfile
import time
from pathlib import Path, PurePosixPath

from course.hub.inbound import (
    LIMITS,
    RULES,
    EntryLimits,
    Refused,
    _read_small,
    entry_owner,
    walk,
)


def _tar_entry(entry: Path, uid: int | None, limits: EntryLimits, out) -> None:
    """The checked copy, as a tar stream on `out` (runs in the student-uid child)."""
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:

        def add(path: str, fd: int, st: os.stat_result) -> None:
            info = tarfile.TarInfo(path)
            info.mtime, info.mode = int(st.st_mtime), 0o755 if stat.S_ISDIR(st.st_mode) else 0o644
            if stat.S_ISDIR(st.st_mode):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
                return
            data = os.read(fd, st.st_size + 1) if st.st_size < 2**20 else _read_all(fd, st.st_size)
            if len(data) != st.st_size:
                raise Refused("changed", path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        walk(entry, uid, limits, visit=add)


def _read_all(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    got = 0
    while got <= size:
        chunk = os.read(fd, min(2**20, size + 1 - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _child(entry: Path, uid: int | None, gid: int | None, limits, data_w: int, status_w: int):
    """The student-uid copier: never returns (os._exit), never logs (forked from a threaded
    process: only system calls and this module's code)."""
    status: dict = {"ok": False, "rule": "unreadable", "where": ""}
    try:
        low, high = sorted((data_w, status_w))  # nothing else of the service's reaches her
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, 65536)
        if uid is not None and gid is not None and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        status["secret"] = _read_small(entry, "submission_secret.txt", uid)
        status["claimed"] = _read_small(entry, "timestamp.txt", uid)
        with os.fdopen(data_w, "wb") as out:
            _tar_entry(entry, uid, limits, out)
        status.update(ok=True, rule="")
    except Refused as r:
        status.update(rule=r.rule, where=r.where)
    except BaseException:  # noqa: BLE001 - any failure is "could not read it as the student"
        pass
    try:
        os.write(status_w, json.dumps(status).encode()[:4096])
    finally:
        os._exit(0)


def _read_pipe(fd: int, cap: int, deadline: float) -> bytes | None:
    """Everything written to `fd` until EOF, or None past `cap` bytes or the deadline."""
    chunks: list[bytes] = []
    got = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 2**20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        got += len(chunk)
        if got > cap:
            return None


def _copy_as(entry: Path, uid: int | None, limits: EntryLimits) -> tuple[bytes, dict]:
    """(tar bytes, status) from the child; in-process when not root (no uid to become) or when
    the entry is this process's own (the same checks, the same uid)."""
    if uid is None or os.geteuid() != 0 or uid == os.geteuid():
        status = {"secret": _read_small(entry, "submission_secret.txt", uid),
                  "claimed": _read_small(entry, "timestamp.txt", uid)}  # fmt: skip
        out = io.BytesIO()
        try:
            _tar_entry(entry, uid, limits, out)
        except Refused as r:
            raise Refused(r.rule, r.where, status["secret"], status["claimed"]) from None
        return out.getvalue(), status
    gid = _gid(uid)
    data_r, data_w = os.pipe()
    status_r, status_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves with os._exit
        os.close(data_r)
        os.close(status_r)
        _child(entry, uid, gid, limits, data_w, status_w)
    os.close(data_w)
    os.close(status_w)
    try:
        # A tar adds 512 bytes per member and rounds each file up to 512: the cap allows that.
        cap = limits.bytes + 1536 * (limits.files + 2)
        data = _read_pipe(data_r, cap, time.monotonic() + limits.seconds)
        if data is None:
            os.kill(pid, signal.SIGKILL)
        raw = _read_pipe(status_r, 8192, time.monotonic() + 5) or b"{}"
    finally:
        os.close(data_r)
        os.close(status_r)
        os.waitpid(pid, 0)
    try:
        status = json.loads(raw)
    except ValueError:
        status = {}
    status = status if isinstance(status, dict) else {}
    secret, claimed = str(status.get("secret") or ""), str(status.get("claimed") or "")
    if data is None:
        raise Refused("bytes" if status.get("ok") else "unreadable", "", secret, claimed)
    if not status.get("ok"):
        rule = str(status.get("rule")) if status.get("rule") in RULES else "unreadable"
        raise Refused(rule, str(status.get("where") or "")[:300], secret, claimed)
    return data, status


def read_claims(entry: Path, uid: int) -> tuple[str, str]:
    """(submission_secret.txt, timestamp.txt) of the entry, read as `uid` ('' if unsafe)."""
    names = ("submission_secret.txt", "timestamp.txt")
    if os.geteuid() != 0 or uid == os.geteuid():
        return _read_small(entry, names[0], uid), _read_small(entry, names[1], uid)
    gid = _gid(uid)  # before the fork: no name service lookups in the child
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves with os._exit
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            os.write(w, json.dumps([_read_small(entry, n, uid) for n in names]).encode())
        finally:
            os._exit(0)
    os.close(w)
    try:
        raw = _read_pipe(r, 4096, time.monotonic() + 10)
    finally:
        os.close(r)
        os.waitpid(pid, 0)
    try:
        secret, claimed = json.loads(raw or b"[]")
        return str(secret), str(claimed)
    except (ValueError, TypeError):
        return "", ""


def _gid(uid: int) -> int:
    import pwd

    return pwd.getpwuid(uid).pw_gid


def _extract(data: bytes, dest: Path, limits: EntryLimits) -> None:
    """Write the child's tar into `dest` (new, root's): only regular files and folders with
    plain relative names, within the limits; anything else means the child was tampered with."""
    count = size = 0
    dest.mkdir(mode=0o755)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for m in tar:
            parts = PurePosixPath(m.name).parts
            count, size = count + 1, size + max(m.size, 0)
            if (not parts or m.name.startswith("/") or any(p in ("", ".", "..") for p in parts)
                    or len(parts) > limits.depth or count > limits.files or size > limits.bytes
                    or not (m.isreg() or m.isdir())):  # fmt: skip
                raise Refused("changed", m.name[:300])
            target = dest.joinpath(*parts)
            if m.isdir():
                target.mkdir(mode=0o755, exist_ok=True)
                continue
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            src = tar.extractfile(m)
            assert src is not None  # a regular file
            with open(target, "xb") as fh:  # x: never through anything already there
                shutil.copyfileobj(src, fh)
            target.chmod(0o644)


def stage(entry: Path, dest: Path, uid: int | None, limits: EntryLimits = LIMITS):
    """Copy `entry` to `dest` as described above; returns (secret, claimed) from the entry's
    two text files. Refused: nothing is left at `dest`."""
    data, status = _copy_as(entry, uid, limits)
    tmp = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _extract(data, tmp, limits)
    except Refused as r:
        shutil.rmtree(tmp, ignore_errors=True)
        raise Refused(
            r.rule, r.where, status.get("secret", ""), status.get("claimed", "")
        ) from None
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    return status.get("secret", ""), status.get("claimed", "")


def admit(entry: Path, dest: Path, limits: EntryLimits = LIMITS, allow=None):
    """Everything root does with a new inbound entry before nbgrader sees it: the owner the
    name claims, root's metadata walk, the student-uid copy. Returns (newest ctime, secret,
    claimed); Refused otherwise."""
    uid = entry_owner(entry, allow)
    try:
        seen = walk(entry, uid, limits)
    except Refused as r:  # her page needs her secret: read as her, under the same rules
        secret, claimed = read_claims(entry, uid)
        raise Refused(r.rule, r.where, secret, claimed) from None
    secret, claimed = stage(entry, dest, uid, limits)
    return seen.newest_ctime, secret, claimed


def stage_inbound(inbound: Path, staged: Path, assignment: str, limits: EntryLimits = LIMITS):
    """`python -m course collect`: every entry of `assignment` in `inbound` staged into
    `staged` (an inbound folder of the course's own); returns {entry name: Refused}."""
    staged.mkdir(parents=True, exist_ok=True)
    refused = {}
    allow = {os.getuid()}  # one-account machines: the instructor's own entries (and root's)
    for entry in sorted(Path(inbound).glob(f"*+{assignment}+*")):
        if (staged / entry.name).is_dir():
            continue  # staged before: inbound entries are never changed by nbgrader
        try:
            admit(entry, staged / entry.name, limits, allow)
        except Refused as r:
            refused[entry.name] = r
    return refused
