"""A warm parent that forks one fresh IPython kernel process per submission.

`nbgrader autograde` spends ~2.5 s of every submission starting Python, ipykernel, numpy,
matplotlib and seaborn. This process pays that once: it imports them, then serves "spawn"
requests by forking a child that becomes a real ipykernel (IPKernelApp) on the connection
file the driver wrote. Each child is a fresh process (own memory, own process group),
confined by `course.sandbox.kernel.confine_child` before any student code runs.

Runs in: the fork server process (started by the worker through `ForkServer`), and, after
fork(), `_become_kernel` in the student's kernel. What is imported and drawn before forking
is in course.worker.warmup.

It must stay fork-safe: no threads and no ZMQ context are ever created in this process
(the child creates its own after fork). It is driven over stdin/stdout, one JSON object a line:
  {"op": "spawn", "argv": [...], "cwd": str, "env": {...}, "limits": {...}} -> {"pid": int}
  {"op": "poll", "pid": int} -> {"status": null | {"exitcode": int | null, "signal": int | null}}
  {"op": "warm", "sources": [str, ...], "helpers": str} -> {"added": int}
      (course.worker.sourcecache; the check helpers: course.integrity.guard.precompile)
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
from dataclasses import asdict
from typing import IO

from course.integrity import guard
from course.paths import REPO
from course.proc import kill_group
from course.worker import sourcecache
from course.worker.warmup import warm_up

# sys.path[0] is where this module was started from (the repo); a launched kernel does not
# see it (ipykernel_launcher drops it), so neither does a forked one.
_KERNEL_SYS_PATH = list(sys.path[1:])


def _become_kernel(argv: list[str], cwd: str, env: dict, limits: dict, ready_fd: int) -> None:
    """In the forked child: confine, reset inherited state, run IPKernelApp. Never returns."""
    code = 1
    try:
        os.setsid()
        # Close the server's protocol pipes (and anything else inherited) but the ready pipe.
        os.closerange(3, ready_fd)
        os.closerange(ready_fd + 1, os.sysconf("SC_OPEN_MAX"))
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        sys.stdin = open(os.devnull)  # noqa: SIM115
        sys.stdout = sys.__stdout__ = open(os.devnull, "w")  # type: ignore[misc]  # noqa: SIM115
        sys.stderr = sys.__stderr__ = open(os.devnull, "w")  # type: ignore[misc]  # noqa: SIM115
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(
                sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL
            )
        from course.sandbox.kernel import confine_child
        from course.sandbox.limits import Limits

        confine_child(Limits(**limits))
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        # A fresh kernel draws fresh seeds; forked children would otherwise share the parent's.
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        sys.path[:] = _KERNEL_SYS_PATH
        for name in [m for m in sys.modules if m == "course" or m.startswith("course.")]:
            del sys.modules[name]
        sys.argv = [
            os.path.join(
                os.path.dirname(sys.modules["ipykernel"].__file__ or ""),
                "..",
                "ipykernel_launcher.py",
            ),
            *argv,
        ]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(argv)
        _quiet_debug_records(app.log)
        # Sockets are bound: clients that connect now need no ZMQ reconnect (100 ms each).
        os.write(ready_fd, b"1")
        os.close(ready_fd)
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        # Skip the parent's atexit handlers and buffered I/O: they belong to the fork server.
        os._exit(code)


def _quiet_debug_records(log) -> None:
    """ipykernel's logger is at DEBUG but its only handler drops what is under WARNING, so it
    builds and discards ~10 records per cell (~9 ms of a submission, py-spy 2026-11-28).
    Raising the logger to its handlers' level drops them earlier; what is logged is the same."""
    handlers = getattr(log, "handlers", None)
    if isinstance(log, logging.Logger) and handlers and not log.propagate:
        log.setLevel(max(log.level, min(h.level for h in handlers)))


START_TIMEOUT_S = 60


def _wait_ready(fd: int, timeout: float) -> bool:
    """True once the child reports its sockets bound; False if it died or took too long."""
    import select

    try:
        readable, _, _ = select.select([fd], [], [], timeout)
        return bool(readable) and os.read(fd, 1) == b"1"
    finally:
        os.close(fd)


