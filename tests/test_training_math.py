"""training_math, the fourth assignment: the committed notebook follows issue 21 (functions, stars,
points, figures, written answers, the quoted figures of real models); every planted misconception
fails a visible check of its own exercise and of no other, with a hint of its own; correct but
unusual answers keep full points; answers of the wrong type stop a visible check at its FAIL line;
a small class gets the same scores from `nbgrader autograde` and `course grade`.

All planted answers run in ONE kernel (tests/assignment_matrix.py): about 20 s for ~160 scenarios.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import pytest
from assignment_matrix import (
    assert_caught_in_its_own_exercise_only,
    assert_hints_differ,
    grade_class_both_ways,
    planted_matrix,
)
from planted_matrix import assert_statement_structure, meta, source_nb

from course.authoring.misconceptions import misconceptions_for, planted_for
from course.authoring.planted import Misconception
from course.authoring.planted.training_math import MISCONCEPTIONS, UNUSUAL
from course.nb import Delimiters, drop_delimiter_lines

ASSIGNMENT = "training_math"
SIGNATURES = {  # issue 21: names, arguments and defaults are a contract
    1: "clip_grad_norm(grads, max_norm)",
    2: "warmup_cosine_lr(step, max_lr, warmup_steps, total_steps, min_lr=0.0)",
    3: "training_flops(n_params, n_tokens)",
    4: "sgd_momentum_step(param, grad, velocity, lr, momentum=0.9)",
    5: "adamw_step(param, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01)",
    6: "llama_param_count(vocab, d_model, n_layers, n_heads, n_kv_heads, d_ff, tied=False)",
    7: "chinchilla_optimal(compute_flops, tokens_per_param=20.0)",
    8: "mfu(tokens_per_second, n_params, n_layers, seq_len, d_model, peak_flops)",
    9: "dynamic_loss_scale_step(grads, scale, good_steps, growth_factor=2.0, "
    "backoff_factor=0.5, growth_interval=2000)",
    10: 'zero_memory_per_gpu(n_params, n_gpus, stage, optimizer="adam")',
}
STARS = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3, 9: 3, 10: 3}
# The figures the issue asks for: the schedule, Adam vs SGD, the Chinchilla frontier, ZeRO stages.
FIGURES = {
    2: ["warmup_cosine_lr"],
    5: ["sgd_momentum_step", "adamw_step"],
    7: ["chinchilla_optimal"],
    10: ["zero_memory_per_gpu"],
}
# Written prompts the issue names, by exercise.
PROMPTS = {2: "warm up", 3: "the 6 in 6ND", 5: "decoupled", 7: "Chinchilla", 9: "bf16"}


def _by_id() -> dict:
    return {meta(c)["grade_id"]: c for c in source_nb(ASSIGNMENT).cells if meta(c)}


def _answer(by_id, n: int):
    return next(
        c
        for gid, c in by_id.items()
        if re.fullmatch(rf"ex{n:02d}_[a-z_]+", gid)
        and meta(c)["solution"]
        and c.cell_type == "code"
    )


def test_functions_stars_points_figures_and_written_answers_follow_the_issue():
    by_id = _by_id()
    for n, stars in STARS.items():
        answer = _answer(by_id, n)
        assert re.findall(r"^def (.+):$", answer.source, re.M) == [SIGNATURES[n]], n
        tests = by_id[f"{meta(answer)['grade_id']}_tests"]
        assert meta(tests)["points"] == stars and meta(tests)["locked"]
        visible, hidden = tests.source.split("### BEGIN HIDDEN TESTS")
        assert visible.startswith('"""') and "check_" in visible and "check_" in hidden
        assert "mistakes=" in visible, f"exercise {n}: no per-cause hints"
        explain = by_id[f"ex{n:02d}_explain"]
        assert meta(explain)["points"] == 1 and "=== BEGIN MARK SCHEME ===" in explain.source
        assert_statement_structure(by_id[f"ex{n:02d}_statement"].source, n, stars)
    for n, functions in FIGURES.items():
        assert all(f in by_id[f"ex{n:02d}_figure"].source for f in functions), n
    for n, words in PROMPTS.items():
        assert words in by_id[f"ex{n:02d}_explain_prompt"].source, n
    cells = source_nb(ASSIGNMENT).cells
    assert sum(meta(c).get("points", 0) for c in cells if c.cell_type == "code") == 20
    assert sum(meta(c).get("points", 0) for c in cells if c.cell_type == "markdown") == 10


def _solutions() -> dict:
    """The instructor's ten functions, defined in this process (no kernel)."""
    namespace: dict = {"np": np}
    solution = Delimiters().solution
    for n in STARS:
        exec(drop_delimiter_lines(_answer(_by_id(), n).source, solution), namespace)
    return namespace


def test_the_figures_the_issue_quotes_are_the_solutions_answers():
    s = _solutions()
    assert s["llama_param_count"](32000, 4096, 32, 32, 32, 11008) == 6_738_415_616
    assert s["llama_param_count"](128256, 4096, 32, 32, 8, 14336) == 8_030_261_248
    assert s["zero_memory_per_gpu"](7_500_000_000, 64, 3) == 1_875_000_000  # 1.875 GB
    assert s["zero_memory_per_gpu"](7_500_000_000, 64, 0) == 16 * 7_500_000_000
    assert s["training_flops"](70_000_000_000, 1_400_000_000_000) == 588 * 10**21
    n, d = s["chinchilla_optimal"](5.88e23)
    assert (n, d) == pytest.approx((70e9, 1.4e12))
    grads = [np.array([3.0, 0.0])]
    clipped, norm = s["clip_grad_norm"](grads, 1.0)
    assert norm == 3.0 and clipped[0] == pytest.approx([1 / (3 + 1e-6) * 3, 0]) and grads[0][0] == 3


