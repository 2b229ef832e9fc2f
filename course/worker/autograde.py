"""nbgrader's Autograde conversion, in the worker that executes the submission.

Runs in: the sandboxed worker process (course.worker.execute calls it around execution).
Why here: in the grader process, nbgrader's sanitize pass and its Autograde conversion cost
0.097 CPU s of every submission (prepare 0.056 + convert 0.041, docs/grading.md, 2026-11-28),
on the one thread every grade goes through. Workers run in parallel, so the grader now only
writes gradebook rows and the files this module produced.

Same code as `nbgrader autograde`, split at the gradebook:
- `sanitize`: Autograde's `sanitize_preprocessors` as configured (ClearOutput, DeduplicateIds,
  OverwriteKernelspec, OverwriteCells, CheckCellMetadata), on the submitted notebook's text.
  Two of them read the gradebook: they get nbgrader's own Gradebook on an in-memory copy of
  the assignment's rows (`Snapshot`: notebooks, cells, kernelspec; no student, grade or
  comment). The copy lives in this process's memory, never in a file a kernel could change.
- `finish`: the executed notebook through Autograde's `autograde_preprocessors` as configured
  (IgnorePattern, ClearMetadataPreprocessor, LimitOutput, CheckCellMetadata ...) and
  nbconvert's NotebookExporter, giving the exact text of the autograded/ file. `Execute` has
  already run (course.worker.execute); `SaveAutoGrades` is replaced by `RecordAutoGrades`,
  which computes the same values with the same nbgrader functions at the same point of the
  pipeline and returns them as rows; `AssignLatePenalties` needs the submission's timestamp
  and scores, so the grader runs it (course.grading.writer).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import sqlite3

import nbformat
from nbconvert.exporters import NotebookExporter
from nbgrader import utils as nbutils
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool
from traitlets.config import Config

from course.errors import GradingError

SNAPSHOT_URL = "sqlite:///course-assignment-snapshot"  # never opened as a file
# Preprocessors of nbgrader that read the gradebook during the sanitize pass.
READERS = ("nbgrader.preprocessors.overwritecells", "nbgrader.preprocessors.overwritekernelspec")
# Autograde preprocessors by class name: run elsewhere, or replaced here.
DONE_BEFORE = "Execute"  # course.worker.execute ran it
IN_GRADER = "AssignLatePenalties"  # needs the gradebook's submission timestamp and scores
RECORDED = "SaveAutoGrades"  # its values are returned as rows


class _Connection:
    """A sqlite3 connection SQLAlchemy's pool may "close" between uses: it stays open."""

    def __init__(self, raw: sqlite3.Connection):
        self._raw = raw

    def close(self) -> None:
        pass

    def __getattr__(self, name):
        return getattr(self._raw, name)


class Snapshot:
    """The assignment's gradebook rows, in this process's memory (see module doc)."""

    current: Snapshot | None = None

    def __init__(self, data: bytes):
        raw = sqlite3.connect(":memory:", check_same_thread=False)
        raw.deserialize(data)
        conn = _Connection(raw)
        self.engine = create_engine(
            "sqlite://", creator=lambda: conn, poolclass=StaticPool, future=True
        )
        self.memo: dict[tuple, object] = {}  # SnapshotGradebook's lookups (_remembered)


class SnapshotGradebook(Gradebook):
    """nbgrader's Gradebook on the current Snapshot's connection (read by the sanitize pass)."""

    def __init__(self, db_url: str, course_id: str = "default_course", authenticator=None):
        if Snapshot.current is None:
            raise GradingError("no gradebook snapshot in this worker")
        # api.Gradebook.__init__ minus the engine and the schema check: a copy of a checked one.
        self.engine = Snapshot.current.engine
        self.db = scoped_session(sessionmaker(autoflush=True, bind=self.engine, future=True))
        self.check_course(course_id=course_id)
        self.course_id = course_id
        self.authenticator = authenticator

    def close(self) -> None:
        self.db.remove()  # the snapshot's connection stays open


def _remembered(name: str):
    """A lookup of OverwriteCells, answered once per snapshot: the copy never changes, and
    these ORM queries were most of the sanitize pass (86 a notebook, ~0.025 of its 0.04 CPU s
    here). What it returns are cells whose columns are all loaded (SourceCell, GradeCell,
    TaskCell); a MissingEntry is raised again each time, never remembered."""
    lookup = getattr(Gradebook, name)

    def method(self, *args):
        assert Snapshot.current is not None  # SnapshotGradebook checked it
        memo = Snapshot.current.memo
        if (name, args) not in memo:
            memo[name, args] = lookup(self, *args)
        return memo[name, args]

    method.__name__ = name
    return method


