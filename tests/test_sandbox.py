"""Real bubblewrap confinement: a worker started by wrap_command forks a "kernel" that confines
itself as course.forkserver's children do, then tries to get out. Nothing is mocked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course.paths import REPO
from course.sandbox import host as sandbox
from course.sandbox.limits import Limits

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(not sandbox.available(), reason="bubblewrap sandbox unavailable"),
]

# Runs inside the sandbox as the worker; forks the child, which confines itself exactly as a
# forked kernel does (confine_child, then the uid drop IPKernelApp.start would do) and probes.
PROBE = textwrap.dedent("""
    import json, os, socket, sys
    from course.paths import REPO
    from course.sandbox.kernel import confine_child, drop_to_kernel_uid
    from course.sandbox.limits import SCRATCH_ENV, Limits
    limits = Limits(**json.loads(sys.argv[1]))
    run = os.path.join(os.environ[SCRATCH_ENV], "run-probe")
    os.makedirs(run, mode=0o700)
    os.chdir(run)
    r, w = os.pipe()
    if os.fork() == 0:
        confine_child(limits)
        drop_to_kernel_uid()
        out = {"uid": os.getuid(), "parent": os.getppid()}
        def attempt(name, fn):
            try:
                out[name] = "ok: " + repr(fn())[:100]
            except BaseException as exc:
                out[name] = type(exc).__name__
        for i, path in enumerate(sys.argv[2:]):
            attempt(f"read{i}", lambda: open(path, "rb").read(10))
        attempt("write_run_dir", lambda: open("mine.txt", "w").write("fine"))
        attempt("write_scratch", lambda: open("../theirs.txt", "w").write("no"))
        attempt("write_tmp", lambda: open("/tmp/x", "w").write("no"))
        attempt("write_course_pkg", lambda: open(REPO / "course" / "x.py", "w"))
        attempt("network", lambda: socket.create_connection(("151.101.0.223", 443), timeout=3))
        attempt("memory", lambda: len(bytearray((limits.memory_mb + 64) * 2**20)))
        attempt("signal_worker", lambda: os.kill(out["parent"], 0))
        attempt("worker_fds", lambda: os.listdir(f"/proc/{out['parent']}/fd"))
        attempt("regain_root", lambda: os.setuid(0))
        def forks():
            n = 0
            while n < 500:
                if os.fork() == 0:
                    os.close(w)  # or the worker's read below waits for every sleeper
                    import time; time.sleep(30); os._exit(0)
                n += 1
            return n
        attempt("fork_bomb", forks)
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    print(data.decode())
""")


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    secret = outside / "secret.txt"
    secret.write_text("instructor only")
    scratch = tmp_path_factory.mktemp("scratch")
    limits = Limits(memory_mb=1024, max_procs=32)
    targets = [
        secret,
        REPO / "gradebook.db",
        REPO / "source" / "embedding_space_math" / "exercises.ipynb",
        Path.home() / ".bash_history",
    ]
    cmd = sandbox.wrap_command(
        [sys.executable, "-c", PROBE, json.dumps(limits.__dict__), *map(str, targets)],
        scratch,
        limits,
    )
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), scratch


def test_files_outside_the_sandbox_are_invisible(probe):
    out, _ = probe
    assert [out[f"read{i}"] for i in range(4)] == ["FileNotFoundError"] * 4


def test_the_kernel_writes_only_its_own_run_directory(probe):
    out, scratch = probe
    assert out["write_run_dir"].startswith("ok")
    assert (out["write_scratch"], out["write_tmp"]) == ("PermissionError", "PermissionError")
    assert out["write_course_pkg"] in ("PermissionError", "OSError")
    assert not (REPO / "course" / "x.py").exists()


def test_no_network(probe):
    assert probe[0]["network"] == "OSError"


def test_kernel_runs_as_an_unprivileged_uid_of_its_own(probe):
    out, _ = probe
    assert out["uid"] >= sandbox.KERNEL_UID_BASE
    assert out["regain_root"] == "PermissionError"
    assert out["signal_worker"] == "PermissionError"  # cannot kill or forge the worker
    assert out["worker_fds"] == "PermissionError"  # cannot write the worker's result pipe


def test_memory_and_process_limits_hold(probe):
    out, _ = probe
    assert out["memory"] == "MemoryError"
    assert out["fork_bomb"] == "BlockingIOError"


def test_unavailable_sandbox_warns_loudly_once_and_still_runs(tmp_path):
    code = (
        "from course.sandbox import host as sandbox; import sys; "
        "a = sandbox.wrap_command(['true'], sys.argv[1]); "
        "b = sandbox.wrap_command(['true'], sys.argv[1]); print(a == b == ['true'])"
    )
    env = dict(os.environ, COURSE_SANDBOX="off")
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert proc.stdout.strip() == "True"
    assert proc.stderr.count("WITHOUT a sandbox") == 1


HOGS = textwrap.dedent("""
    import os, time
    pids = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            hog = b"\\x01" * (300 * 2**20)  # touched, so really resident
            time.sleep(3)
            os._exit(0)
        pids.append(pid)
    print(sorted(os.WTERMSIG(s) if os.WIFSIGNALED(s) else 0
                 for s in (os.waitpid(p, 0)[1] for p in pids)))
""")


@pytest.mark.skipif(sandbox._memory_cgroup(64) is None, reason="no writable memory cgroup")
def test_memory_cgroup_caps_the_sum_of_a_fork_bomb_of_hogs(tmp_path):
    limits = Limits(memory_mb=512, total_memory_mb=700)
    cmd = sandbox.wrap_command([sys.executable, "-c", HOGS], tmp_path, limits)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    killed = json.loads(proc.stdout)
    assert 9 in killed and 0 in killed  # the OOM killer took some hogs, not everything
