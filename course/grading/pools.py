"""Where submissions execute: local sandboxed worker processes, or tasks on a Dask cluster.

Runs in: the grader process (LocalPool, and the Dask client); `run_on_dask_worker` runs in a
Dask worker process. A worker is `python -m course.worker` started through
`course.sandbox.host.wrap_command`, spoken to with one JSON line per request (the protocol in
course.grading.protocol). Both pools take a Request and return a concurrent.futures.Future of
its Result; neither touches the gradebook.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import IO

from course.grading.protocol import Request, Result, error_result
from course.proc import kill_group, left_by_dead_run
from course.sandbox import host as sandbox
from course.sandbox.limits import Limits

SLACK_S = 60  # beyond the notebook limit, before a silent worker is declared hung
START_TIMEOUT_S = 120  # a worker's warm-up (imports) on a loaded machine
SCRATCH_PREFIX = "course-grade-"


def sweep_scratch() -> None:
    """Remove scratch folders of grading runs that no longer exist (e.g. after kill -9)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        if left_by_dead_run(folder.name, SCRATCH_PREFIX):
            shutil.rmtree(folder, ignore_errors=True)


class WorkerProcess:
    """One sandboxed worker; restarted if it dies. Not thread-safe: one caller at a time."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.proc: subprocess.Popen | None = None
        self.scratch: Path | None = None
        self.contexts: set[str] = set()  # autograde contexts this worker process holds

    def _slim(self, request: Request) -> Request:
        """The request without the autograde context's bulk once this process has it (the
        gradebook snapshot: ~100 KB; sent once per worker process, not per submission)."""
        context = request.get("autograde")
        if not context or context.get("key") not in self.contexts:
            return request
        slim = {k: v for k, v in context.items() if k not in ("config", "snapshot")}
        return {**request, "autograde": slim}

    def start(self) -> subprocess.Popen:
        # The pid in the name lets a later run remove what a killed run left (sweep_scratch).
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        self.contexts = set()
        argv = [sys.executable, "-m", "course.worker", "--scratch", str(self.scratch)]
        self.proc = proc = subprocess.Popen(
            sandbox.wrap_command(argv, self.scratch, self.limits),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=str(self.scratch),
            start_new_session=True,
        )
        hello = _readline(proc, START_TIMEOUT_S)
        if not hello or not json.loads(hello).get("ready"):
            self.stop()
            raise RuntimeError("grading worker failed to start (see its stderr above)")
        return proc

    def run(self, request: Request) -> Result:
        try:
            proc = self.proc if self.proc is not None and self.proc.poll() is None else self.start()
        except RuntimeError as exc:
            return error_result(request, str(exc))
        line = None
        try:
            _stdin(proc).write((json.dumps(self._slim(request)) + "\n").encode())
            _stdin(proc).flush()
            line = _readline(proc, self.limits.notebook_timeout_s + SLACK_S)
        except OSError:  # BrokenPipeError included: the worker is gone
            pass
        if not line:
            hung = proc.poll() is None
            self.stop()
            why = "hung" if hung else f"exited with code {proc.returncode}"
            return error_result(
                request, f"grading worker {why} while running this submission", retryable=True
            )
        received, cpu = time.time(), time.thread_time()
        result = json.loads(line)
        if "contexts" in result:  # what the worker holds now, whatever it held before
            self.contexts = set(result["contexts"])
        result["received_at"], result["parse_cpu"] = received, time.thread_time() - cpu
        return result

    def stop(self, grace_s: float = 0) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            if grace_s:  # end of input: the worker and its fork server exit on their own
                try:
                    _stdin(proc).close()
                    proc.wait(grace_s)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            if proc.poll() is None:
                if not kill_group(proc.pid):
                    proc.kill()
                proc.wait()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def _stdin(proc: subprocess.Popen) -> IO[bytes]:
    assert proc.stdin is not None  # started with stdin=PIPE
    return proc.stdin


def _readline(proc: subprocess.Popen, timeout: float) -> bytes | None:
    assert proc.stdout is not None  # started with stdout=PIPE
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline() if ready else None


class WorkerSet:
    """The workers of one pool: one per calling thread, started on first use, stopped together."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.stopping = threading.Event()  # set on abort: no new workers, no retries
        self._local = threading.local()
        self._all: list[WorkerProcess] = []
        self._lock = threading.Lock()

    def run(self, request: Request) -> Result:
        """Run one request on this thread's worker; a crashed or hung worker gets one retry."""
        if self.stopping.is_set():
            return error_result(request, "grading was interrupted")
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = self._local.worker = WorkerProcess(self.limits)
            with self._lock:
                self._all.append(worker)
        result = worker.run(request)
        if result.get("retryable") and not self.stopping.is_set():
            result = worker.run(request)  # on a fresh worker (run restarts a dead one)
        return result

    def stop_all(self, grace_s: float = 5) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop(grace_s)


class LocalPool:
    """N worker processes on this machine, each driven by one thread."""

    def __init__(self, workers: int, limits: Limits):
        self.limits, self.slots = limits, workers
        self.workers = WorkerSet(limits)
        sweep_scratch()
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="grade-worker")
        # Warm every worker now, while the main process sanitizes the first submissions.
        for _ in range(workers):
            self._executor.submit(self.workers.run, {"id": None})

    def submit(self, request: Request) -> Future:
        return self._executor.submit(self.workers.run, request)

    def close(self, abort: bool = False) -> None:
        if abort:  # Ctrl-C or an error: kill workers now rather than finish their notebooks
            self.workers.stopping.set()
            self.workers.stop_all(grace_s=0)
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.workers.stop_all()


# The workers of a Dask worker process live between tasks (one warm worker per Dask thread).
_DASK_WORKERS: dict[Limits, WorkerSet] = {}
_DASK_LOCK = threading.Lock()


def run_on_dask_worker(request: Request, limits: dict) -> Result:
    """A Dask task: run `request` on this Dask worker process's own sandboxed workers."""
    lim = Limits(**limits)
    with _DASK_LOCK:
        workers = _DASK_WORKERS.setdefault(lim, WorkerSet(lim))
    return workers.run(request)


class DaskPool:
    """Each submission is a task on an existing dask.distributed cluster."""

    def __init__(self, address: str, limits: Limits):
        from distributed import Client

        self.limits = limits
        self.client = Client(address, timeout=30)
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, request: Request) -> Future:
        fut = self.client.submit(
            run_on_dask_worker,
            request,
            asdict(self.limits),
            pure=False,
            key=f"grade-{request['id']}-{os.urandom(4).hex()}",
        )
        out: Future = Future()
        fut.add_done_callback(lambda f: _settle(out, f, request))
        return out

    def close(self, abort: bool = False) -> None:
        self.client.close()


def _settle(out: Future, fut, request: Request) -> None:
    try:
        result = fut.result()
        result["received_at"] = time.time()
        out.set_result(result)
    except Exception as exc:  # noqa: BLE001 - a lost task becomes a per-submission reason
        out.set_result(error_result(request, f"dask task failed: {type(exc).__name__}: {exc}"))