for _name in ("find_source_cell", "find_graded_cell"):
    setattr(SnapshotGradebook, _name, _remembered(_name))


def _gradebook(db_url: str, *args, **kwargs):
    if db_url == SNAPSHOT_URL:
        return SnapshotGradebook(db_url, *args, **kwargs)
    return Gradebook(db_url, *args, **kwargs)


@functools.cache
def _install() -> None:
    import importlib

    for name in READERS:
        importlib.import_module(name).Gradebook = _gradebook  # type: ignore[attr-defined]


class RecordAutoGrades(NbGraderPreprocessor):
    """Stands in for SaveAutoGrades: the values it would save, as rows in resources."""

    def preprocess_cell(self, cell, resources, cell_index):
        rows = resources.setdefault("autograde_rows", {"grades": {}, "comments": {}})
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if nbutils.is_grade(cell):
            rows["grades"][grade_id] = nbutils.determine_grade(cell, self.log)[0]
        if nbutils.is_solution(cell) or nbutils.is_task(cell):
            unchanged = cell.metadata.nbgrader.get("checksum", None) == nbutils.compute_checksum(
                cell
            )
            no_response = unchanged and not nbutils.is_task(cell)
            rows["comments"][grade_id] = "No response." if no_response else None
        return cell, resources


def _class_name(pp) -> str:
    return (pp if isinstance(pp, str) else getattr(pp, "__name__", "")).rsplit(".", 1)[-1]


class Converter:
    """Autograde's two exporters for one course configuration and gradebook snapshot."""

    def __init__(self, config: dict, snapshot: bytes):
        _install()
        cfg = Config(config)
        # As in course.grading.writer: validate once, after the last preprocessor.
        cfg.Exporter.optimistic_validation = True
        self.autograde = Autograde(coursedir=CourseDirectory(config=cfg), config=cfg)
        self.snapshot = Snapshot(snapshot)
        self.sanitizer = self._exporter(self.autograde.sanitize_preprocessors)
        post = []
        for pp in self.autograde.autograde_preprocessors:
            name = _class_name(pp)
            if name == RECORDED:
                post.append(RecordAutoGrades(parent=self.autograde))
            elif name not in (DONE_BEFORE, IN_GRADER):
                post.append(pp)
        self.finisher = self._exporter(post)

    def _exporter(self, preprocessors) -> NotebookExporter:
        exporter = NotebookExporter(parent=self.autograde, config=self.autograde.config)
        for pp in preprocessors:
            exporter.register_preprocessor(pp)
        return exporter

    @staticmethod
    def resources(student: str, assignment: str, notebook: str) -> dict:
        """What nbgrader's init_single_notebook_resources gives these preprocessors."""
        return {
            "unique_key": notebook,
            "output_files_dir": f"{notebook}_files",
            "nbgrader": {
                "student": student,
                "assignment": assignment,
                "notebook": notebook,
                "db_url": SNAPSHOT_URL,
            },
        }

    def sanitize(self, text: str, resources: dict, label: str) -> str:
        """The notebook text autograde's sanitize pass writes; GradingError names `label`."""
        Snapshot.current = self.snapshot
        try:
            nb = nbformat.reads(text, as_version=4)
            out, _ = self.sanitizer.from_notebook_node(nb, resources=dict(resources))
        except Exception as exc:  # noqa: BLE001 - nbformat/nbgrader say what is wrong
            raise GradingError(f"{label}: {_first_line(exc)}") from None
        finally:
            Snapshot.current = None
        return str(out)

    def finish(self, executed, resources: dict) -> tuple[str, dict]:
        """(text of the autograded/ notebook, the rows SaveAutoGrades would write)."""
        res = dict(resources)
        out, res = self.finisher.from_notebook_node(executed, resources=res)
        return str(out), res.get("autograde_rows") or {"grades": {}, "comments": {}}


_CONVERTERS: dict[str, Converter] = {}  # by context key, oldest first
KEEP = 4  # contexts a worker keeps (the hub's kept workers grade several assignments)


def converter(context: dict) -> Converter:
    """The Converter for a request's `autograde` context (kept per gradebook snapshot)."""
    key = context["key"]
    if key not in _CONVERTERS:
        if "snapshot" not in context:
            raise GradingError("the grader sent no gradebook snapshot")
        made = Converter(context["config"], base64.b64decode(context["snapshot"]))
        while len(_CONVERTERS) >= KEEP:
            del _CONVERTERS[next(iter(_CONVERTERS))]
        _CONVERTERS[key] = made
    return _CONVERTERS[key]


def held() -> list[str]:
    """The context keys this worker holds (sent back with every result)."""
    return list(_CONVERTERS)


def context_key(config: dict, snapshot: bytes) -> str:
    h = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    h.update(snapshot)
    return h.hexdigest()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
