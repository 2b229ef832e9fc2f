"""backprop_math, the third assignment (issue 20): the committed notebook follows the issue
(functions and signatures, stars, points, mark schemes, figures, grad_check pointers); every planted
misconception fails a visible check of its own exercise only, with its own hint; correct answers
written unusually (loops, einsum, float32, calling earlier exercises) keep full points; answers of
the wrong type, shape or value (None, strings, numbers, lists, NaN) make a visible check print its
FAIL line instead of raising; a small class grades the same with `course grade` and `nbgrader
autograde`.

The planted answers run in ONE kernel (tests/planted_matrix.py), each against its own exercise's
visible and hidden tests (no test cell calls another exercise's function, which a test checks):
every score comes from nbgrader's determine_grade on its own scored cells.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from planted_matrix import (
    assert_statement_structure,
    grade_class_both_ways,
    hint,
    meta,
    run_matrix,
    short_of_full,
    source_nb,
)

from course.authoring.misconceptions import misconceptions_for, planted_for
from course.authoring.planted import Misconception
from course.authoring.planted.backprop_math import MISCONCEPTIONS, UNUSUAL

ASSIGNMENT = "backprop_math"
# The contract of issue 20: tests outside the repository call these.
SIGNATURES = {
    1: "linear_backward(x, W, dY)",
    2: "softmax_ce_grad(logits, targets)",
    3: "numerical_gradient(f, x, eps=1e-6)",
    4: "embedding_backward(ids, dX, vocab_size)",
    5: "gelu_grad(x)",
    6: "rmsnorm_backward(dy, x, g, eps=1e-6)",
    7: "label_smoothing_grad(logits, targets, smoothing)",
    8: "layernorm_backward(dy, x, gamma, eps=1e-5)",
    9: "attention_backward(Q, K, V, dO, mask=None)",
    10: "mlp_backward(x, W1, b1, W2, b2, dY)",
}
STARS = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3, 9: 3, 10: 3}
# The figures the issue suggests: mass moving to the target, the lost update, GELU and its
# derivative, gradient norms through LayerNorm vs none (and two more).
FIGURES = {
    2: "softmax_ce_grad",
    3: "numerical_gradient",
    4: "embedding_backward",
    5: "gelu_grad",
    7: "label_smoothing_grad",
    8: "layernorm_backward",
}
# Answers of the wrong type, shape or value: a visible check must print FAIL, never raise first.
_NAN = {
    1: "tuple(np.full(np.shape(a), np.nan) for a in (x, W, np.asarray(W)[0]))",
    2: "np.full(np.shape(logits), np.nan)",
    3: "np.full(np.shape(x), np.nan)",
    4: "np.full((vocab_size, np.shape(dX)[-1]), np.nan)",
    5: "np.full(np.shape(x), np.nan)",
    6: "np.full(np.shape(x), np.nan), np.full(np.shape(g), np.nan)",
    7: "np.full(np.shape(logits), np.nan)",
    8: "np.full(np.shape(x), np.nan), np.full(np.shape(gamma), np.nan), np.full(np.shape(gamma), np.nan)",
    9: "tuple(np.full(np.shape(a), np.nan) for a in (Q, K, V))",
    10: "tuple(np.full(np.shape(a), np.nan) for a in (x, W1, b1, W2, b2))",
}
_ODD = {"none": "None", "string": "'gradient'", "number": "0.0", "list": "[[1.0, 2.0]]"}
HOSTILE = {
    f"{kind}_{n}": Misconception(n, SIGNATURES[n].split("(")[0], f"return {body}", kind)
    for n in STARS
    for kind, body in {**_ODD, "nan": _NAN[n]}.items()
}


def _by_id():
    return {meta(c)["grade_id"]: c for c in source_nb(ASSIGNMENT).cells if meta(c)}


def test_functions_stars_points_figures_and_pointers_follow_the_issue():
    by_id = _by_id()
    nb = source_nb(ASSIGNMENT)
    for n, stars in STARS.items():
        function = SIGNATURES[n].split("(")[0]
        answer = by_id[f"ex{n:02d}_{function}"]
        assert re.findall(r"^def (.+):$", answer.source, re.M) == [SIGNATURES[n]], n
        tests = by_id[f"ex{n:02d}_{function}_tests"]
        assert meta(tests)["points"] == stars and meta(tests)["locked"]
        visible, hidden = tests.source.split("### BEGIN HIDDEN TESTS")
        checks = re.compile(r"\b(check_\w+|grad_check)\(")
        assert visible.startswith('"""') and checks.search(visible) and checks.search(hidden)
        assert meta(by_id[f"ex{n:02d}_explain"])["points"] == 1
        assert "=== BEGIN MARK SCHEME ===" in by_id[f"ex{n:02d}_explain"].source
        statement = by_id[f"ex{n:02d}_statement"].source
        assert_statement_structure(statement, n, stars)
        # Exercises 6-10: students verify their own gradients with grad_check first.
        assert ("grad_check(" in statement) == (n >= 6), n
    for n, function in FIGURES.items():
        assert (
            f"try_figure(draw, {function!r})".replace("'", '"') in by_id[f"ex{n:02d}_figure"].source
        )
    assert sum(meta(c).get("points", 0) for c in nb.cells if c.cell_type == "code") == 20
    assert sum(meta(c).get("points", 0) for c in nb.cells if c.cell_type == "markdown") == 10
    assert not any(c.get("outputs") or c.get("execution_count") for c in nb.cells)


