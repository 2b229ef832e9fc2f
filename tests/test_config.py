"""course.toml: the committed file loads, and each kind of mistake is refused with file:line: reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from course.config import CourseConfigError, LateRule, load, load_course
from course.paths import REPO

GOOD = """\
[course]
id = "c"
title = "A course"

[[assignment]]
id = "one"
title = "One"
due = 2026-03-02T23:59:00+01:00
late = { per_day = 0.25, max_days = 2 }

[[assignment]]
id = "two"
title = "Two"
due = "2026-04-01T12:00:00Z"
"""


@pytest.fixture
def course_dir(tmp_path):
    for aid, notebooks in (("one", ["a", "b"]), ("two", ["only"])):
        (tmp_path / "source" / aid).mkdir(parents=True)
        for nb in notebooks:
            (tmp_path / "source" / aid / f"{nb}.ipynb").write_text("{}")
    return tmp_path


def write(course_dir, text):
    path = course_dir / "course.toml"
    path.write_text(text)
    return path


def test_the_repository_course_file_lists_every_source_folder():
    course = load(REPO)
    assert sorted(course.ids) == sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
    assert all(a.due.tzinfo is not None for a in course.assignments)


def test_a_good_file_loads_with_utc_due_dates_late_rules_and_several_notebooks(course_dir):
    course = load_course(write(course_dir, GOOD))
    one, two = course.assignments
    assert (one.id, one.title, one.notebooks) == ("one", "One", ("a", "b"))
    assert one.due == datetime(2026, 3, 2, 22, 59, tzinfo=UTC)
    assert one.late == LateRule(0.25, 2)
    assert two.late is None and two.due == datetime(2026, 4, 1, 12, tzinfo=UTC)
    assert course.assignment("two") is two


def test_late_rule_charges_each_started_day_and_zeroes_past_max_days():
    rule = LateRule(0.10, 5)
    assert rule.fraction(timedelta(0)) == 0
    assert rule.fraction(-timedelta(days=3)) == 0
    assert rule.fraction(timedelta(seconds=1)) == pytest.approx(0.10)
    assert rule.fraction(timedelta(days=1)) == pytest.approx(0.10)
    assert rule.fraction(timedelta(days=1, seconds=1)) == pytest.approx(0.20)
    assert rule.fraction(timedelta(days=5)) == pytest.approx(0.50)
    assert rule.fraction(timedelta(days=5, seconds=1)) == 1.0
    assert LateRule(0.5).fraction(timedelta(days=7)) == 1.0  # never more than everything


@pytest.mark.parametrize(
    "old, new, line, reason",
    [
        ('title = "One"', 'title = "One"\ncolour = "red"', 8, "unknown key 'colour'"),
        ("due = 2026-03-02T23:59:00+01:00", 'due = "next tuesday"', 8, "not an ISO 8601"),
        ("due = 2026-03-02T23:59:00+01:00", "due = 2026-03-02T23:59:00", 8, "no UTC offset"),
        ("due = 2026-03-02T23:59:00+01:00", "due = 2026-03-02", 8, "no time"),
        ('id = "two"', 'id = "three"', 12, "has no folder"),
        ('id = "two"', 'id = "one"', 12, "listed twice"),
        ("per_day = 0.25", "per_day = 25", 9, "late.per_day"),
        ("max_days = 2", "max_dayz = 2", 9, "unknown key 'max_dayz' in late"),
        ('title = "A course"', 'title = "A course"\nterm = 3', 4, "unknown key 'term' in [course]"),
        ('title = "Two"\n', 'title = "Two"\ndue = 1\n', 15, "Cannot overwrite"),
        ('id = "one"', "id = one", 6, "Invalid value"),
    ],
)
def test_mistakes_are_refused_with_file_line_and_reason(course_dir, old, new, line, reason):
    assert old in GOOD
    path = write(course_dir, GOOD.replace(old, new, 1))
    with pytest.raises(CourseConfigError) as err:
        load_course(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message
    assert "\n" not in message


def test_a_missing_file_or_unknown_assignment_is_named(course_dir):
    with pytest.raises(CourseConfigError, match="no course file"):
        load_course(course_dir / "course.toml")
    course = load_course(write(course_dir, GOOD))
    with pytest.raises(CourseConfigError, match="no assignment 'nine'.*one, two"):
        course.assignment("nine")
