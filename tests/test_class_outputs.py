"""Feedback, CSV export and the class report, on one small class graded by plain `nbgrader autograde`.

The class is built by course.demo (course.authoring.misconceptions students) in a temporary directory and
graded once for the whole module (~3 s per submission).
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbgrader.api import Gradebook

from course.demo import Student, demo
from course.paths import ASSIGNMENT
from course.results.export import ExerciseScore, StudentScores
from course.results.feedback import hidden_lines
from course.results.report import check_messages, exercise_stats, failing_checks, pearson

CORRECT = {n: "correct" for n in range(1, 11)}
ROSTER = [
    Student("ada_correct", "all correct", CORRECT),
    Student("ben_blank", "blank"),
    Student("cal_late", "all correct, late", CORRECT, late=True),
    # Passes every visible check; fails hidden ones in ex01 (a 1-D id sequence) and ex08 (d = 8).
    Student(
        "fay_hidden",
        "hidden failures",
        {**CORRECT, 1: "embed_loops_2d_only", 8: "rope_first_two_pairs"},
    ),
    Student("gus_alibi", "alibi sign", {**CORRECT, 9: "alibi_sign_flipped"}),
    Student("zed_broken", "not JSON", broken=True),
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return demo(
        tmp_path_factory.mktemp("class") / "demo-class",
        roster=ROSTER,
        progress=False,
        grader="nbgrader",
    )


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    """What a reader sees: syntax highlighting splits code into spans, so compare text, not markup."""
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def secret_lines(course, student) -> set[str]:
    """Hidden-test source lines from the instructor notebook that the student's own notebook lacks."""
    source = nbformat.read(course.source_notebook(), as_version=4)
    hidden = set().union(*(hidden_lines(c.source) for c in source.cells))
    submitted = nbformat.read(course.submission_dir(student) / "exercises.ipynb", as_version=4)
    own = {line.strip() for c in submitted.cells for line in c.source.splitlines()}
    return {line for line in hidden if line not in own}


@pytest.mark.slow
def test_feedback_shows_no_hidden_test_source(graded):
    course = graded.course
    for student in ("ada_correct", "ben_blank", "cal_late", "fay_hidden", "gus_alibi"):
        secret = secret_lines(course, student)
        assert len(secret) > 50
        # Control: nbconvert's plain rendering of the same notebook (what nbgrader shows) leaks every line.
        autograded = nbformat.read(course.autograded_notebook(student), as_version=4)
        plain = page_text(HTMLExporter().from_notebook_node(autograded)[0])
        assert {line for line in secret if line in plain} == secret
        text = page_text((course.feedback / student / ASSIGNMENT / "exercises.html").read_text())
        leaked = sorted(line for line in secret if line in text)
        assert leaked == [], f"{student}: hidden test source in feedback: {leaked[:3]}"


@pytest.mark.slow
def test_feedback_shows_the_failing_hidden_checks_and_their_messages(graded):
    text = page_text(
        (graded.course.feedback / "fay_hidden" / ASSIGNMENT / "exercises.html").read_text()
    )
    assert (
        "FAIL - a 1-D sequence (T,) gives (T, d); repeated ids repeat rows: embed() raised" in text
    )
    assert "FAIL - d=8 vector at position 7 matches the RoPE formula: max |diff|" in text
    assert "hint: the frequency of pair k is base**(-k/d): divide the exponent by d" in text
    assert "CheckFailed: d=8 vector at position 7 matches the RoPE formula" in text
    assert "Traceback (most recent call last)" not in text
    # The visible part of each test cell is still shown, as in the release.
    assert (
        "X5 = np.array([[1.0, 2.0, 6.0], [3.0, 0.0, 6.0], [5.0, 4.0, 0.0], [3.0, 6.0, 4.0]])"
        in text
    )


@pytest.mark.slow
def test_feedback_still_shows_grades_and_late_penalty(graded):
    with Gradebook(graded.course.db_url) as gb:
        fay = gb.find_submission(ASSIGNMENT, "fay_hidden")
        fay_score, fay_max = fay.score, fay.max_score
    text = page_text(
        (graded.course.feedback / "fay_hidden" / ASSIGNMENT / "exercises.html").read_text()
    )
    assert f"Score: {fay_score:.1f} / {fay_max:.1f}" in text
    assert "Score: 0.0 / 1.0" in text and "Score: 2.0 / 2.0" in text  # ex01 lost, ex04 kept
    late = page_text(
        (graded.course.feedback / "cal_late" / ASSIGNMENT / "exercises.html").read_text()
    )
    assert "Late submission penalty" in late


