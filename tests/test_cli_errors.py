"""`python -m course`: an expected failure is one line on stderr and its exit code."""

from __future__ import annotations

import os
import subprocess

from course.cli import main
from course.proc import left_by_dead_run


def test_refused_release_is_one_line_and_exit_2(tmp_path, capsys):
    # No course.toml: every verb stops at the course file, naming it.
    assert main(["--course", str(tmp_path), "release"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"course file: {tmp_path / 'course.toml'}: no course file")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_scratch_of_a_dead_run_is_recognised_and_a_live_one_is_kept():
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert left_by_dead_run(f"course-grade-{dead.pid}-abc", "course-grade-")
    assert not left_by_dead_run(f"course-grade-{os.getpid()}-abc", "course-grade-")
    assert not left_by_dead_run("course-grade-notapid-abc", "course-grade-")
    assert not left_by_dead_run("something-else", "course-grade-")
