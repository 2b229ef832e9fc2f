"""The walker and copier root uses on inbound entries (course.hub.inbound, course.hub.staging),
on real symbolic links, hard links, FIFOs, sparse files and many files in tmp folders. Unit
tier: no hub, no accounts (the student-uid copy is checked as `nobody` when run as root)."""

from __future__ import annotations

import os
import pwd
import tempfile
import time
from pathlib import Path

import pytest

from course.hub.inbound import LIMITS, EntryLimits, Refused, entry_owner, parse_entry_name, walk
from course.hub.staging import admit, stage, stage_inbound

ME = os.getuid()
NAME = "{}+a1+2026-12-01 10:00:00.000001 UTC+Ab9_-x"


def entry(tmp_path: Path, user: str | None = None) -> Path:
    user = user or pwd.getpwuid(ME).pw_name
    e = tmp_path / "inbound" / NAME.format(user)
    e.mkdir(parents=True)
    (e / "exercises.ipynb").write_text('{"cells": []}')
    (e / "timestamp.txt").write_text("2026-12-01 10:00:00.000001 UTC")
    (e / "submission_secret.txt").write_text("s3cret")
    return e


def refused(e: Path, rule: str, limits: EntryLimits = LIMITS, uid: int | None = ME) -> str:
    with pytest.raises(Refused) as err:
        walk(e, uid, limits)
    assert err.value.rule == rule, err.value
    t0 = time.monotonic()
    with pytest.raises(Refused) as err2:  # the copy refuses too, and leaves nothing behind
        stage(e, e.parent / "staged", uid, limits)
    assert err2.value.rule == rule and not (e.parent / "staged").exists()
    assert time.monotonic() - t0 < 5
    return err.value.reason


def test_a_plain_entry_is_copied_with_its_secret_and_claim(tmp_path):
    e = entry(tmp_path)
    (e / "data").mkdir()
    (e / "data" / "x.csv").write_text("1,2\n")
    seen = walk(e, ME)
    assert sorted(seen.paths) == sorted(
        ["data", "data/x.csv", "exercises.ipynb", "timestamp.txt", "submission_secret.txt"]
    )
    assert seen.bytes == sum(p.stat().st_size for p in e.rglob("*") if p.is_file())
    dest = tmp_path / "staged"
    assert stage(e, dest, ME) == ("s3cret", "2026-12-01 10:00:00.000001 UTC")
    assert (dest / "data" / "x.csv").read_text() == "1,2\n"
    assert (dest / "exercises.ipynb").read_text() == '{"cells": []}'


@pytest.mark.parametrize("target", ["/etc/passwd", "/etc", "exercises.ipynb"])
def test_symbolic_links_are_refused_whatever_they_point_at(tmp_path, target):
    e = entry(tmp_path)
    (e / "link").symlink_to(target)
    reason = refused(e, "symlink")
    assert "symbolic link" in reason and "'link'" in reason
    assert "root:" not in reason  # never a byte of what it points at
    with pytest.raises(Refused) as err:  # her page is found under her own secret
        admit(e, e.parent / "staged")
    assert (err.value.rule, err.value.secret) == ("symlink", "s3cret")


def test_the_entry_itself_as_a_link_is_refused(tmp_path):
    real = entry(tmp_path)
    link = real.with_name(real.name.replace("Ab9_-x", "Zz1"))
    os.symlink(real, link)
    with pytest.raises(Refused, match="symbolic link"):
        entry_owner(Path(link))
    with pytest.raises(Refused, match="symbolic link"):
        walk(Path(link), ME)


def test_hard_links_fifos_and_sockets_are_refused_without_hanging(tmp_path):
    e = entry(tmp_path)
    os.link(e / "exercises.ipynb", tmp_path / "second-name")
    assert "hard link" in refused(e, "hardlink")
    (tmp_path / "second-name").unlink()
    os.mkfifo(e / "pipe.ipynb")  # opening it for reading would block forever
    assert "FIFO" in refused(e, "special")
    (e / "pipe.ipynb").unlink()
    import socket

    here = os.getcwd()
    os.chdir(e)  # a socket's path must be short: bind it relative to the entry
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.bind("sock")
            refused(e, "special")
    finally:
        os.chdir(here)


def test_limits_on_size_count_depth_and_names(tmp_path):
    e = entry(tmp_path)
    with open(e / "big.ipynb", "wb") as fh:  # 10 GB, sparse: nothing is read to refuse it
        fh.truncate(10 * 2**30)
    refused(e, "bytes")
    (e / "big.ipynb").unlink()
    many = e / "many"
    many.mkdir()
    for i in range(300):
        (many / str(i)).touch()
    refused(e, "files")
    for p in many.iterdir():
        p.unlink()
    deep = many
    for _ in range(10):
        deep = deep / "d"
    deep.mkdir(parents=True)
    refused(e, "depth")
    import shutil

    shutil.rmtree(many)
    (e / "new\nline").touch()
    refused(e, "control")


