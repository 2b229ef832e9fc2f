"""Every test cell fails on the blank notebook, and each planted misconception is caught by its own
exercise's tests and by no other exercise's tests."""

from __future__ import annotations

import pytest
from conftest import execute_and_score

from course.authoring.misconceptions import MISCONCEPTIONS, all_correct, student_notebook

pytestmark = pytest.mark.slow

ALL = range(1, 11)


def _exercise(grade_id: str) -> int:
    return int(grade_id[2:4])


def test_correct_answers_earn_every_autograded_point():
    scores = execute_and_score(all_correct())
    assert len(scores) == 10
    assert all(score == max_score for score, max_score in scores.values()), scores


def test_blank_notebook_fails_every_test_cell():
    scores = execute_and_score(student_notebook({}))
    assert len(scores) == 10
    assert all(score == 0 for score, _ in scores.values()), scores


@pytest.mark.parametrize("name", sorted(MISCONCEPTIONS))
def test_misconception_fails_its_exercise_only(name):
    wrong = MISCONCEPTIONS[name]
    answers = {n: "correct" for n in ALL}
    answers[wrong.exercise] = name
    scores = execute_and_score(student_notebook(answers))
    for grade_id, (score, max_score) in scores.items():
        if _exercise(grade_id) == wrong.exercise:
            assert score < max_score, f"{name} ({wrong.why}) is not caught by {grade_id}"
        else:
            assert score == max_score, f"{name} in exercise {wrong.exercise} also fails {grade_id}"