def _status(pid: int, finished: dict[int, dict]) -> dict | None:
    if pid in finished:
        return finished[pid]
    try:
        got, raw = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return finished.setdefault(pid, {"exitcode": None, "signal": None})
    if got == 0:
        return None
    finished[pid] = {
        "exitcode": os.WEXITSTATUS(raw) if os.WIFEXITED(raw) else None,
        "signal": os.WTERMSIG(raw) if os.WIFSIGNALED(raw) else None,
    }
    return finished[pid]


def serve(inp, out) -> None:
    finished: dict[int, dict] = {}
    for line in inp:
        req = json.loads(line)
        if req["op"] == "spawn":
            ready_r, ready_w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(ready_r)
                _become_kernel(
                    req["argv"], req["cwd"], req.get("env", {}), req.get("limits", {}), ready_w
                )
            os.close(ready_w)
            reply: dict[str, object] = {"pid": pid, "ready": _wait_ready(ready_r, START_TIMEOUT_S)}
        elif req["op"] == "poll":
            reply = {"status": _status(req["pid"], finished)}
        elif req["op"] == "warm":  # only a speed-up: whatever goes wrong, kernels still work
            try:
                guard.precompile(req.get("helpers") or "")
                reply = {"added": sourcecache.warm(req.get("sources") or [])}
            except Exception as exc:  # noqa: BLE001
                reply = {"added": 0, "error": f"{type(exc).__name__}: {exc}"[:200]}
        else:
            reply = {"error": f"unknown op {req['op']!r}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()
        # Forget statuses of long-gone kernels; one submission at a time needs only a few.
        while len(finished) > 64:
            finished.pop(next(iter(finished)))


class ForkServer:
    """Client side: starts this module as a server; requests are serialized by a lock."""

    def __init__(self, limits, python: str = sys.executable):
        """Starts the server; it warms up while the caller does other work (see `ready`)."""
        self.limits = limits
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            [python, "-m", "course.worker.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=REPO,
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None  # PIPEs
        self._stdin: IO[str] = self._proc.stdin
        self._stdout: IO[str] = self._proc.stdout
        self._ready = False
        self._warmed: set[str] = set()

    def ready(self) -> None:
        if not self._ready:
            if not self._stdout.readline():
                raise RuntimeError("fork server failed to start (see stderr above)")
            self._ready = True

    def _ask(self, req: dict) -> dict:
        self.ready()
        with self._lock:
            self._stdin.write(json.dumps(req) + "\n")
            self._stdin.flush()
            line = self._stdout.readline()
        if not line:
            raise RuntimeError("fork server died")
        return json.loads(line)

    def spawn(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        """Fork a kernel; returns its pid once its sockets are bound."""
        reply = self._ask(
            {"op": "spawn", "argv": argv, "cwd": cwd, "env": env, "limits": asdict(self.limits)}
        )
        if not reply["ready"]:
            kill_group(reply["pid"])
            self.status(reply["pid"])  # reap it
            raise RuntimeError("the forked kernel failed to start")
        return reply["pid"]

    def status(self, pid: int) -> dict | None:
        return self._ask({"op": "poll", "pid": pid})["status"]

    def warm(self, sources: list[str], helpers: str = "") -> None:
        """Let every later kernel skip the source-text work for `sources` (sourcecache) and
        compiling `helpers` (the guard's trusted check helpers). Each text is sent once."""
        new = [s for s in dict.fromkeys(sources) if s not in self._warmed]
        if helpers in self._warmed:
            helpers = ""
        if new or helpers:
            self._ask({"op": "warm", "sources": new, "helpers": helpers})
            self._warmed.update([*new, helpers])

    def close(self) -> None:
        if self._proc.poll() is None:
            self._stdin.close()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def main() -> None:
    warm_up()
    # Ctrl-C in the terminal reaches the whole process group; the driver decides what to do.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # stray prints from imports must not corrupt the protocol
    sys.stdout.write("")
    out.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    out.flush()
    serve(sys.stdin, out)


if __name__ == "__main__":
    main()
