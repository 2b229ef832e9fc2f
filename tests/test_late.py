"""Arrival times, forged claims and the regrade diff's wording: the pure parts, fast."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from course.paths import CourseDir
from course.results.arrival import (
    TOLERANCE,
    Arrival,
    arrived_at,
    load_arrivals,
    record_arrival,
    record_collected,
)
from course.results.regrade import Change, describe, diff

T = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)


def test_an_honest_claim_counts_and_a_forged_one_does_not():
    honest = Arrival(arrived=T + timedelta(seconds=3), claimed=T, source="test")
    assert not honest.forged and honest.effective == T  # 23:59 submit landing at 23:59:03
    forged = Arrival(arrived=T + timedelta(days=2), claimed=T - timedelta(hours=1), source="test")
    assert forged.forged and forged.effective == T + timedelta(days=2)
    edge = Arrival(arrived=T + TOLERANCE + timedelta(seconds=1), claimed=T, source="test")
    assert edge.forged
    unknown = Arrival(arrived=T, claimed=None, source="test")
    assert not unknown.forged and unknown.effective == T
    later_claim = Arrival(arrived=T, claimed=T + timedelta(days=1), source="test")
    assert later_claim.effective == T  # never later than the server saw it


def test_arrival_is_the_newest_ctime_in_the_entry_and_touching_it_only_moves_it_later(tmp_path):
    entry = tmp_path / "ada+a1+2020-01-01 00:00:00.000000 UTC+abc"
    entry.mkdir()
    (entry / "exercises.ipynb").write_text("{}")
    first = arrived_at(entry)
    assert abs((datetime.now(UTC) - first).total_seconds()) < 60
    # A student who sets the file's mtime back to 2020 changes its ctime to now.
    time.sleep(0.05)
    os.utime(entry / "exercises.ipynb", (1577836800, 1577836800))
    assert arrived_at(entry) >= first


def test_collect_records_the_entry_nbgrader_took_with_the_students_claim(tmp_path):
    course = CourseDir(tmp_path)
    inbound = tmp_path / "inbound"
    old = inbound / "ada+a1+2026-03-01 10:00:00.000000 UTC+r1"
    new = inbound / "ada+a1+2026-03-02 10:00:00.000000 UTC+r2"
    for entry in (old, new):
        entry.mkdir(parents=True)
        (entry / "timestamp.txt").write_text(entry.name.split("+")[2])
    # nbgrader collect copied the newest one into submitted/.
    submitted = course.submission_dir("ada", "a1")
    submitted.mkdir(parents=True)
    (submitted / "timestamp.txt").write_text((new / "timestamp.txt").read_text())
    seen = record_collected(course=course, assignment="a1", inbound=inbound)
    assert set(seen) == {"ada"} and seen["ada"].entry == new.name
    assert seen["ada"].claimed == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert seen["ada"].forged  # claims March, arrived now
    assert load_arrivals(course, "a1") == seen
    # Another caller (the grade-on-submit service) records through the same function.
    record_arrival(course, "a1", "ben", T, T, "grade-on-submit")
    assert set(load_arrivals(course, "a1")) == {"ada", "ben"}


def test_regrade_diff_names_students_cells_and_says_when_nothing_changed():
    before = {("ada", "nb", "t1"): 2.0, ("ada", "nb", "t2"): 1.0, ("ben", "nb", "t1"): 0.0}
    after = {("ada", "nb", "t1"): 0.0, ("ada", "nb", "t2"): 1.0, ("ben", "nb", "t1"): 2.0}
    changes = diff(before, after)
    assert changes == [Change("ada", "nb", "t1", 2.0, 0.0), Change("ben", "nb", "t1", 0.0, 2.0)]
    text = describe("a1", changes, 2)
    assert "ada: lost 2 point(s) (t1 -2)" in text and "ben: gained 2 point(s) (t1 +2)" in text
    assert "no score changed" in describe("a1", diff(before, before), 2)


def test_students_at_risk_missed_a_deadline_scored_low_or_fell():
    from pathlib import Path

    from course.config import Assignment, Course
    from course.results.course_export import CourseGrades, Person
    from course.results.course_report import at_risk

    def a(aid, days):
        return Assignment(aid, aid, T + timedelta(days=days), None, ("nb",))

    config = Course("c", "C", Path("course.toml"), (a("a1", 0), a("a2", 7), a("a3", 30)))
    people = [Person(p) for p in ("ok", "gone", "low", "fell")]
    scores = {
        "a1": {"ok": 9, "gone": 9, "low": 3, "fell": 10},
        "a2": {"ok": 8, "low": 4, "fell": 7},
        "a3": {},  # not due yet: nobody is missing it
    }
    grades = CourseGrades(config, people, scores, {"a1": 10, "a2": 10, "a3": 10}, {})
    grades.late = {aid: {} for aid in config.ids}
    risky = dict(at_risk(grades, now=T + timedelta(days=10)))
    assert set(risky) == {"gone", "low", "fell"}
    assert risky["gone"] == "missing a2"
    assert "latest score 40%" in risky["low"]
    assert "fell from 100% to 70%" in risky["fell"]


def test_the_grade_on_submit_ledger_counts_for_the_submission_in_submitted(tmp_path):
    from course.hub.ledger import Arrival as Seen
    from course.hub.ledger import Ledger

    course = CourseDir(tmp_path)
    folder = course.submission_dir("cy", "a1")
    folder.mkdir(parents=True)
    claim = "2026-03-02 20:00:00.000000 UTC"
    (folder / "timestamp.txt").write_text(claim)
    received = (T + timedelta(days=1)).isoformat()
    for entry, claimed in (("old", "2026-03-01 09:00:00.000000 UTC"), ("new", claim)):
        Ledger(tmp_path).arrived(Seen(entry, "cy", "a1", claimed, received, received))
    (seen,) = load_arrivals(course, "a1").values()
    assert (seen.entry, seen.source) == ("new", "grade-on-submit")
    assert seen.forged and seen.effective == T + timedelta(days=1)