def test_at_least_four_misconceptions_per_exercise_and_ten_unusual_answers():
    assert misconceptions_for(ASSIGNMENT) is MISCONCEPTIONS
    assert planted_for(ASSIGNMENT) == {**MISCONCEPTIONS, **UNUSUAL}
    per_exercise = defaultdict(list)
    for m in MISCONCEPTIONS.values():
        per_exercise[m.exercise].append(m)
    assert sorted(per_exercise) == list(STARS)
    assert all(len(ms) >= 4 for ms in per_exercise.values()), per_exercise
    for ms in per_exercise.values():
        assert all(m.hint for m in ms) and len({m.hint for m in ms}) == len(ms)
    assert len({m.why for m in MISCONCEPTIONS.values()}) == len(MISCONCEPTIONS)
    assert len(UNUSUAL) >= 10


# Answers of the wrong type or shape, and an unwritten function: each visible part must print a FAIL
# line and stop with the one-line CheckFailed, never with an IndexError/TypeError of its own.
HOSTILE = {
    "none": "return None",
    "string": "return 'not a number'",
    "scalar": "return 0.5",
    "list": "return [1.0, 2.0]",
    "nan_matrix": "return np.full((3, 3), np.nan)",
    "nones": "return (None, None, None)",
    "nans": "return (np.nan, np.nan, np.nan)",
    "unwritten": 'raise NotImplementedError("not written yet")',  # the blank release's stub
}


def _function(n: int) -> str:
    return SIGNATURES[n].split("(")[0]


def _hostile() -> dict[str, Misconception]:
    return {
        f"hostile-{n}-{kind}": Misconception(n, _function(n), body, f"hostile answer: {kind}")
        for n in STARS
        for kind, body in HOSTILE.items()
    }


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> dict[str, dict[tuple[int, str], tuple[float, str]]]:
    hostile = _hostile()
    return planted_matrix(
        ASSIGNMENT,
        {**MISCONCEPTIONS, **UNUSUAL, **hostile},
        STARS,
        tmp_path_factory.mktemp("run"),
        own_visible_only=set(hostile),
    )


@pytest.mark.slow
def test_correct_answers_pass_every_visible_and_hidden_part_alone(matrix):
    assert len(matrix["correct"]) == 20
    assert all(score == 1 for score, _ in matrix["correct"].values()), matrix["correct"]


@pytest.mark.slow
def test_each_worked_example_is_what_its_test_cell_prints(matrix):
    by_id = _by_id()
    for n in STARS:
        statement = by_id[f"ex{n:02d}_statement"].source
        block = statement.split("**Worked example.**")[1].split("```")[1]
        printed = matrix["correct"][(n, "visible")][1]
        for line in block.strip().splitlines():
            assert line in printed, (n, line, printed[:600])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MISCONCEPTIONS))
def test_misconception_fails_a_visible_check_of_its_own_exercise_only_with_its_own_hint(
    matrix, name
):
    assert_caught_in_its_own_exercise_only(matrix, name, MISCONCEPTIONS[name])


@pytest.mark.slow
def test_each_misconception_gets_its_own_hint(matrix):
    assert_hints_differ(matrix, MISCONCEPTIONS)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(UNUSUAL))
def test_unusual_correct_answer_keeps_full_points(matrix, name):
    failing = {k: text[-400:] for k, (s, text) in matrix[name].items() if s != 1}
    assert not failing, f"{name}: {failing}"


@pytest.mark.slow
@pytest.mark.parametrize("n", sorted(STARS))
def test_answers_of_the_wrong_type_stop_at_a_fail_line(matrix, n):
    for kind in HOSTILE:
        score, text = matrix[f"hostile-{n}-{kind}"][(n, "visible")]
        errors = re.findall(r"^(\w+): ", text.split("FAIL - ")[-1], re.M)
        assert score == 0 and "FAIL - " in text and "Takeaway:" not in text, (kind, text[-400:])
        assert "CheckFailed" in text and not re.search(r"^(?!CheckFailed)\w+Error: ", text, re.M), (
            kind,
            errors,
            text[-400:],
        )


# --- a small class, graded by both graders -------------------------------------------------------

ALL = {n: "correct" for n in STARS}
CLASS = {  # student -> (answers, expected autograded total)
    "ada": (ALL, 20),
    "blank": ({}, 0),
    "mixed": (
        {**ALL, 2: "lr_no_half", 6: "count_mha_kv", 9: "scale_only_inf"},
        14,
    ),  # 20 - 1 - 2 - 3
    "unusual": ({**ALL, 7: "chinchilla_numpy_array", 10: "zero_math_ceil"}, 20),
}


@pytest.mark.slow
def test_release_is_current_and_a_class_grades_the_same_with_both_graders(tmp_path):
    courses = grade_class_both_ways(ASSIGNMENT, CLASS, tmp_path)
    from course.results.feedback import generate_feedback

    course = courses["course"]
    assert len(generate_feedback(course=course, assignment=ASSIGNMENT)) == len(CLASS)
    html = (course.feedback / "mixed" / ASSIGNMENT / "exercises.html").read_text()
    assert "np.isinf misses NaN" in html and "has a factor 1/2" in html
    assert "_lr_reference" not in html  # the hidden tests stay hidden in feedback
