"""Where submissions execute: local worker processes, or tasks on a Dask cluster.

A worker is `python -m course.worker` started through `course.sandbox.wrap_command`, spoken
to with one JSON line per request (see course.execute). Both pools take a request dict and
return a concurrent.futures.Future of the result dict; neither touches the gradebook.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from course import sandbox

REPO = Path(__file__).resolve().parent.parent
SLACK_S = 60  # beyond the notebook limit, before a silent worker is declared hung
SCRATCH_PREFIX = "course-grade-"


def sweep_scratch() -> None:
    """Remove scratch folders of grading runs that no longer exist (e.g. after kill -9)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        try:
            pid = int(folder.name[len(SCRATCH_PREFIX) :].split("-", 1)[0])
            os.kill(pid, 0)
        except ValueError:
            continue  # not ours
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # alive, someone else's


class WorkerProcess:
    """One sandboxed worker; restarted if it dies. Not thread-safe: one caller at a time."""

    def __init__(self, limits: sandbox.Limits):
        self.limits = limits
        self.proc: subprocess.Popen | None = None
        self.scratch: Path | None = None

    def start(self) -> None:
        # The pid in the name lets a later run remove what a killed run left (sweep_scratch).
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        argv = [sys.executable, "-m", "course.worker", "--scratch", str(self.scratch)]
        self.proc = subprocess.Popen(
            sandbox.wrap_command(argv, self.scratch, self.limits),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=str(self.scratch),
            start_new_session=True,
        )
        hello = self._readline(120)
        if not hello or not json.loads(hello).get("ready"):
            self.stop()
            raise RuntimeError("grading worker failed to start (see its stderr above)")

    def _readline(self, timeout: float) -> bytes | None:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        return self.proc.stdout.readline() if ready else None

    def run(self, request: dict) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
            line = self._readline(self.limits.notebook_timeout_s + SLACK_S)
        except (BrokenPipeError, OSError):
            line = None
        if not line:
            hung = self.proc.poll() is None
            self.stop()
            why = "hung" if hung else f"exited with code {self.proc.returncode}"
            return {
                "id": request.get("id"),
                "notebooks": {},
                "aborted": None,
                "error": f"grading worker {why} while running this submission",
            }
        return json.loads(line)

    def stop(self, grace_s: float = 0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            if grace_s:  # end of input: the worker and its fork server exit on their own
                try:
                    self.proc.stdin.close()
                    self.proc.wait(grace_s)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    self.proc.kill()
                self.proc.wait()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


_local = threading.local()
_STOPPING = threading.Event()  # set on abort: no new workers, no retries


def run_request(request: dict, limits: dict | None = None) -> dict:
    """Run one request on this thread's worker (started on first use). Used by both pools."""
    lim = sandbox.Limits(**(limits or {}))
    if _STOPPING.is_set():
        return {
            "id": request.get("id"),
            "notebooks": {},
            "aborted": None,
            "error": "grading was interrupted",
        }
    worker = getattr(_local, "worker", None)
    if worker is None or worker.limits != lim:
        if worker is not None:
            worker.stop()
        worker = _local.worker = WorkerProcess(lim)
        _ALL.append(worker)
    result = worker.run(request)
    if (result.get("error") or "").startswith("grading worker") and not _STOPPING.is_set():
        result = worker.run(request)  # a crashed worker gets one fresh retry
    return result


_ALL: list[WorkerProcess] = []


def stop_all(grace_s: float = 5) -> None:
    while _ALL:
        _ALL.pop().stop(grace_s)


class LocalPool:
    """N worker processes on this machine, each driven by one thread."""

    def __init__(self, workers: int, limits: sandbox.Limits):
        self.limits, self.slots = limits, workers
        _STOPPING.clear()
        sweep_scratch()
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="grade-worker")
        # Warm every worker now, while the main process sanitizes the first submissions.
        for _ in range(workers):
            self._executor.submit(self._warm)

    def _warm(self) -> None:
        run_request({"id": None}, _asdict(self.limits))

    def submit(self, request: dict) -> Future:
        return self._executor.submit(run_request, request, _asdict(self.limits))

    def close(self, abort: bool = False) -> None:
        if abort:  # Ctrl-C or an error: kill workers now rather than finish their notebooks
            _STOPPING.set()
            stop_all(grace_s=0)
        self._executor.shutdown(wait=True, cancel_futures=True)
        stop_all()


class DaskPool:
    """Each submission is a task on an existing dask.distributed cluster."""

    def __init__(self, address: str, limits: sandbox.Limits):
        from distributed import Client

        self.limits = limits
        self.client = Client(address, timeout=30)
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, request: dict) -> Future:
        fut = self.client.submit(
            run_request,
            request,
            _asdict(self.limits),
            pure=False,
            key=f"grade-{request['id']}-{os.urandom(4).hex()}",
        )
        out: Future = Future()
        fut.add_done_callback(lambda f: _settle(out, f))
        return out

    def close(self, abort: bool = False) -> None:
        self.client.close()


def _settle(out: Future, fut) -> None:
    try:
        out.set_result(fut.result())
    except Exception as exc:  # noqa: BLE001 - a lost task becomes a per-submission reason
        out.set_result(
            {
                "notebooks": {},
                "aborted": None,
                "error": f"dask task failed: {type(exc).__name__}: {exc}",
            }
        )


def _asdict(limits: sandbox.Limits) -> dict:
    from dataclasses import asdict

    return asdict(limits)
