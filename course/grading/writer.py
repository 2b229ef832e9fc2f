"""The single gradebook writer: nbgrader's own Autograde converter, fed executed outputs.

Runs in: the grader process (only the process that owns a GradebookWriter writes gradebook.db).
Grading one submission is split in two around the (parallel, sandboxed) execution:
- `prepare(student)` runs Autograde's sanitize preprocessors in memory (ClearOutput,
  DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata; they only *read*
  the gradebook) and returns the exact notebook text autograde would execute.
- `write(student, sanitized, executed)` runs the real Autograde converter for that student; its
  sanitize pass takes `prepare`'s result (`UsePrepared`: same preprocessors, not run twice), and
  `Execute` in its autograde pass is replaced by `InjectOutputs`, which checks that the
  notebook it is handed is the one that was executed and copies what Execute would have added.
  Everything else (student/submission records, timestamps, late penalties, SaveAutoGrades,
  LimitOutput, files in autograded/, permissions) is nbgrader's code, so the gradebook and
  autograded/ end up exactly as `nbgrader autograde --force` leaves them.
Both stand-ins are preprocessor *instances* made for one `write`, holding that submission's
notebooks (nbconvert registers an instance as it is).
"""

from __future__ import annotations

import glob
import logging
import time
import warnings
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from sqlalchemy.exc import SAWarning

from course.errors import GradeRefused, GradingError
from course.grading import fastschema
from course.grading import gradebook as batched
from course.grading.stages import Stages
from course.nb import load_config

# Execute's traits that change how cells run; sent to workers so they run cells identically.
EXECUTE_TRAITS = (
    "timeout",
    "interrupt_on_timeout",
    "allow_errors",
    "raise_on_iopub_timeout",
    "error_on_timeout",
    "extra_arguments",
    "iopub_timeout",
    "startup_timeout",
    "record_timing",
    "store_widget_state",
    "ipython_hist_file",
)


class _OneSubmission(NbGraderPreprocessor):
    """A stand-in preprocessor holding one submission's notebooks, by notebook name."""

    what = "notebook"

    def __init__(self, notebooks: dict, **kwargs):
        super().__init__(**kwargs)
        self.notebooks = notebooks

    def take(self, resources):
        name = resources["nbgrader"]["notebook"]
        if name not in self.notebooks:
            raise GradingError(f"no {self.what} for {resources['nbgrader']['student']}/{name}")
        return self.notebooks[name]


class UsePrepared(_OneSubmission):
    """Stands in for the sanitize preprocessors in `write`: their result from `prepare`.

    Sanitizing is deterministic (the submitted file + the gradebook's source cells), so running
    it again would only repeat the same work; the notebook executed is the one written.
    """

    what = "sanitized notebook"

    def preprocess(self, nb, resources):
        return nbformat.reads(self.take(resources), as_version=4), resources


class InjectOutputs(_OneSubmission):
    """Stands in for nbgrader's Execute: applies a worker's execution of this very notebook."""

    what = "execution result"

    def preprocess(self, nb, resources):
        executed = self.take(resources)
        _check_same_cells(nb, executed)
        for cell, done in zip(nb.cells, executed.cells, strict=True):
            if cell.cell_type == "code":
                cell.outputs = done.get("outputs", [])
                cell.execution_count = done.get("execution_count")
                if "execution" in done.get("metadata", {}):
                    cell.metadata["execution"] = done.metadata["execution"]
        for key in ("language_info", "widgets"):
            if key in executed.metadata:
                nb.metadata[key] = executed.metadata[key]
        return nb, resources


def _check_same_cells(nb, executed) -> None:
    def shape(n):
        return [(c.cell_type, c.source, c.get("metadata", {}).get("nbgrader")) for c in n.cells]

    if shape(nb) != shape(executed):
        raise GradingError("the executed notebook does not match the sanitized submission")


