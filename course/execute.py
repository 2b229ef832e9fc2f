"""One submission's execution: run a sanitized notebook exactly as `nbgrader autograde` would.

The notebook is executed by nbgrader's own `Execute` preprocessor (same per-cell timeout,
interrupt-on-timeout, allow_errors, error recording), only its kernel is forked from a warm
parent (course.forkkernel) instead of spawned. `handle` serves one request of the worker
protocol (course.worker); the notebooks travel in the message, so a worker confined by
course.sandbox needs no view of the course directory.

Request: {"id", "notebooks": {name: notebook text}, "files": {relpath: base64},
          "execute": {Execute traits}, "limits": {Limits fields}, "before_test_cell": str|null}
          (no "notebooks": a ping, answered at once; used to warm workers up)
Result:  {"id", "notebooks": {name: nbjson}, "aborted": reason | null, "error": reason | null,
          "seconds": float}
  aborted: the kernel died or hit a limit; cells from that point carry an error output, so
           they score 0 and the points earned before stand.
  error:   nothing could be executed (no kernel); the submission is not graded.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from nbgrader import utils as nbutils
from nbgrader.preprocessors import Execute

from course import integrity, sandbox
from course.forkkernel import ForkKernelManager
from course.nb import Delimiters

ABORT_ENAME = "GradingAborted"


class GradedExecute(Execute):
    """nbgrader's Execute plus: a silent hook before each test cell, and a record of progress."""

    before_test_cell: str | None = None
    monitor: integrity.Monitor | None = None  # trusted checks around each test cell
    max_output_bytes: int = 0
    cells_done: int = 0
    output_bytes: int = 0
    abort_reason: str | None = None
    last_km = None

    def create_kernel_manager(self):
        self.last_km = super().create_kernel_manager()
        return self.last_km

    def preprocess_cell(self, cell, resources, index):
        test = integrity.is_test_cell(cell)
        if self.before_test_cell and test:
            self.wait_for_reply(
                self.kc.execute(
                    self.before_test_cell, silent=True, store_history=False, stop_on_error=False
                )
            )
        if self.monitor and test:
            self.monitor.before(self, cell)
        result = super().preprocess_cell(cell, resources, index)
        if self.monitor and test:
            self.monitor.after(self, cell)
        self.cells_done = index + 1
        return result

    def output(self, outs, msg, display_id, cell_index):
        # An output flood would exhaust the worker's memory before LimitOutput ever sees it.
        self.output_bytes += len(json.dumps(msg.get("content", {})))
        if self.max_output_bytes and self.output_bytes > self.max_output_bytes:
            if self.abort_reason is None:
                self.abort_reason = f"output exceeded {self.max_output_bytes} bytes"
                kill_kernel(self)
            return None
        return super().output(outs, msg, display_id, cell_index)


def _forked(ex: GradedExecute):
    """The kernel process of this run (nbclient drops its kernel manager when it cleans up)."""
    return getattr(ex.last_km, "forked", None)


def kill_kernel(ex: GradedExecute) -> None:
    proc = _forked(ex)
    if proc is not None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _death_reason(ex: GradedExecute) -> str:
    proc = _forked(ex)
    if proc is not None:
        proc.poll()
    status = getattr(proc, "exit", None) or {}
    if status.get("signal"):
        name = signal.Signals(status["signal"]).name
        hint = " (memory limit?)" if status["signal"] == signal.SIGKILL else ""
        return f"kernel died: killed by {name}{hint}"
    if status.get("exitcode") is not None:
        return f"kernel died: exited with code {status['exitcode']}"
    return "kernel died"


def _abort_rest(nb, start: int, reason: str) -> None:
    """Cells from `start` did not finish: give each code cell an error so it cannot score."""
    for cell in nb.cells[start:]:
        if cell.cell_type == "code" and cell.source.strip():
            cell.setdefault("outputs", []).append(
                nbformat.v4.new_output(
                    "error",
                    ename=ABORT_ENAME,
                    evalue=reason,
                    traceback=[f"{ABORT_ENAME}: {reason}"],
                )
            )