def _read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_grades_csv_has_nbgrader_columns_and_gradebook_scores(graded):
    rows = {r["student_id"]: r for r in _read_csv(graded.grades_csv)}
    with open(graded.grades_csv) as fh:
        assert fh.readline().strip().split(",") == [
            "assignment",
            "duedate",
            "timestamp",
            "student_id",
            "last_name",
            "first_name",
            "email",
            "raw_score",
            "late_submission_penalty",
            "score",
            "max_score",
        ]
    assert float(rows["ada_correct"]["score"]) == 20.0
    assert float(rows["ben_blank"]["score"]) == 0.0
    assert float(rows["fay_hidden"]["score"]) == 16.0
    late = rows["cal_late"]
    # course.toml: 10 % of the points earned per started day late; cal is two days late.
    assert float(late["raw_score"]) == 20.0 and float(late["late_submission_penalty"]) == 4.0
    assert float(late["score"]) == 16.0 and late["duedate"].startswith("2026-03-02")


@pytest.mark.slow
def test_exercise_csv_has_points_per_exercise(graded):
    rows = {r["student_id"]: r for r in _read_csv(graded.exercise_csv)}
    exercises = [f"ex{n:02d}" for n in range(1, 11)]
    assert list(rows["ada_correct"])[:11] == ["student_id", *exercises]
    assert [float(rows["ada_correct"][e]) for e in exercises] == [1, 1, 1, 2, 2, 3, 3, 3, 2, 2]
    fay = [float(rows["fay_hidden"][e]) for e in exercises]
    assert fay == [0, 1, 1, 2, 2, 3, 3, 0, 2, 2]
    assert float(rows["gus_alibi"]["ex09"]) == 0 and float(rows["gus_alibi"]["ex10"]) == 2
    # Written answers are waiting for a grader: counted, and zero until graded.
    assert (
        int(rows["fay_hidden"]["written_ungraded"]) == 10
        and int(rows["ben_blank"]["written_ungraded"]) == 0
    )
    with Gradebook(graded.course.db_url) as gb:
        for student in ("ada_correct", "fay_hidden", "gus_alibi", "cal_late"):
            sub = gb.find_submission(ASSIGNMENT, student)
            assert sum(float(rows[student][e]) for e in exercises) == pytest.approx(sub.score)
            assert float(rows[student]["score"]) == pytest.approx(
                sub.score - sub.late_submission_penalty
            )


@pytest.mark.slow
def test_report_renders_every_section(graded):
    html = graded.report.read_text()
    for section in ("summary", "distribution", "exercises", "failing-checks", "grading-failures"):
        assert f'<section id="{section}">' in html
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', html)) == 3
    assert not re.search(r'(src|href)="https?:', html), "the report must be self-contained"
    text = page_text(html)
    for n in range(1, 11):
        assert f"ex{n:02d}" in text
    assert (
        "a 1-D sequence (T,) gives (T, d); repeated ids repeat rows" in text
    )  # ex01's hidden check
    assert "d=8 vector at position 7 matches the RoPE formula" in text
    # the blank student's stub
    assert "B x T ids become B x T x d vectors: embed() raised NotImplementedError" in text
    assert "zed_broken" in text.split("Submissions that failed to grade")[1]
    assert "ada_correct" not in text.split("Submissions that failed to grade")[1]


@pytest.mark.slow
def test_report_counts_a_failing_check_once_per_submission(graded):
    failing = failing_checks(ASSIGNMENT, graded.course)
    stats = {s.exercise: s for s in exercise_stats(graded.scores, failing)}
    assert (
        dict(stats["ex01"].failing)[
            "a 1-D sequence (T,) gives (T, d); repeated ids repeat rows: embed() raised TypeError"
        ]
        == 1
    )
    assert stats["ex01"].full_marks_rate == pytest.approx(3 / 5)
    assert stats["ex09"].full_marks_rate == pytest.approx(3 / 5)


