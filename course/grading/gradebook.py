"""The writer's gradebook: nbgrader's own Gradebook, on one connection, committed in batches.

Runs in: the grader process (the single gradebook writer, course.grading.writer).

Why: writing one submission through nbgrader's Autograde opens nine `Gradebook`s (each a new
SQLAlchemy engine, table inspection and `create_all`) and commits ~50 times (SaveAutoGrades
commits per cell). Each SQLite commit waits for fsync: measured 8 ms a commit on the
development machine under load, 20 s of a 40-submission class, all of it on the one thread
that every grade goes through.

How, without changing a single query nbgrader makes: while a `Batch` is open, every
`Gradebook(db_url)` that nbgrader's converter and preprocessors create (this class stands in
for theirs, see `install`) uses one SQLite connection inside one transaction. nbgrader's
`commit()` becomes a savepoint (RELEASE + SAVEPOINT) and its `rollback()` goes back to the last
one, so each nbgrader call behaves exactly as before within the batch; `Batch.commit()` makes
the batch durable in one fsync. A crash before that loses the whole batch from the gradebook,
never half of it, and the grader records a submission as graded (course.grading.state) only
after its batch committed, so a rerun grades it again: no grade is ever lost or duplicated.
Outside a batch the class is nbgrader's Gradebook unchanged.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from pathlib import Path

from nbgrader import api
from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

from course.grading.stages import Stages

SAVEPOINT = "course_writer"
# nbgrader modules that construct a Gradebook while autograding one submission.
NBGRADER_USERS = (
    "nbgrader.converters.autograde",
    "nbgrader.preprocessors.saveautogrades",
    "nbgrader.preprocessors.latesubmissions",
    "nbgrader.preprocessors.overwritecells",
    "nbgrader.preprocessors.overwritekernelspec",
)


class _BatchConnection:
    """A sqlite3 connection whose commit/rollback are savepoints inside the batch transaction
    (SQLAlchemy's pool and dialect call only commit, rollback, cursor, close and attributes)."""

    def __init__(self, path: str):
        self._raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._raw.execute("BEGIN")
        self._raw.execute(f"SAVEPOINT {SAVEPOINT}")

    def commit(self) -> None:  # nbgrader's commit: durable when the batch commits
        self._raw.execute(f"RELEASE {SAVEPOINT}")
        self._raw.execute(f"SAVEPOINT {SAVEPOINT}")

    def rollback(self) -> None:  # back to nbgrader's last commit, as a real rollback would
        self._raw.execute(f"ROLLBACK TO {SAVEPOINT}")

    def close(self) -> None:  # the pool "closes" it when nbgrader disposes its engine
        pass

    def finish(self, keep: bool) -> None:
        self._raw.execute(f"ROLLBACK TO {SAVEPOINT}")  # work after nbgrader's last commit
        self._raw.execute(f"RELEASE {SAVEPOINT}")
        self._raw.execute("COMMIT" if keep else "ROLLBACK")
        self._raw.close()

    def __getattr__(self, name):
        return getattr(self._raw, name)


class Batch:
    """One transaction for the gradebook writes of several submissions (see module doc)."""

    current: Batch | None = None  # the open batch of this process (one writer per process)

    def __init__(self, db_url: str, stages: Stages | None = None):
        if not db_url.startswith("sqlite:///"):
            raise ValueError(f"batched writes need a SQLite gradebook, not {db_url}")
        self.db_url, self.stages = db_url, stages
        self.conn = _BatchConnection(db_url[len("sqlite:///") :])
        self.engine = _batch_engine()
        Batch.current = self

    def commit(self, keep: bool = True) -> None:
        """Make every write since the batch began durable (keep=False: drop them)."""
        start = time.perf_counter()
        Batch.current = None
        self.engine.dispose()
        self.conn.finish(keep)
        if self.stages is not None:
            self.stages.add("commit", time.perf_counter() - start, 0.0)


def _current_connection() -> _BatchConnection:
    if Batch.current is None:
        raise RuntimeError("the batch engine was used outside a batch")
    return Batch.current.conn


@functools.cache
def _batch_engine():
    """One engine for every batch of this process; each batch's `dispose()` empties its pool,
    so the next checkout gets the next batch's connection. One engine keeps SQLAlchemy's
    compiled-statement cache (per engine and dialect) warm: with an engine per batch, a class of
    40 compiled nbgrader's ~40 statements 373 times; now 40 times (2026-11-28)."""
    return create_engine(
        "sqlite://", creator=_current_connection, poolclass=StaticPool, future=True
    )


# Wall and CPU seconds this process spent in Gradebook calls (the "gradebook" stage).
SPENT = [0.0, 0.0]
_depth = [0]


def _timed(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _depth[0]:  # a Gradebook method calling another: counted once
            return fn(*args, **kwargs)
        _depth[0] += 1
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _depth[0] -= 1
            SPENT[0] += time.perf_counter() - wall
            SPENT[1] += time.thread_time() - cpu

    return wrapper


class Gradebook(api.Gradebook):
    """nbgrader's Gradebook; on the open Batch's connection while there is one."""

    @_timed
    def __init__(self, db_url: str, course_id: str = "default_course", authenticator=None):
        batch = Batch.current
        if batch is None or not _same_db(db_url, batch.db_url):
            super().__init__(db_url, course_id, authenticator)
            # nbgrader commits outside its methods too
            self.db.commit = _timed(self.db.commit)  # type: ignore[has-type]
            return
        # api.Gradebook.__init__ minus the engine and the schema check (the batch's database
        # was opened by a plain Gradebook first: the assignment is in it).
        self.engine = batch.engine
        self.db = scoped_session(sessionmaker(autoflush=True, bind=self.engine, future=True))
        self.db.commit = _timed(self.db.commit)  # type: ignore[method-assign]
        self.check_course(course_id=course_id)
        self.course_id = course_id
        self.authenticator = authenticator

    @_timed
    def close(self) -> None:
        if Batch.current is not None and self.engine is Batch.current.engine:
            self.db.remove()  # the batch's engine and connection stay open
        else:
            super().close()


for _name, _fn in vars(api.Gradebook).items():
    if callable(_fn) and not _name.startswith("_") and _name not in vars(Gradebook):
        setattr(Gradebook, _name, _timed(_fn))


def _same_db(a: str, b: str) -> bool:
    def path(url: str) -> Path | None:
        return Path(url[len("sqlite:///") :]).resolve() if url.startswith("sqlite:///") else None

    return path(a) is not None and path(a) == path(b)


def install() -> None:
    """Process-wide: nbgrader's autograde code constructs this Gradebook (idempotent)."""
    import importlib

    for name in NBGRADER_USERS:
        module = importlib.import_module(name)
        if getattr(module, "Gradebook", None) is api.Gradebook:
            module.Gradebook = Gradebook  # type: ignore[attr-defined]
