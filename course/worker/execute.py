"""One submission's execution: run a sanitized notebook exactly as `nbgrader autograde` would.

The notebook is executed by nbgrader's own `Execute` preprocessor (same per-cell timeout,
interrupt-on-timeout, allow_errors, error recording), only its kernel is forked from a warm
parent (course.worker.forkkernel) instead of spawned. `handle` serves one request of the
worker protocol (course.grading.protocol: a Request in, a Result out).

Runs in: the sandboxed worker process (the kernel it drives is a separate, forked process).
"""

from __future__ import annotations

import base64
import json
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import DeadKernelError
from nbgrader import utils as nbutils
from nbgrader.preprocessors import Execute

from course.errors import GradingError
from course.grading.protocol import Request, Result, error_result, new_result
from course.grading.stages import Stages, process_cpu
from course.integrity.monitor import Monitor, check_executed
from course.nb import Delimiters, is_student_code, is_test_cell, meta
from course.proc import kill_group
from course.sandbox.limits import Limits
from course.worker import autograde
from course.worker.forkkernel import ForkKernelManager

ABORT_ENAME = "GradingAborted"


class GradedExecute(Execute):
    """nbgrader's Execute plus: trusted checks around each test cell, output and time limits,
    and a record of progress."""

    monitor: Monitor | None = None  # trusted checks around each test cell
    max_output_bytes: int = 0
    cells_done: int = 0
    output_bytes: int = 0
    abort_reason: str | None = None
    last_km = None
    stages: Stages | None = None  # where this notebook's time went (course.grading.stages)
    _mark_at: tuple[float, float, float] = (0.0, 0.0, 0.0)  # wall, worker cpu, kernel cpu

    def create_kernel_manager(self):
        self.last_km = super().create_kernel_manager()
        return self.last_km

    def mark(self, stage: str) -> None:
        """Charge the time since the previous mark to `stage` (worker and kernel CPU)."""
        forked = _forked(self)
        kernel = process_cpu(forked.pid if forked is not None else None) or self._mark_at[2]
        now = (time.perf_counter(), time.process_time(), kernel)
        if self.stages is not None:
            wall, cpu, kcpu = (a - b for a, b in zip(now, self._mark_at, strict=True))
            self.stages.add(stage, wall, cpu + max(kcpu, 0.0))
        self._mark_at = now

    def preprocess_cell(self, cell, resources, index):
        if not self.cells_done:
            self.mark("kernel")  # everything before the first cell: fork, start, handshake
        test = is_test_cell(cell)
        if self.monitor and test:
            self.mark("execute")
            self.monitor.before(self, cell)
            self.mark("integrity")
        result = super().preprocess_cell(cell, resources, index)
        if self.monitor and test:
            self.mark("execute")
            self.monitor.after(self, cell)
            self.mark("integrity")
        self.cells_done = index + 1
        return result

    async def _async_cleanup_kernel(self) -> None:
        if self.cells_done:
            self.mark("execute")  # the last cell; what follows is the kernel's teardown
        await super()._async_cleanup_kernel()

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
    kill_group(proc.pid if proc is not None else None)


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
    limits: Limits = Limits(),
    monitor: Monitor | None = None,
    stages: Stages | None = None,
) -> tuple[object, str | None]:
    """Execute `nb` in place with a forked kernel, cwd `workdir`. Returns (nb, abort reason)."""
    # Every kernel is thrown away after one notebook, so it is killed, not asked to shut down.
    ex = GradedExecute(
        kernel_manager_class=ForkKernelManager,
        shutdown_kernel="immediate",
        **(execute_config or {}),
    )
    ex.monitor, ex.stages = monitor, stages
    ex.mark("setup")
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
            dead = isinstance(exc, DeadKernelError)
            ex.abort_reason = _death_reason(ex) if dead else f"{type(exc).__name__}: {exc}"
    finally:
        watchdog.cancel()
        ex.mark("kernel")  # its teardown (or a start that never reached a cell)
    if ex.abort_reason is not None:
        _abort_rest(nb, ex.cells_done, f"{ex.abort_reason} (cell {ex.cells_done + 1})")
    return nb, ex.abort_reason


def _overtime(ex: GradedExecute, limits: Limits) -> None:
    ex.abort_reason = f"notebook exceeded {limits.notebook_timeout_s} s"
    kill_kernel(ex)


def handle(request: Request, scratch: Path) -> Result:
    """Serve one request (every notebook of one submission); never raises.

    With an `autograde` context the notebooks are as submitted: nbgrader's sanitize pass runs
    before execution and Autograde's conversion after (course.worker.autograde), and the result
    holds each autograded notebook's text and its rows. Without one they are executed as sent."""
    start, started_at = time.monotonic(), time.time()
    stages = Stages()
    result = new_result(request)
    limits = Limits(**(request.get("limits") or {}))
    hidden = request.get("hidden_tests") or Delimiters().hidden_tests
    context = request.get("autograde")
    for name, text in (request.get("notebooks") or {}).items():
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=scratch))
        try:
            _unpack(request.get("files") or {}, workdir)
            resources: dict = {}
            if context:
                with stages.timed("sanitize", cpu=time.process_time):
                    conv = autograde.converter(context)
                    resources = conv.resources(request.get("id") or "", context["assignment"], name)
                    label = (request.get("labels") or {}).get(name, f"{name}.ipynb")
                    text = conv.sanitize(text, resources, label)
            nb = nbformat.reads(text, as_version=4)
            monitor = None
            if ForkKernelManager.server is not None:
                monitor = Monitor(nb)
                # The instructor's cells (locked, tests) are the same in every submission.
                ForkKernelManager.server.warm(
                    [
                        c.source
                        for c in nb.cells
                        if c.cell_type == "code" and meta(c) and not is_student_code(c)
                    ],
                    monitor.helpers,
                )
            nb, aborted = execute_notebook(
                nb,
                workdir,
                execute_config=request.get("execute"),
                limits=limits,
                monitor=monitor,
                stages=stages,
            )
            with stages.timed("integrity", cpu=time.process_time):
                result["integrity"][name] = check_executed(nb, monitor, (hidden[0], hidden[1]))
            if aborted and not _any_cell_ran(nb):
                result = error_result(request, f"{name}.ipynb could not be executed: {aborted}")
            else:
                if context:
                    with stages.timed("autograde", cpu=time.process_time):
                        graded, rows = conv.finish(nb, resources)
                    result["notebooks"][name] = graded
                    result.setdefault("rows", {})[name] = rows
                else:
                    result["notebooks"][name] = nb
                result["aborted"] = result["aborted"] or (aborted and f"{name}.ipynb: {aborted}")
        except GradingError as exc:  # the submission, named by its path: nothing ran
            result = error_result(request, str(exc))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a per-submission reason
            result = error_result(request, f"{name}.ipynb: {type(exc).__name__}: {exc}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if result["error"]:
            break
    result["contexts"] = autograde.held()  # the grader leaves out their bulk from now on
    result["seconds"] = round(time.monotonic() - start, 3)
    stages.pop("setup", None)  # constructing the preprocessor: noise, not a stage
    result["stages"] = stages.rounded()
    result["started_at"], result["sent_at"] = started_at, time.time()
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