def test_four_misconceptions_per_exercise_with_hints_of_their_own_and_ten_unusual_answers():
    assert misconceptions_for(ASSIGNMENT) is MISCONCEPTIONS
    assert set(planted_for(ASSIGNMENT)) == set(MISCONCEPTIONS) | set(UNUSUAL)
    per_exercise = Counter(m.exercise for m in MISCONCEPTIONS.values())
    assert all(per_exercise[n] >= 4 for n in STARS), per_exercise
    hints = [(m.exercise, m.hint) for m in MISCONCEPTIONS.values()]
    assert all(h for _, h in hints) and len(set(hints)) == len(hints)
    assert len(UNUSUAL) >= 10 and len({u.exercise for u in UNUSUAL.values()}) == 10


def test_no_test_cell_calls_the_function_of_another_exercise():
    """So a planted answer can only change its own exercise's score: the matrix below runs each
    planted answer against its own exercise's tests only (16 s here; every exercise's tests for
    every planted answer took 60-119 s on this shared 2-core machine)."""
    functions = {n: s.split("(")[0] for n, s in SIGNATURES.items()}
    for gid, cell in _by_id().items():
        if gid.endswith("_tests"):
            n = int(gid[2:4])
            called = [
                f for m, f in functions.items() if m != n and re.search(rf"\b{f}\b", cell.source)
            ]
            assert not called, (gid, called)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> dict[str, dict[tuple[int, str], tuple[float, str]]]:
    planted = {**MISCONCEPTIONS, **UNUSUAL, **HOSTILE}
    return run_matrix(ASSIGNMENT, {}, STARS, tmp_path_factory.mktemp("run"), own_only=planted)


@pytest.mark.slow
def test_correct_answers_pass_every_visible_and_hidden_part_alone(matrix):
    assert len(matrix["correct"]) == 20 and not short_of_full(matrix["correct"])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MISCONCEPTIONS))
def test_misconception_fails_a_visible_check_of_its_own_exercise_only_with_its_own_hint(
    matrix, name
):
    wrong = MISCONCEPTIONS[name]
    scores = matrix[name]
    visible_score, visible_text = scores[(wrong.exercise, "visible")]
    assert visible_score == 0, f"{name} ({wrong.why}) passes the visible checks"
    assert re.search(r"^FAIL - ", visible_text, re.M) and "Takeaway:" not in visible_text
    assert wrong.hint in hint(visible_text), visible_text[-600:]
    others = [m for m in MISCONCEPTIONS.values() if m.exercise == wrong.exercise and m != wrong]
    assert not [m.hint for m in others if m.hint in hint(visible_text)]
    assert scores[(wrong.exercise, "hidden")][0] == 0, f"{name} passes the hidden tests"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(UNUSUAL))
def test_unusual_correct_answer_keeps_full_points(matrix, name):
    assert len(matrix[name]) == 2 and not short_of_full(matrix[name]), name


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_an_answer_of_the_wrong_type_or_value_prints_fail_before_anything_raises(matrix, name):
    n = HOSTILE[name].exercise
    score, text = matrix[name][(n, "visible")]
    assert score == 0 and re.search(r"^FAIL - ", text, re.M), text[-600:]
    errors = re.findall(r"^(\w+): ", text.split("\nFAIL - ")[-1].split("\n", 1)[-1], re.M)
    assert text.rstrip().splitlines()[-1].startswith("CheckFailed: "), (name, text[-600:], errors)


CLASS = {  # student -> (answers, expected autograded total)
    "ada": ({n: "correct" for n in STARS}, 20),
    "blank": ({}, 0),
    "half": ({n: "correct" for n in range(1, 6)}, 7),  # 1 + 1 + 1 + 2 + 2
    "mixed": (  # 20 - 1 - 2 - 3
        {**{n: "correct" for n in STARS}, 2: "ce_grad_sum", 6: "rms_no_eps", 9: "att_no_scale"},
        14,
    ),
    "unusual": (  # float32, bincount, composition: full points in both graders
        {
            **{n: "correct" for n in STARS},
            1: "lin_einsum_float32",
            4: "emb_bincount",
            10: "mlp_composes_1_and_5",
        },
        20,
    ),
}


@pytest.mark.slow
def test_release_is_current_and_a_class_grades_the_same_with_both_graders(tmp_path):
    """grade_class_both_ways asserts: the release is current, both graders give every grade the
    same score, and each student gets the total of CLASS."""
    grade_class_both_ways(tmp_path, ASSIGNMENT, CLASS)
