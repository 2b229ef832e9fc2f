"""`python -m course grade`: grade a whole class in parallel, resumably, with progress.

Submissions execute in parallel (course.workers: local sandboxed workers or a Dask cluster);
this process is the only gradebook writer (course.writer: nbgrader's own Autograde). A small
state file, autograded/.grade-state-ASSIGNMENT.json, remembers the content hash of each
submission graded, so a rerun (after kill -9, or after late submissions arrive) grades only
what is missing or changed; `force` regrades all. submitted/ is only ever read.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters.base import NbGraderException

from course import integrity, sandbox
from course.paths import ASSIGNMENT, REPO, CourseDir
from course.workers import DaskPool, LocalPool
from course.writer import GradebookWriter, GradingError

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_FILES_BYTES = 20 * 2**20


class GradeRefused(Exception):
    """The run cannot start (no such assignment in the gradebook, another run in progress)."""


@dataclass
class GradeSummary:
    assignment: str
    graded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # not graded: reason
    flagged: dict[str, str] = field(default_factory=dict)  # graded, but execution was cut short
    review: dict[str, str] = field(
        default_factory=dict
    )  # graded; integrity flags (course.integrity)
    up_to_date: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # execution seconds per student
    workers: str = ""

    def text(self) -> str:
        n = len(self.graded)
        each = f" ({self.seconds / n:.2f} s each)" if n else ""
        where = f" on {self.workers}" if self.workers else ""
        lines = [
            f"{self.assignment}: graded {n} submission(s) in {self.seconds:.1f} s{each}"
            f"{where}; {len(self.up_to_date)} already up to date; {len(self.failed)} failed"
        ]
        for student, why in sorted(self.failed.items()):
            lines.append(f"  FAILED {student}: {why}")
        for student, why in sorted(self.flagged.items()):
            lines.append(f"  CUT SHORT {student}: {why} (graded up to that point)")
        for student, why in sorted(self.review.items()):
            lines.append(f"  REVIEW {student}: {why}")
        slow = sorted(self.timings.items(), key=lambda kv: -kv[1])[:5]
        if slow:
            lines.append("  slowest: " + ", ".join(f"{s} {t:.1f} s" for s, t in slow))
        return "\n".join(lines)


class Grader:
    """Grades `assignment` of the course at `root`; see `grade()` for the parameters."""

    def __init__(
        self,
        root: Path = REPO,
        assignment: str = ASSIGNMENT,
        *,
        workers: int | None = None,
        scheduler: str | None = None,
        force: bool = False,
        progress: bool = True,
        limits: sandbox.Limits | None = None,
        before_test_cell: str | None = None,
        pool: LocalPool | None = None,
    ):
        self.course = CourseDir(Path(root).resolve())
        self.assignment = assignment
        self.workers = workers or os.cpu_count() or 1
        self.scheduler, self.force, self.progress = scheduler, force, progress
        self.limits = limits or sandbox.Limits()
        self.before_test_cell = (
            before_test_cell if before_test_cell is not None else sandbox.BEFORE_TEST_CELL
        )
        self.course.autograded.mkdir(parents=True, exist_ok=True)
        self.state_path = self.course.autograded / f".grade-state-{assignment}.json"
        self.log = _file_logger(self.course.autograded / f".grade-{assignment}.log")
        self.writer = GradebookWriter(self.course.root, assignment, log=self.log)
        self.pool = pool  # already started by the caller (see start_workers), or made in _grade

    # --- what to grade -------------------------------------------------------------------
    def find_submissions(self) -> list[str]:
        base = self.course.submitted
        return (
            sorted(p.name for p in base.iterdir() if (p / self.assignment).is_dir())
            if base.is_dir()
            else []
        )

    def problem(self, student: str) -> str | None:
        """Why this submission cannot be graded (checked before anything runs), or None."""
        folder = self.course.submission_dir(student, self.assignment)
        rel = folder.relative_to(self.course.root)
        expected = self.writer.expected_notebooks()
        present = sorted(p.name for p in folder.glob("*.ipynb"))
        if not any(f"{name}.ipynb" in present for name in expected):
            want = ", ".join(f"{n}.ipynb" for n in expected)
            if present:
                return f"wrong notebook name in {rel}: found {', '.join(present)}, expected {want}"
            return f"missing notebook: no {want} in {rel}"
        for name in expected:
            path = folder / f"{name}.ipynb"
            if path.is_symlink():
                return f"{rel}/{path.name} is a symbolic link, not a notebook"
            if not path.exists():
                continue
            size = path.stat().st_size
            if size > MAX_NOTEBOOK_BYTES:
                return (
                    f"{rel}/{path.name} is {size / 2**20:.1f} MB "
                    f"(limit {MAX_NOTEBOOK_BYTES / 2**20:.0f} MB)"
                )
            try:
                nbformat.read(path, as_version=4)
            except Exception as exc:  # noqa: BLE001
                return (
                    f"invalid notebook {rel}/{path.name}: {type(exc).__name__}: "
                    f"{str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''}"
                )
        return None

    def digest(self, student: str) -> str:
        folder = self.course.submission_dir(student, self.assignment)
        h = hashlib.sha256()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(folder)).encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        return h.hexdigest()

    def _load_state(self) -> dict:
        try:
            return json.loads(self.state_path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def _save_state(self, state: dict) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        os.replace(tmp, self.state_path)

    def _in_gradebook(self) -> set[str]:
        with Gradebook(self.course.db_url, self.writer.coursedir.course_id) as gb:
            try:
                return {s.student.id for s in gb.find_assignment(self.assignment).submissions}
            except MissingEntry:
                return set()

    def up_to_date(self, student: str, state: dict, in_gradebook: set[str]) -> bool:
        if self.force or student not in in_gradebook:
            return False
        entry = state.get(student) or {}
        outputs = [
            self.course.autograded_notebook(student, self.assignment, n)
            for n in self.writer.expected_notebooks()
        ]
        return entry.get("sha256") == self.digest(student) and any(p.exists() for p in outputs)

    def _files(self, student: str) -> dict[str, str]:
        """Non-notebook files autograde puts next to the notebook: submitted ones, then source."""
        files: dict[str, Path] = {}
        for base in (
            self.course.submission_dir(student, self.assignment),
            self.course.source / self.assignment,
        ):
            # Never a symlink: it could point at any file the grader can read.
            for path in (p for p in base.rglob("*") if p.is_file() and not p.is_symlink()):
                if path.suffix != ".ipynb" and not path.name.startswith("."):
                    files[str(path.relative_to(base))] = path
        if sum(p.stat().st_size for p in files.values()) > MAX_FILES_BYTES:
            raise GradingError(f"extra files in the submission exceed {MAX_FILES_BYTES} bytes")
        return {rel: base64.b64encode(p.read_bytes()).decode() for rel, p in files.items()}

    # --- the run -------------------------------------------------------------------------
    def run(self) -> GradeSummary:
        start = time.monotonic()
        summary = GradeSummary(self.assignment)
        with _exclusive(self.course.autograded / f".grade-{self.assignment}.lock"):
            try:
                notebooks = self.writer.expected_notebooks()
            except NbGraderException as exc:
                raise GradeRefused(str(exc)) from None
            if not notebooks:  # known from course.toml, never released
                raise GradeRefused(
                    f"assignment {self.assignment!r} has no notebooks in the gradebook; "
                    "run `python -m course release` (nbgrader generate_assignment) first"
                )
            state, in_gb = self._load_state(), self._in_gradebook()
            todo = []
            for student in self.find_submissions():
                if self.up_to_date(student, state, in_gb):
                    summary.up_to_date.append(student)
                elif (why := self.problem(student)) is not None:
                    summary.failed[student] = why
                else:
                    todo.append(student)
            if todo:
                if not self.scheduler:
                    sandbox.warn_if_unavailable()  # loud, once; Dask workers warn on their side
                self._grade(todo, state, summary)
            self._save_failures(summary)
        summary.seconds = time.monotonic() - start
        summary.graded.sort()
        return summary

    def _save_failures(self, summary: GradeSummary) -> None:
        """Keep why each submission could not be graded, for `python -m course report`."""
        path = self.course.autograded / f".grade-failures-{self.assignment}.json"
        try:
            record = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            record = {}
        for student in summary.graded + summary.up_to_date:
            record.pop(student, None)
        record.update(summary.failed)
        path.write_text(json.dumps(dict(sorted(record.items())), indent=1, ensure_ascii=False))

    def _grade(self, todo: list[str], state: dict, summary: GradeSummary) -> None:
        from tqdm import tqdm

        pool = self.pool or (
            DaskPool(self.scheduler, self.limits)
            if self.scheduler
            else LocalPool(self.workers, self.limits)
        )
        summary.workers = (
            f"dask cluster {self.scheduler}"
            if self.scheduler
            else f"{self.workers} local worker(s)"
        )
        bar = tqdm(
            total=len(todo),
            desc=f"grading {self.assignment}",
            unit="sub",
            file=sys.stderr,
            disable=not self.progress,
            dynamic_ncols=True,
        )
        # Enough in flight to keep every slot busy while this process writes results.
        queue, in_flight, window = list(reversed(todo)), {}, 2 * pool.slots
        execute_config = self.writer.execute_config()
        aborted = True
        try:
            while queue or in_flight:
                while queue and len(in_flight) < window:
                    student = queue.pop()
                    try:
                        digest = self.digest(student)  # what is graded, even if resubmitted now
                        texts = self.writer.prepare(student)
                        request = {
                            "id": student,
                            "notebooks": texts,
                            "files": self._files(student),
                            "execute": execute_config,
                            "limits": _asdict(self.limits),
                            "before_test_cell": self.before_test_cell,
                        }
                    except GradingError as exc:
                        summary.failed[student] = str(exc)
                        bar.update()
                        continue
                    in_flight[pool.submit(request)] = (student, digest)
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for fut in done:
                    student, digest = in_flight.pop(fut)
                    self._record(student, digest, fut.result(), state, summary)
                    bar.update()
                    bar.set_postfix(failed=len(summary.failed), refresh=False)
            aborted = False
        finally:
            bar.close()
            pool.close(abort=aborted)

    def _record(
        self, student: str, digest: str, result: dict, state: dict, summary: GradeSummary
    ) -> None:
        summary.timings[student] = result.get("seconds", 0.0)
        if result.get("error"):
            summary.failed[student] = result["error"]
            return
        executed = {name: nbformat.from_dict(nb) for name, nb in result["notebooks"].items()}
        state.pop(student, None)
        self._save_state(state)  # a crash while writing must not leave "up to date" behind
        try:
            self.writer.write(student, executed)
        except GradingError as exc:
            summary.failed[student] = str(exc)
            return
        flags = [f for nb_flags in (result.get("integrity") or {}).values() for f in nb_flags]
        integrity.save_flags(self.course.autograded / student / self.assignment, flags)
        state[student] = {
            "sha256": digest,
            "graded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._save_state(state)
        summary.graded.append(student)
        if flags:
            summary.review[student] = integrity.summarize(flags)
        if result.get("aborted"):
            summary.flagged[student] = result["aborted"]


def grade(
    assignment: str = ASSIGNMENT,
    *,
    root: Path | str = REPO,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = True,
    pool: LocalPool | None = None,
) -> GradeSummary:
    """Grade every submission of `assignment` under `root`/submitted; returns the summary.

    pool: local workers already warming up (`course.workers.LocalPool`), or None to start them."""
    grader = Grader(
        Path(root),
        assignment,
        workers=workers,
        scheduler=scheduler,
        force=force,
        progress=progress,
        pool=pool,
    )
    try:
        return grader.run()
    finally:
        if pool is not None:
            # When run() had nothing to grade the workers are still warming up: stop them now.
            pool.close(abort=True)


def _asdict(limits: sandbox.Limits) -> dict:
    from dataclasses import asdict

    return asdict(limits)


class _exclusive:
    """One grade run per assignment at a time: two writers would race on gradebook.db."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.fh = open(self.path, "w")  # noqa: SIM115
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise GradeRefused(f"another `grade` run is using {self.path.parent}; wait for it")

    def __exit__(self, *exc):
        self.fh.close()


def _file_logger(path: Path) -> logging.Logger:
    log = logging.getLogger(f"course.grade.{path}")
    log.propagate = False
    log.setLevel(logging.INFO)
    if not log.handlers:
        handler = logging.FileHandler(path, mode="w")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
    return log