def test_discrimination_is_pearson_and_undefined_without_variance():
    assert pearson([0, 1, 2], [1, 3, 5]) == pytest.approx(1.0)
    assert pearson([2, 1, 0], [1, 3, 5]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 3, 5]) is None
    assert pearson([1], [2]) is None
    rows = [
        StudentScores(
            s,
            {
                "ex01": ExerciseScore(tests=t, tests_max=2),
                "ex02": ExerciseScore(tests=1, tests_max=1),
            },
            raw_score=total,
            max_score=3,
        )
        for s, t, total in [("a", 2, 3), ("b", 0, 1), ("c", 2, 3), ("d", 1, 2)]
    ]
    ex01, ex02 = exercise_stats(rows, {})
    assert ex01.mean == pytest.approx(1.25) and ex01.full_marks_rate == pytest.approx(0.5)
    assert ex01.discrimination == pytest.approx(1.0)
    assert ex02.full_marks_rate == 1.0 and ex02.discrimination is None


def test_check_messages_prefer_fail_lines_over_the_assertion():
    cell = nbformat.v4.new_code_cell(
        outputs=[
            nbformat.v4.new_output(
                "stream",
                name="stdout",
                text="PASS - a\nFAIL - b: got 1.000000, expected 2.000000\n       hint: h\n",
            ),
            nbformat.v4.new_output("error", ename="AssertionError", evalue="b (h)", traceback=[]),
        ]
    )
    assert check_messages(cell) == ["b"]
    cell.outputs = [
        nbformat.v4.new_output(
            "error", ename="NameError", evalue="name 'x' is not defined", traceback=[]
        )
    ]
    assert check_messages(cell) == ["NameError: name 'x' is not defined"]
    # The shared check helpers' details (course/authoring/shared_cells/) are dropped too.
    cell.outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stdout",
            text="FAIL - c: max |diff| 3.1e-02 at [1, 2] (got 1, expected 2)\n"
            "FAIL - d: embed() raised IndexError: index 3 is out of bounds\n"
            "FAIL - e: center() changed its input X in place\n"
            "FAIL - f: relative error 1.0e+00 at [0, 0] (analytic 0, numerical 1)\n",
        )
    ]
    assert check_messages(cell) == ["c", "d: embed() raised IndexError", "e", "f"]


def test_hide_hidden_tests_keeps_messages_and_drops_code_from_every_output():
    from course.results.feedback import hide_hidden_tests

    source = (
        'check_true(f(1) == 1, "visible check")\n### BEGIN HIDDEN TESTS\n'
        'secret_value = f(123456)\ncheck_true(secret_value == 7, "hidden check")\n### END HIDDEN TESTS'
    )
    cell = nbformat.v4.new_code_cell(
        source,
        outputs=[
            nbformat.v4.new_output(
                "stream", name="stdout", text="PASS - visible check\nFAIL - hidden check\n"
            ),
            nbformat.v4.new_output(
                "stream",
                name="stderr",
                text="/tmp/ipykernel_1/2.py:3: RuntimeWarning: overflow\n  secret_value = f(123456)\n",
            ),
            nbformat.v4.new_output(
                "error",
                ename="AssertionError",
                evalue="hidden check",
                traceback=[
                    "Cell In[3], line 4",
                    '----> 4 check_true(secret_value == 7, "hidden check")',
                ],
            ),
        ],
    )
    hide_hidden_tests(cell)
    assert cell.source == 'check_true(f(1) == 1, "visible check")'
    assert cell.outputs[0].text == "PASS - visible check\nFAIL - hidden check\n"
    assert cell.outputs[1].text == "/tmp/ipykernel_1/2.py:3: RuntimeWarning: overflow\n"
    assert cell.outputs[2].traceback == ["AssertionError: hidden check"]


@pytest.mark.slow
def test_cli_verbs_report_export_feedback(graded, capsys):
    from course.cli import main

    root = str(graded.course.root)
    graded.report.unlink()
    assert main(["--course", root, "report", ASSIGNMENT]) == 0
    assert graded.report.exists() and str(graded.report) in capsys.readouterr().out
    assert main(["--course", root, "export", ASSIGNMENT]) == 0
    assert "grades_by_exercise.csv" in capsys.readouterr().out
    assert main(["--course", root, "export"]) == 0  # course-wide
    assert "grades_course.csv" in capsys.readouterr().out
    one = graded.course.feedback / "gus_alibi" / ASSIGNMENT / "exercises.html"
    one.unlink()
    assert main(["--course", root, "feedback", "--student", "gus_alibi"]) == 0
    assert one.exists()
