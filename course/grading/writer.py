"""The single gradebook writer: nbgrader's Autograde converter, fed graded notebooks and rows.

Runs in: the grader process (only the process that owns a GradebookWriter writes gradebook.db).
nbgrader's sanitize pass and Autograde's notebook conversion run in the worker that executed
the submission (course.worker.autograde); it sends back the text of each autograded notebook
and the values SaveAutoGrades would save. Here `write(student, graded, rows)` runs nbgrader's
Autograde converter for that student with `--force` semantics, whose per-notebook conversion
is replaced by: apply the rows through nbgrader's Gradebook (`apply_rows`), run nbgrader's
AssignLatePenalties, write the worker's text with nbgrader's writer. Everything else (student
and submission records, timestamps, the files copied into autograded/, missing notebooks
scored 0, permissions, hooks) is nbgrader's code, so the gradebook and autograded/ end up as
`nbgrader autograde --force` leaves them (tests/test_grade.py compares both).
`worker_context()` is what a worker needs for its half: the course's nbgrader configuration and
an in-memory copy of the assignment's gradebook rows (no student data).
"""

from __future__ import annotations

import base64
import glob
import json
import logging
import sqlite3
import time
import warnings
from pathlib import Path

import nbformat
from nbgrader.api import Comment, Grade, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import AssignLatePenalties, Execute
from sqlalchemy.exc import SAWarning

from course.errors import GradeRefused, GradingError
from course.grading import fastschema
from course.grading import gradebook as batched
from course.grading.stages import Stages
from course.nb import load_config
from course.worker.autograde import context_key

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
        self._graded: tuple[dict[str, str], dict[str, dict]] | None = None  # during write()
        self._late = AssignLatePenalties(parent=self)

    def execute_config(self) -> dict:
        ex = Execute(parent=self, config=self.config)
        return {name: getattr(ex, name) for name in EXECUTE_TRAITS if ex.has_trait(name)}

    def expected_notebooks(self) -> list[str]:
        """The assignment's notebooks per the gradebook (read once: opening it is not free)."""
        if self._expected is None:
            with batched.Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                try:
                    self._expected = sorted(
                        nb.name for nb in gb.find_assignment(self.coursedir.assignment_id).notebooks
                    )
                except MissingEntry:
                    raise GradeRefused(
                        f"assignment {self.coursedir.assignment_id!r} is not in the gradebook; "
                        "run `python -m course release` (nbgrader generate_assignment) first"
                    ) from None
            if not self._expected:  # known from course.toml's due dates, never released
                raise GradeRefused(
                    f"assignment {self.coursedir.assignment_id!r} has no notebooks in the "
                    "gradebook; run `python -m course release` (nbgrader generate_assignment) first"
                )
        return self._expected

    def submission_dir(self, student: str) -> Path:
        return Path(self._format_source(self.coursedir.assignment_id, student))

    def prepare(self, student: str) -> dict[str, str]:  # name -> submitted notebook text
        """The submitted notebooks' text, as read here (the worker sanitizes it)."""
        out = {}
        for name in self.expected_notebooks():
            path = self.submission_dir(student) / f"{name}.ipynb"
            if not path.exists():
                continue  # autograde scores a missing notebook 0; write() does the same
            try:
                out[name] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise GradingError(
                    f"{_rel(path, self.coursedir.root)}: {_first_line(exc)}"
                ) from None
        return out

    def submitted_label(self, student: str, name: str) -> str:
        """How an error names this notebook: its path in the course."""
        return _rel(self.submission_dir(student) / f"{name}.ipynb", self.coursedir.root)

    def worker_context(self) -> dict:
        """The course's nbgrader configuration and the assignment's gradebook rows, for the
        worker's half of Autograde (course.worker.autograde). Made once per run."""
        config = json.loads(json.dumps(self.config, default=_import_name))
        data = _assignment_snapshot(self.coursedir.db_url)
        return {
            "key": context_key(config, data),
            "config": config,
            "snapshot": base64.b64encode(data).decode(),
        }

    def write(
        self,
        student: str,
        graded: dict[str, str],
        rows: dict[str, dict],
        stages: Stages | None = None,
    ) -> None:
        """Run nbgrader's Autograde for `student`: `graded` is the text of each autograded
        notebook, `rows` what SaveAutoGrades would save (both from the worker). Raises
        GradingError. Inside a `course.grading.gradebook.Batch`, its gradebook rows are durable
        once the batch commits. `stages` gets the time spent in Gradebook calls ("gradebook")
        and the rest ("convert")."""
        wall, cpu = time.perf_counter(), time.thread_time()
        spent = list(batched.SPENT)
        self._graded = (graded, rows)
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
            self._graded = None
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

    def convert_single_notebook(self, notebook_filename: str) -> None:
        """Autograde's two passes over one notebook, already done by the worker: save its
        rows, assign the late penalty (nbgrader's AssignLatePenalties), write its text."""
        if self._graded is None:
            raise GradingError("the gradebook writer was started outside write()")
        graded, rows = self._graded
        resources = self.init_single_notebook_resources(notebook_filename)
        name = resources["nbgrader"]["notebook"]
        if name not in graded:
            raise GradingError(f"no graded notebook {name} for {resources['nbgrader']['student']}")
        apply_rows(self.coursedir, resources["nbgrader"], rows.get(name) or {})
        self._late.preprocess(nbformat.v4.new_notebook(), resources)  # reads no cell
        resources["output_extension"] = self.exporter.file_extension  # as its exporter sets
        self.write_single_notebook(graded[name], resources)


