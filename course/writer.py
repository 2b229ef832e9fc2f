"""The single gradebook writer: nbgrader's own Autograde converter, fed executed outputs.

Grading one submission is split in two around the (parallel, sandboxed) execution:
- `prepare(student)` runs Autograde's sanitize preprocessors in memory (ClearOutput,
  DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata; they only *read*
  the gradebook) and returns the exact notebook text autograde would execute.
- `write(student, executed)` runs the real Autograde converter for that student; its sanitize
  pass takes `prepare`'s result (`UsePrepared`: same preprocessors, not run twice), and
  `Execute` in its autograde pass is replaced by `InjectOutputs`, which checks that the
  notebook it is handed is the one that was executed and copies what Execute would have added.
  Everything else (student/submission records, timestamps, late penalties, SaveAutoGrades,
  LimitOutput, files in autograded/, permissions) is nbgrader's code, so the gradebook and
  autograded/ end up exactly as `nbgrader autograde --force` leaves them.
Only the process that owns a GradebookWriter writes gradebook.db.
"""

from __future__ import annotations

import glob
import logging
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

from course import fastschema
from course.errors import GradeRefused, GradingError
from course.nb import load_config

fastschema.install()

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


# (student, notebook name) -> the sanitized text `prepare` made / the worker's execution of it.
SANITIZED: dict[tuple[str, str], str] = {}
EXECUTED: dict[tuple[str, str], nbformat.NotebookNode] = {}


def _take(store: dict, resources, what: str):
    key = (resources["nbgrader"]["student"], resources["nbgrader"]["notebook"])
    if key not in store:
        raise GradingError(f"no {what} for {key[0]}/{key[1]}")
    return store.pop(key)


class UsePrepared(NbGraderPreprocessor):
    """Stands in for the sanitize preprocessors in `write`: their result from `prepare`.

    Sanitizing is deterministic (the submitted file + the gradebook's source cells), so running
    it again would only repeat the same work; the notebook executed is the one written.
    """

    def preprocess(self, nb, resources):
        return nbformat.reads(
            _take(SANITIZED, resources, "sanitized notebook"), as_version=4
        ), resources


class InjectOutputs(NbGraderPreprocessor):
    """Stands in for nbgrader's Execute: applies a worker's execution of this very notebook."""

    def preprocess(self, nb, resources):
        executed = _take(EXECUTED, resources, "execution result")
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
        coursedir = CourseDirectory(config=cfg)
        coursedir.assignment_id = assignment
        super().__init__(coursedir=coursedir, config=cfg, force=True)
        if log is not None:
            self.log = log
        self.autograde_preprocessors = [
            InjectOutputs if _is_execute(pp) else pp for pp in self.autograde_preprocessors
        ]
        self._expected: list[str] | None = None
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

    def prepare(self, student: str) -> dict[str, str]:
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
            out[name] = SANITIZED[(student, name)] = text
        return out

    def write(self, student: str, executed: dict[str, nbformat.NotebookNode]) -> None:
        """Run nbgrader's Autograde for `student` with these executions; raises GradingError."""
        for name, nb in executed.items():
            EXECUTED[(student, name)] = nb
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
            for name in executed:
                EXECUTED.pop((student, name), None)
                SANITIZED.pop((student, name), None)
            self.coursedir.student_id = "*"

    def _init_preprocessors(self) -> None:
        if not self._sanitizing:
            return super()._init_preprocessors()
        self.exporter._preprocessors = []
        self.exporter.register_preprocessor(UsePrepared)


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
