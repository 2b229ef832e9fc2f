"""`python -m course`: an expected failure is one line on stderr and its exit code."""

from __future__ import annotations

import os
import subprocess

from course.__main__ import main
from course.proc import left_by_dead_run


def test_refused_release_is_one_line_and_exit_1(tmp_path, capsys):
    assert main(["--course", str(tmp_path), "release"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("release refused: ") and "no such instructor notebook" in err
    assert "Traceback" not in err


def test_scratch_of_a_dead_run_is_recognised_and_a_live_one_is_kept():
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert left_by_dead_run(f"course-grade-{dead.pid}-abc", "course-grade-")
    assert not left_by_dead_run(f"course-grade-{os.getpid()}-abc", "course-grade-")
    assert not left_by_dead_run("course-grade-notapid-abc", "course-grade-")
    assert not left_by_dead_run("something-else", "course-grade-")