def test_files_of_another_owner_are_refused(tmp_path):
    e = entry(tmp_path)
    with pytest.raises(Refused) as err:  # the copy as that uid: see the last test
        walk(e, ME + 1)
    assert err.value.rule == "owner"


def test_entry_names_must_be_what_nbgrader_submit_makes():
    assert parse_entry_name(NAME.format("ada")) == ("ada", "a1")
    for bad in ("ada+a1+x", "Ada!+a1+2026-12-01 10:00:00 UTC+r", "ada+a1+not a time+r",
                "ada+../x+2026-12-01 10:00:00 UTC+r", "ada+a1+2026-12-01 10:00:00 UTC+r\n"):  # fmt: skip
        with pytest.raises(Refused) as err:
            parse_entry_name(bad)
        assert err.value.rule == "name"


def test_stage_inbound_stages_the_good_and_names_the_refused(tmp_path):
    good = entry(tmp_path)
    bad = good.with_name(good.name.replace("Ab9_-x", "other"))
    bad.mkdir()
    (bad / "exercises.ipynb").symlink_to("/etc/shadow")
    refusals = stage_inbound(good.parent, tmp_path / "staged", "a1")
    assert list(refusals) == [bad.name] and refusals[bad.name].rule == "symlink"
    assert (tmp_path / "staged" / good.name / "exercises.ipynb").is_file()
    assert not (tmp_path / "staged" / bad.name).exists()


@pytest.mark.skipif(ME != 0, reason="becoming another uid needs root")
def test_as_root_the_copy_is_made_as_the_student_whom_the_kernel_stops():
    nobody = pwd.getpwnam("nobody")
    top = Path(tempfile.mkdtemp(prefix="inbound-unit-", dir="/tmp"))
    try:
        top.chmod(0o755)
        e = top / NAME.format("nobody")
        e.mkdir()
        (e / "exercises.ipynb").write_text("{}")
        (e / "secret.txt").write_text("root only")
        for p in (e, e / "exercises.ipynb", e / "secret.txt"):
            os.chown(p, nobody.pw_uid, nobody.pw_gid)
        assert admit(e, top / "ok")[0] > 0  # control: nobody can read her own files
        (e / "secret.txt").chmod(0o000)  # hers, but unreadable to her: root would read it
        with pytest.raises(Refused) as err:
            admit(e, top / "no")
        assert err.value.rule == "unreadable" and not (top / "no").exists()
        os.chown(e / "secret.txt", 0, 0)
        with pytest.raises(Refused, match="not owned"):
            admit(e, top / "no")
    finally:
        import shutil

        shutil.rmtree(top)


@pytest.mark.skipif(ME != 0, reason="the exchange layout has root and another owner")
def test_exchange_layout_is_checked_and_the_service_refuses_a_rearranged_one(tmp_path, caplog):
    import stat

    from course.hub.layout import after_release, before_release, check_exchange

    grader = "nobody"
    exchange = tmp_path / "exchange"
    assert before_release(exchange, "c1", grader) == []
    for sub in ("outbound/a1", "inbound"):
        (exchange / "c1" / sub).mkdir(parents=True)  # as nbgrader's release makes them
    (exchange / "c1" / "outbound" / "a1" / "exercises.ipynb").write_text("{}")
    after_release(exchange, "c1", grader)
    assert check_exchange(exchange, "c1", grader) == []
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o1777
    assert stat.S_IMODE((exchange / "c1" / "inbound").stat().st_mode) == 0o3733
    # What a student did to the old 0777 exchange: the course folder replaced by her own.
    os.rename(exchange / "c1", exchange / "c1-old")
    (exchange / "c1").mkdir()
    os.chown(exchange / "c1", 1, 1)  # not root's, not the grader's
    problems = check_exchange(exchange, "c1", grader)
    named = f"{exchange / 'c1'}: owned by {pwd.getpwuid(1).pw_name}, expected nobody"
    assert problems[0] == named  # (then: its outbound/, inbound/, feedback/ are missing)
    assert before_release(exchange, "c1", grader) == [named]  # never chowned back
    exchange.chmod(0o777)
    assert f"{exchange}: mode 0777, expected 1777" in check_exchange(exchange, "c1", grader)
    from argparse import Namespace

    from course.hub.cli import run_grader

    args = Namespace(course=tmp_path, exchange=exchange, course_id="c1", grader_user=grader,
                     per_hour=1, poll=1.0)  # fmt: skip
    with caplog.at_level("ERROR"):
        assert run_grader(args) == 1  # before it watches anything
    assert f"{exchange}: mode 0777" in caplog.text
