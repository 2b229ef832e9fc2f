"""The planted answers (course/authoring/planted/embedding_space_math/) against the real notebook, graded as nbgrader
grades it (hidden tests restored, nbgrader's Execute, determine_grade).

- every test cell fails on the blank notebook, and the solution earns every point;
- each misconception fails a *visible* check of its own exercise (the cell stops before its
  closing takeaway line), prints its own hint, and costs no other exercise a point;
- hidden-only mistakes pass the visible checks and fail a hidden one;
- correct answers written with loops, lists, bool/int one-hot, complex numbers or float32 earn
  full points.

Notebooks run in kernels forked from one warm parent (course.worker.forkserver, as the grader does):
~0.5 s per notebook instead of ~4 s for a freshly started kernel, so the ~50 executions here
take about a minute on 2 cores.
"""

from __future__ import annotations

import re
from collections import defaultdict

import nbformat
import pytest
from conftest import with_hidden_tests
from nbgrader.utils import determine_grade, is_grade

from course.authoring.misconceptions import (
    CORRECT_VARIANTS,
    HIDDEN_ONLY,
    MISCONCEPTIONS,
    all_correct,
    student_notebook,
)
from course.paths import CourseDir
from course.sandbox import limits as sandbox
from course.worker import execute, forkkernel
from course.worker.forkserver import ForkServer

pytestmark = pytest.mark.slow

ALL = range(1, 11)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    server = ForkServer(sandbox.Limits())
    forkkernel.ForkKernelManager.server = server

    def graded(nb) -> dict[str, tuple[float, float, str]]:
        """grade_id -> (score, max score, everything the test cell printed)."""
        nb = with_hidden_tests(nb)
        nb, aborted = execute.execute_notebook(nb, tmp_path_factory.mktemp("run"))
        assert aborted is None, aborted
        out = {}
        for cell in nb.cells:
            if is_grade(cell) and cell.cell_type == "code":
                text = "".join(o.get("text", "") for o in cell.outputs)
                text += "".join(f"\n{o.ename}: {o.evalue}" for o in cell.outputs if "ename" in o)
                out[cell.metadata.nbgrader.grade_id] = (*determine_grade(cell), text)
        return out

    yield graded
    forkkernel.ForkKernelManager.server = None
    server.close()


def _exercise(grade_id: str) -> int:
    return int(grade_id[2:4])


def _hints(text: str) -> list[str]:
    return re.findall(r"^ +hint: (.*)$", text, re.M)


def test_every_exercise_has_three_misconceptions_with_hints_of_their_own():
    by_exercise = defaultdict(list)
    for m in MISCONCEPTIONS.values():
        by_exercise[m.exercise].append(m)
    assert sorted(by_exercise) == list(ALL)
    for n, ms in by_exercise.items():
        assert len(ms) >= 3, f"exercise {n} has {len(ms)} misconceptions"
        hints = [m.hint for m in ms]
        assert all(hints) and len(set(hints)) == len(hints), (n, hints)


@pytest.mark.slow
def test_correct_answers_earn_every_autograded_point(run):
    scores = run(all_correct())
    assert len(scores) == 10
    assert all(score == top for score, top, _ in scores.values()), scores


@pytest.mark.slow
def test_blank_notebook_fails_every_test_cell(run):
    scores = run(student_notebook({}))
    assert len(scores) == 10
    assert all(score == 0 for score, _, _ in scores.values()), scores
    for text in (t for _, _, t in scores.values()):
        assert "is not written yet" in text and "Takeaway:" not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MISCONCEPTIONS))
def test_misconception_fails_a_visible_check_of_its_exercise_only_with_its_own_hint(run, name):
    wrong = MISCONCEPTIONS[name]
    answers = {n: "correct" for n in ALL}
    answers[wrong.exercise] = name
    for grade_id, (score, top, text) in run(student_notebook(answers)).items():
        if _exercise(grade_id) != wrong.exercise:
            assert score == top, f"{name} in exercise {wrong.exercise} also fails {grade_id}"
            continue
        assert score == 0, f"{name} ({wrong.why}) is not caught by {grade_id}"
        assert "Takeaway:" not in text, f"{name} passes every visible check of {grade_id}"
        assert re.search(r"^FAIL - .+", text, re.M), text
        hints = _hints(text)
        assert len(hints) == 1 and wrong.hint in hints[0], f"{name}: hints {hints}"
        others = [m for m in MISCONCEPTIONS.values() if m.exercise == wrong.exercise]
        assert not [m.hint for m in others if m is not wrong and m.hint in hints[0]], hints


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HIDDEN_ONLY))
def test_hidden_only_mistakes_pass_visible_checks_and_fail_a_hidden_one(run, name):
    wrong = HIDDEN_ONLY[name]
    scores = run(student_notebook({**{n: "correct" for n in ALL}, wrong.exercise: name}))
    for grade_id, (score, top, text) in scores.items():
        if _exercise(grade_id) == wrong.exercise:
            assert score == 0 and "Takeaway:" in text and "FAIL - " in text, text
        else:
            assert score == top, grade_id


@pytest.mark.slow
def test_unusual_correct_answers_earn_full_points(run):
    by_exercise = defaultdict(list)
    for name, variant in CORRECT_VARIANTS.items():
        by_exercise[variant.exercise].append(name)
    rounds = max(len(v) for v in by_exercise.values())
    for i in range(rounds):
        answers = {n: "correct" for n in ALL}
        answers.update({n: names[i] for n, names in by_exercise.items() if i < len(names)})
        scores = run(student_notebook(answers))
        failed = {g: t[-400:] for g, (s, top, t) in scores.items() if s != top}
        assert not failed, (answers, failed)


@pytest.mark.slow
@pytest.mark.parametrize("exercise,function", [(2, "one_hot_lookup"), (3, "nearest_neighbor")])
def test_an_unwritten_second_function_stops_the_visible_checks(run, exercise, function):
    """The scoreboard counts an exercise only when its cell reaches takeaway(): it must not."""
    nb = all_correct()
    release = nbformat.read(CourseDir().release_notebook(), as_version=4)
    stub = next(c.source for c in release.cells if f"def {function}(" in c.source)
    cell = next(c for c in nb.cells if f"def {function}(" in c.source and "nbgrader" in c.metadata)
    cell.source = cell.source.split(f"def {function}(")[0] + stub[stub.index(f"def {function}(") :]
    scores = run(nb)
    (score, _, text), *_ = [v for g, v in scores.items() if _exercise(g) == exercise]
    assert score == 0 and "Takeaway:" not in text
    assert f"{function}() raised NotImplementedError" in text