def apply_rows(coursedir: CourseDirectory, where: dict, rows: dict) -> None:
    """What nbgrader's SaveAutoGrades does with the worker's values (RecordAutoGrades), with
    one query for all grades and one for all comments of the notebook, not one per cell."""
    with batched.Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        notebook = gb.find_submission_notebook(
            where["notebook"], where["assignment"], where["student"]
        )
        grades = {g.cell.name: g for g in _with_cells(gb, Grade, notebook)}
        for grade_id, score in (rows.get("grades") or {}).items():
            grade = _entry(grades, grade_id, "grade")
            grade.auto_score = score
            # SaveAutoGrades: a manual grade, or no autograder score, needs a person's review
            grade.needs_manual_grade = grade.manual_score is not None or score is None
        comments = {c.cell.name: c for c in _with_cells(gb, Comment, notebook)}
        for grade_id, text in (rows.get("comments") or {}).items():
            _entry(comments, grade_id, "comment").auto_comment = text
        gb.db.commit()


def _with_cells(gb: batched.Gradebook, model, notebook):
    from sqlalchemy.orm import joinedload

    return gb.db.query(model).options(joinedload(model.cell)).filter(model.notebook == notebook)


def _entry(entries: dict, grade_id: str, what: str):
    if grade_id not in entries:  # nbgrader's find_grade/find_comment would raise the same
        raise MissingEntry(f"no {what} for cell {grade_id!r} in the gradebook")
    return entries[grade_id]


def _assignment_snapshot(db_url: str) -> bytes:
    """The gradebook without any student's rows, as SQLite bytes (the worker opens them in
    memory): the assignments' notebooks, cells, source cells and kernelspecs. Built from the
    schema and the other tables only, so its cost does not grow with the class."""
    path = db_url[len("sqlite:///") :]
    mem = sqlite3.connect("file::memory:", uri=True)  # uri: ATTACH then reads mode=ro
    try:
        mem.execute("ATTACH DATABASE ? AS src", (f"file:{path}?mode=ro",))
        schema = mem.execute(
            "SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index'"
        ).fetchall()
        for kind, name, sql in schema:
            mem.execute(sql)  # unqualified: created in the in-memory database
            if kind == "table" and name not in STUDENT_TABLES:
                mem.execute(f'INSERT INTO main."{name}" SELECT * FROM src."{name}"')  # noqa: S608
        mem.commit()
        mem.execute("DETACH DATABASE src")
        return mem.serialize()
    finally:
        mem.close()


# nbgrader's tables that hold students' work; the snapshot leaves them empty.
STUDENT_TABLES = ("comment", "grade", "submitted_notebook", "submitted_assignment", "student")


def _import_name(value) -> str:
    """A class in the configuration (a preprocessor): its import path, as traitlets takes it."""
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    raise TypeError(f"cannot send {value!r} to a grading worker")


class _ErrorTail(logging.Handler):
    """Keeps the last line of the last error nbgrader logged (usually the exception)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        lines = [ln for ln in record.getMessage().strip().splitlines() if ln.strip()]
        if lines and not lines[-1].startswith("There was an error processing"):
            self.last = lines[-1][:300]


def _rel(path: Path, root: str) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
