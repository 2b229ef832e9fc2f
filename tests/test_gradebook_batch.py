"""The writer's batched gradebook (course.grading.gradebook): nbgrader's Gradebook calls inside
one transaction, durable only when the batch commits, with nbgrader's own commit/rollback
semantics kept per call. Unit tests on a real SQLite gradebook made by nbgrader."""

from __future__ import annotations

import sqlite3

import pytest
from nbgrader.api import Gradebook as PlainGradebook

from course.grading.gradebook import Batch, Gradebook


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    # nbgrader asks alembic for its version (seconds) only for an empty file; not needed here.
    con = sqlite3.connect(tmp_path / "gradebook.db")
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.close()
    with PlainGradebook(url, "course") as gb:  # creates the schema, as `release` does
        gb.add_assignment("hw")
    return url, tmp_path / "gradebook.db"


def students(path) -> list[str]:
    con = sqlite3.connect(path)  # another connection: sees only committed data
    try:
        return sorted(r[0] for r in con.execute("SELECT id FROM student"))
    finally:
        con.close()


def test_writes_are_durable_only_when_the_batch_commits(db):
    url, path = db
    batch = Batch(url)
    for sid in ("ada", "bob"):
        with Gradebook(url, "course") as gb:
            gb.update_or_create_student(sid)  # commits, as nbgrader does
    assert students(path) == []
    batch.commit()
    assert students(path) == ["ada", "bob"]
    assert Batch.current is None


def test_a_crash_before_commit_loses_the_whole_batch_and_nothing_else(db):
    url, path = db
    with Gradebook(url, "course") as gb:  # no batch open: nbgrader's plain behaviour
        gb.update_or_create_student("before")
    batch = Batch(url)
    with Gradebook(url, "course") as gb:
        gb.update_or_create_student("lost")
    batch.commit(keep=False)  # what a kill -9 amounts to: the transaction never commits
    assert students(path) == ["before"]


def test_nbgrader_rollback_goes_back_to_its_last_commit_only(db):
    url, path = db
    batch = Batch(url)
    with Gradebook(url, "course") as gb:
        gb.update_or_create_student("kept")
        gb.db.add(gb.find_student("kept").__class__(id="half"))
        gb.db.flush()  # written but not committed by nbgrader ...
        gb.db.rollback()  # ... and rolled back, as nbgrader does on an error
    batch.commit()
    assert students(path) == ["kept"]


def test_gradebooks_of_other_databases_are_not_batched(db, tmp_path):
    url, path = db
    other = f"sqlite:///{tmp_path / 'other.db'}"
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE alembic_version (v TEXT)")
    batch = Batch(url)
    with Gradebook(other, "course") as gb:
        gb.update_or_create_student("elsewhere")
        assert gb.engine is not batch.engine
    batch.commit()
    assert students(tmp_path / "other.db") == ["elsewhere"]