def execute_notebook(
    nb,
    workdir: Path,
    *,
    execute_config: dict | None = None,
    limits: sandbox.Limits = sandbox.Limits(),
    before_test_cell: str | None = None,
    monitor: integrity.Monitor | None = None,
) -> tuple[object, str | None]:
    """Execute `nb` in place with a forked kernel, cwd `workdir`. Returns (nb, abort reason)."""
    # Every kernel is thrown away after one notebook, so it is killed, not asked to shut down.
    ex = GradedExecute(
        kernel_manager_class=ForkKernelManager,
        shutdown_kernel="immediate",
        **(execute_config or {}),
    )
    ex.before_test_cell = before_test_cell
    ex.monitor = monitor
    ex.max_output_bytes = limits.max_output_bytes
    if ForkKernelManager.server is not None:
        ForkKernelManager.server.limits = limits
    watchdog = threading.Timer(limits.notebook_timeout_s, _overtime, (ex, limits))
    watchdog.daemon = True
    watchdog.start()
    try:
        with nbutils.setenv(NBGRADER_EXECUTION="autograde"):
            ex.preprocess(nb, {"metadata": {"path": str(workdir)}})
    except Exception as exc:  # noqa: BLE001 - every failure becomes a per-submission reason
        if ex.abort_reason is None:
            dead = type(exc).__name__ == "DeadKernelError"
            ex.abort_reason = _death_reason(ex) if dead else f"{type(exc).__name__}: {exc}"
    finally:
        watchdog.cancel()
    if ex.abort_reason is not None:
        _abort_rest(nb, ex.cells_done, f"{ex.abort_reason} (cell {ex.cells_done + 1})")
    return nb, ex.abort_reason


def _overtime(ex: GradedExecute, limits: sandbox.Limits) -> None:
    ex.abort_reason = f"notebook exceeded {limits.notebook_timeout_s} s"
    kill_kernel(ex)


def handle(request: dict, scratch: Path) -> dict:
    """Serve one request (every notebook of one submission); never raises."""
    start = time.monotonic()
    result = {"id": request.get("id"), "notebooks": {}, "aborted": None, "error": None}
    limits = sandbox.Limits(**(request.get("limits") or {}))
    for name, text in (request.get("notebooks") or {}).items():
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=scratch))
        try:
            _unpack(request.get("files") or {}, workdir)
            nb = nbformat.reads(text, as_version=4)
            monitor = integrity.Monitor(nb) if ForkKernelManager.server is not None else None
            nb, aborted = execute_notebook(
                nb,
                workdir,
                execute_config=request.get("execute"),
                limits=limits,
                before_test_cell=request.get("before_test_cell"),
                monitor=monitor,
            )
            hidden = tuple(request.get("hidden_tests") or Delimiters().hidden_tests)
            result.setdefault("integrity", {})[name] = integrity.check_executed(nb, monitor, hidden)
            if aborted and not _any_cell_ran(nb):
                result["error"] = f"{name}.ipynb could not be executed: {aborted}"
            result["notebooks"][name] = nb
            result["aborted"] = result["aborted"] or (aborted and f"{name}.ipynb: {aborted}")
        except Exception as exc:  # noqa: BLE001
            result["error"] = f"{name}.ipynb: {type(exc).__name__}: {exc}"
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if result["error"]:
            result["notebooks"] = {}
            break
    result["seconds"] = round(time.monotonic() - start, 3)
    return result


def _unpack(files: dict[str, str], workdir: Path) -> None:
    root = workdir.resolve()
    for rel, data in files.items():
        target = (root / rel).resolve()
        if root in target.parents:  # never outside the scratch folder
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(data))


def _any_cell_ran(nb) -> bool:
    return any(c.cell_type == "code" and c.get("execution_count") for c in nb.cells)