class GradebookWriter(Autograde):
    """Autograde for one student at a time, split around execution (see module doc)."""

    def __init__(self, root: Path, assignment: str, log: logging.Logger | None = None):
        cfg = load_config(Path(root))
        # nbconvert validates the whole notebook after every preprocessor (13 times per
        # submission here, ~40% of this process's conversion time); its own option validates
        # once, after the last one. A valid notebook converts identically; an invalid one still
        # fails (naming the last preprocessor instead of the first to break it).
        cfg.Exporter.optimistic_validation = True
        coursedir = CourseDirectory(config=cfg)
        coursedir.assignment_id = assignment
        super().__init__(coursedir=coursedir, config=cfg, force=True)
        if log is not None:
            self.log = log
        # Process-wide: nbgrader's metadata validation, without its per-call metaschema check.
        fastschema.install()
        # Process-wide too: nbgrader's Gradebook joins the run's open Batch (one transaction).
        batched.install()
        self._expected: list[str] | None = None
        self._stand_ins: tuple[UsePrepared, InjectOutputs] | None = None  # during write()
        self._sanitizer = NotebookExporter(parent=self, config=self.config)
        for pp in self.sanitize_preprocessors:
            self._sanitizer.register_preprocessor(pp)

    def execute_config(self) -> dict:
        ex = Execute(parent=self, config=self.config)
        return {name: getattr(ex, name) for name in EXECUTE_TRAITS if ex.has_trait(name)}

    def expected_notebooks(self) -> list[str]:
        """The assignment's notebooks per the gradebook (read once: opening it is not free)."""
        if self._expected is None:
            with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                try:
                    self._expected = sorted(
                        nb.name for nb in gb.find_assignment(self.coursedir.assignment_id).notebooks
                    )
                except MissingEntry:
                    raise GradeRefused(
                        f"assignment {self.coursedir.assignment_id!r} is not in the gradebook; "
                        "run `python -m course release` (nbgrader generate_assignment) first"
                    ) from None
        return self._expected

    def submission_dir(self, student: str) -> Path:
        return Path(self._format_source(self.coursedir.assignment_id, student))

    def prepare(self, student: str) -> dict[str, str]:  # name -> notebook JSON text
        """Sanitized notebook text per notebook name, as autograde's sanitize pass writes it."""
        self._sanitizing = True
        out = {}
        for name in self.expected_notebooks():
            path = self.submission_dir(student) / f"{name}.ipynb"
            if not path.exists():
                continue  # autograde scores a missing notebook 0; write() does the same
            resources = self.init_single_notebook_resources(str(path))
            try:
                text, _ = self._sanitizer.from_filename(str(path), resources=resources)
            except Exception as exc:  # noqa: BLE001 - nbformat/nbgrader say what is wrong
                raise GradingError(
                    f"{_rel(path, self.coursedir.root)}: {_first_line(exc)}"
                ) from None
            out[name] = str(text)
        return out

    def write(
        self,
        student: str,
        sanitized: dict[str, str],
        executed: dict[str, nbformat.NotebookNode],
        stages: Stages | None = None,
    ) -> None:
        """Run nbgrader's Autograde for `student`: `sanitized` is what `prepare` returned,
        `executed` the worker's execution of it. Raises GradingError. Inside a
        `course.grading.gradebook.Batch`, its gradebook rows are durable once the batch commits.
        `stages` gets the time spent in Gradebook calls ("gradebook") and the rest ("convert")."""
        wall, cpu = time.perf_counter(), time.thread_time()
        spent = list(batched.SPENT)
        self._stand_ins = (
            UsePrepared(sanitized, parent=self),
            InjectOutputs(executed, parent=self),
        )
        self.coursedir.student_id = glob.escape(student)
        errors = _ErrorTail()
        self.log.addHandler(errors)
        try:
            with warnings.catch_warnings():
                # nbgrader's autoflush noise from SQLAlchemy 2 (same under `nbgrader autograde`)
                warnings.simplefilter("ignore", SAWarning)
                self.start()
        except NbGraderException as exc:
            raise GradingError(f"nbgrader autograde failed: {errors.last or exc}") from None
        finally:
            self.log.removeHandler(errors)
            self._stand_ins = None
            self.coursedir.student_id = "*"
            if stages is not None:
                gb_wall, gb_cpu = (
                    now - before for now, before in zip(batched.SPENT, spent, strict=True)
                )
                stages.add("gradebook", gb_wall, gb_cpu)
                stages.add(
                    "convert",
                    time.perf_counter() - wall - gb_wall,
                    time.thread_time() - cpu - gb_cpu,
                )

    def _init_preprocessors(self) -> None:
        """Autograde's two passes, with this submission's stand-ins in place of sanitizing
        and of Execute."""
        if self._stand_ins is None:
            raise GradingError("the gradebook writer was started outside write()")
        use_prepared, inject_outputs = self._stand_ins
        self.exporter._preprocessors = []
        if self._sanitizing:
            pipeline = [use_prepared]
        else:
            pipeline = [
                inject_outputs if _is_execute(pp) else pp for pp in self.autograde_preprocessors
            ]
        for pp in pipeline:
            self.exporter.register_preprocessor(pp)


class _ErrorTail(logging.Handler):
    """Keeps the last line of the last error nbgrader logged (usually the exception)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        lines = [ln for ln in record.getMessage().strip().splitlines() if ln.strip()]
        if lines and not lines[-1].startswith("There was an error processing"):
            self.last = lines[-1][:300]


def _is_execute(pp) -> bool:
    if isinstance(pp, str):
        return pp.rsplit(".", 1)[-1] == "Execute"
    return isinstance(pp, type) and issubclass(pp, Execute)


def _rel(path: Path, root: str) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
