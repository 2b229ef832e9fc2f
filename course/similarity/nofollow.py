"""Reading and copying student folders without ever following a link.

Runs in: the CLI process (`python -m course similarity` and `python -m course archive`), often as
the instructor or root, over folders students wrote. Every path component below the trusted
base is opened relative to its parent's descriptor with O_NOFOLLOW, so a link anywhere (the
student's folder, the assignment folder, the notebook) is refused instead of followed, and a
link swapped in between a check and the open cannot redirect the read. O_NONBLOCK keeps a FIFO
planted as `exercises.ipynb` from hanging the run; fstat then refuses anything not regular.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

MAX_BYTES = 20 * 2**20  # the grader's own notebook limit (course.grading.submissions)

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Refused(OSError):
    """A path that is a link, not a regular file or directory, or too large."""


def _open_dir(base: Path, parts: tuple[str, ...]) -> int:
    fd = os.open(base, _DIR)
    try:
        for part in parts:
            nxt = os.open(part, _DIR, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except OSError as exc:
        os.close(fd)
        raise Refused(f"{'/'.join(parts)} is not a plain folder ({exc.strerror})") from None
    return fd


def open_file(base: Path, *parts: str, limit: int = MAX_BYTES) -> BinaryIO:
    """base/parts... opened for reading, where no component after `base` may be a link and
    the file must be regular and at most `limit` bytes."""
    *folders, name = parts
    dfd = _open_dir(base, tuple(folders))
    try:
        try:
            fd = os.open(name, _FILE, dir_fd=dfd)
        except OSError as exc:
            raise Refused(f"{name}: {exc.strerror} (links are never followed)") from None
    finally:
        os.close(dfd)
    fh = os.fdopen(fd, "rb")
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        fh.close()
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{name} is not a regular file")
        raise Refused(f"{name} is {info.st_size / 2**20:.1f} MB (limit {limit / 2**20:.0f} MB)")
    return fh


def read_bytes(base: Path, *parts: str, limit: int = MAX_BYTES) -> bytes:
    with open_file(base, *parts, limit=limit) as fh:
        return fh.read(limit + 1)[:limit]


def list_dirs(base: Path, *parts: str) -> list[str]:
    """Names of the plain (not linked) subfolders of base/parts..., sorted; [] if absent."""
    try:
        fd = _open_dir(base, parts)
    except (Refused, FileNotFoundError):
        return []
    try:
        with os.scandir(fd) as entries:
            return sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
    finally:
        os.close(fd)


def copy_tree(src: Path, dst: Path) -> tuple[int, list[str]]:
    """Copy the folder src to the new folder dst: regular files and folders only.

    Returns (files copied, what was skipped: links, FIFOs, sockets, devices, unreadable files,
    each as "relative/path (why)"). dst must not exist yet (nothing already saved is replaced).
    """
    dst.mkdir(parents=True)
    copied, skipped = 0, []
    for rel, kind in _walk(src, ()):
        where = dst.joinpath(*rel)
        if kind == "dir":
            where.mkdir()
        elif kind == "file":
            try:
                source = open_file(src, *rel, limit=2**62)
            except OSError as exc:
                skipped.append(f"{'/'.join(rel)} ({exc})")
                continue
            with source, open(where, "xb") as fh:
                shutil.copyfileobj(source, fh)
            copied += 1
        else:
            skipped.append(f"{'/'.join(rel)} ({kind}, not copied)")
    return copied, skipped


def _walk(base: Path, parts: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    fd = _open_dir(base, parts)
    try:
        with os.scandir(fd) as it:
            entries = sorted(it, key=lambda e: e.name)
        kinds = [(e.name, _kind(e)) for e in entries]
    finally:
        os.close(fd)
    for name, kind in kinds:
        yield (*parts, name), kind
        if kind == "dir":
            yield from _walk(base, (*parts, name))


def _kind(entry: os.DirEntry) -> str:
    if entry.is_symlink():
        return "a link"
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    if entry.is_file(follow_symlinks=False):
        return "file"
    return "not a regular file"
