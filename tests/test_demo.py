"""The demo class: who is in it, where it is built, and a small one graded by `python -m course grade`."""

from __future__ import annotations

import csv

import pytest

from course.authoring import misconceptions as mc
from course.demo import MARKER, Student, default_roster, demo
from course.errors import DemoRefused
from course.paths import ASSIGNMENT, REPO


def test_default_roster_has_correct_blank_late_every_misconception_and_mixes():
    roster = default_roster()
    ids = [s.id for s in roster]
    assert len(ids) == len(set(ids))
    everything = set(range(1, 11))
    assert any(
        not s.late and set(s.answers) == everything and set(s.answers.values()) == {"correct"}
        for s in roster
    )
    assert any(not s.answers and not s.broken for s in roster)  # blank
    assert any(s.late and set(s.answers.values()) == {"correct"} for s in roster)
    planted = {choice for s in roster for choice in s.answers.values()}
    assert set(mc.MISCONCEPTIONS) <= planted

    def kinds(s):
        return [
            s.answers.get(n, "blank")
            if s.answers.get(n, "blank") in ("correct", "blank")
            else "wrong"
            for n in everything
        ]

    # A mix: not just "all correct but one misconception", and not a single kind of answer.
    mixes = [
        s
        for s in roster
        if len(set(kinds(s))) >= 2
        and kinds(s).count("wrong") != 1
        or {"correct", "blank"} <= set(kinds(s))
    ]
    assert len(mixes) >= 2
    assert any(s.broken for s in roster)


def test_demo_class_lives_in_a_git_ignored_directory():
    ignored = (REPO / ".gitignore").read_text().split()
    assert "demo-class/" in ignored


def test_demo_refuses_to_wipe_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "precious.txt").write_text("not a demo")
    with pytest.raises(DemoRefused):
        demo(tmp_path, roster=[])
    assert (tmp_path / "precious.txt").exists()


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    roster = [
        Student("ada_correct", "all correct", {n: "correct" for n in range(1, 11)}),
        Student("cal_late", "late", {n: "correct" for n in range(1, 11)}, late=True),
        Student(
            "ivy_extended",
            "late with an extension",
            {n: "correct" for n in range(1, 11)},
            late=True,
            extension=True,
        ),
        Student(
            "m_alibi_sign_flipped",
            "alibi",
            {**{n: "correct" for n in range(1, 11)}, 9: "alibi_sign_flipped"},
        ),
        Student("zed_broken", "not JSON", broken=True),
    ]
    return demo(
        tmp_path_factory.mktemp("demo") / "demo-class", roster=roster, workers=2, progress=False
    )


@pytest.mark.slow
def test_demo_grades_with_course_grade_and_writes_everything(small_demo):
    d = small_demo
    assert (d.course.root / MARKER).exists()
    assert {r.student_id for r in d.scores} == {
        "ada_correct",
        "cal_late",
        "ivy_extended",
        "m_alibi_sign_flipped",
    }
    by_id = {r.student_id: r for r in d.scores}
    assert (
        by_id["ada_correct"].score == 20
        and by_id["m_alibi_sign_flipped"].exercises["ex09"].tests == 0
    )
    # course.toml: each started day late costs 10 %; two days late -> 20 % of 20 points.
    assert by_id["cal_late"].raw_score == 20 and by_id["cal_late"].score == 16
    assert by_id["ivy_extended"].late_penalty == 0 and by_id["ivy_extended"].score == 20
    assert [s for s, _ in d.failures] == ["zed_broken"]
    assert "JSON" in dict(d.failures)["zed_broken"]
    assert sorted(p.parent.parent.name for p in d.feedback) == sorted(by_id)
    assert d.report.exists() and d.grades_csv.exists() and d.exercise_csv.exists()
    with open(d.grades_csv) as fh:
        assert {r["student_id"] for r in csv.DictReader(fh)} >= set(by_id)


@pytest.mark.slow
def test_demo_term_has_two_assignments_a_late_student_and_an_extension(small_demo):
    files = {p.name: p for p in small_demo.course_files}
    with open(files["grades_course.csv"]) as fh:
        wide = {r["student_id"]: r for r in csv.DictReader(fh)}
    # dot_products: 3 points, 25 % per started day; cal is late by 1 day 3 h -> 2 days -> 1.5.
    assert wide["ada_correct"]["dot_products"] == "3" and wide["cal_late"]["dot_products"] == "1.5"
    assert wide["cal_late"]["embedding_space_math"] == "16"
    assert wide["cal_late"]["total"] == "17.5"
    assert wide["ivy_extended"]["embedding_space_math"] == "20"
    with open(files["lateness.csv"]) as fh:
        late = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(fh)}
    assert late[("ivy_extended", "embedding_space_math")]["extension"] == "3 days, 0:00:00"
    assert late[("ivy_extended", "embedding_space_math")]["penalty_fraction"] == "0"
    assert "Dot products (demo)" in files["index.html"].read_text()


@pytest.mark.slow
def test_demo_summary_prints_the_table_and_where_things_are(small_demo):
    text = small_demo.summary()
    for student in ("ada_correct", "cal_late", "m_alibi_sign_flipped", "zed_broken"):
        assert student in text
    assert "not graded" in text
    for path in (
        small_demo.report,
        small_demo.grades_csv,
        small_demo.exercise_csv,
        small_demo.similarity,
    ):
        assert path and path.exists() and str(path) in text
    assert f"feedback/<student>/{ASSIGNMENT}" in text
