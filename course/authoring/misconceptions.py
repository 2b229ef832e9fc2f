"""Planted answers for making student notebooks: correct, blank, or a named misconception.

Used by the tests (every misconception must fail its own exercise and no other), the demo class
and the benchmarks. Correct answers are the instructor's own solution regions from source/, so
nothing here repeats the solutions; a misconception swaps one function's solution for a
realistic wrong body.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.nb import (
    Delimiters,
    drop_delimiter_lines,
    exercise_number,
    grade_id,
    is_answer_cell,
    is_written_answer,
    load_config,
    region_spans,
)
from course.paths import CourseDir

_DEF = re.compile(r"^def\s+(\w+)\s*\(")


@dataclass(frozen=True)
class Misconception:
    exercise: int
    function: str
    body: str  # replaces the function's solution region (4-space indented by us)
    why: str  # what the student got wrong, as an instructor would say it


MISCONCEPTIONS: dict[str, Misconception] = {
    m_name: m
    for m_name, m in {
        "embed_transposed": Misconception(
            1,
            "embed",
            "return np.asarray(E).T[np.asarray(ids)]",
            "indexes columns of E instead of rows",
        ),
        "one_hot_columns": Misconception(
            2,
            "one_hot",
            "return np.eye(vocab_size)[:, np.asarray(ids)]",
            "puts the vocabulary on the first axis",
        ),
        "cosine_unnormalised": Misconception(
            3,
            "cosine",
            "return float(np.dot(u, v))",
            "cosine without normalising: a plain dot product",
        ),
        "nearest_by_dot": Misconception(
            3,
            "nearest_neighbor",
            "return int(np.argmax(np.asarray(E) @ np.asarray(query)))",
            "ranks neighbours by dot product, so long vectors win",
        ),
        "analogy_reversed": Misconception(
            4,
            "analogy_target",
            "return np.asarray(a) - np.asarray(b) + np.asarray(c)",
            "adds the relation backwards",
        ),
        "center_wrong_axis": Misconception(
            5,
            "center",
            "X = np.asarray(X, dtype=float)\nreturn X - X.mean(axis=1, keepdims=True)",
            "subtracts each row's own mean instead of the mean row",
        ),
        "center_in_place": Misconception(
            5,
            "center",
            "X -= X.mean(axis=0, keepdims=True)\nreturn X",
            "centres in place, changing the caller's data",
        ),
        "grad_sign_flipped": Misconception(
            6,
            "output_row_grad",
            "return np.outer(np.eye(len(p))[y] - np.asarray(p), np.asarray(h))",
            "gradient sign flipped (onehot - p)",
        ),
        "sin_cos_swapped": Misconception(
            7,
            "sinusoidal_positions",
            "pos = np.arange(n_positions)[:, None]\ni = np.arange(d_model)[None, :]\n"
            "angles = pos / np.power(10000, (2 * (i // 2)) / d_model)\npe = np.zeros((n_positions, d_model))\n"
            "pe[:, 0::2] = np.cos(angles[:, 0::2])\npe[:, 1::2] = np.sin(angles[:, 1::2])\nreturn pe",
            "sine and cosine swapped",
        ),
        "sinusoid_exponent_i": Misconception(
            7,
            "sinusoidal_positions",
            "pos = np.arange(n_positions)[:, None]\ni = np.arange(d_model)[None, :]\n"
            "angles = pos / np.power(10000, i / d_model)\npe = np.zeros((n_positions, d_model))\n"
            "pe[:, 0::2] = np.sin(angles[:, 0::2])\npe[:, 1::2] = np.cos(angles[:, 1::2])\nreturn pe",
            "exponent i/d instead of 2*(i//2)/d: the sin/cos pair no longer shares a frequency",
        ),
        "rope_exponent_k": Misconception(
            8,
            "rope_rotate",
            "x = np.asarray(x, dtype=float)\nd = x.shape[0]\nout = x.copy()\nfor k in range(0, d, 2):\n"
            "    theta = position / (base ** k)\n    c, s = np.cos(theta), np.sin(theta)\n"
            "    out[k], out[k + 1] = c * x[k] - s * x[k + 1], s * x[k] + c * x[k + 1]\nreturn out",
            "RoPE frequency base**k instead of base**(k/d)",
        ),
        "rope_clockwise": Misconception(
            8,
            "rope_rotate",
            "x = np.asarray(x, dtype=float)\nd = x.shape[0]\nout = x.copy()\nfor k in range(0, d, 2):\n"
            "    theta = position / (base ** (k / d))\n    c, s = np.cos(theta), np.sin(theta)\n"
            "    out[k], out[k + 1] = c * x[k] + s * x[k + 1], -s * x[k] + c * x[k + 1]\nreturn out",
            "rotates clockwise (sin sign flipped)",
        ),
        "alibi_sign_flipped": Misconception(
            9,
            "alibi_bias",
            "i = np.arange(n)[:, None]\nj = np.arange(n)[None, :]\nreturn -slope * np.maximum(i - j, 0)",
            "ALiBi sign flipped: distant keys get a bonus",
        ),
        "alibi_symmetric": Misconception(
            9,
            "alibi_bias",
            "i = np.arange(n)[:, None]\nj = np.arange(n)[None, :]\nreturn slope * np.abs(i - j)",
            "uses |i - j|, penalising future keys too (not causal)",
        ),
        "params_tied_swapped": Misconception(
            10,
            "embedding_params",
            "table = vocab * d\nreturn 2 * table if tied else table",
            "tied and untied swapped",
        ),
    }.items()
}

WRITTEN_ANSWER = "The embedding geometry matters for the model: (a student's written explanation)."


def _solution_cells(course: CourseDir, assignment: str, notebook: str) -> dict[str, str]:
    """grade_id -> the instructor's answer cell, solution delimiters still in."""
    src = nbformat.read(course.source_notebook(assignment, notebook), as_version=4)
    return {grade_id(c): c.source for c in src.cells if is_answer_cell(c)}


def _with_body(cell_source: str, function: str, body: str, solution: tuple[str, str]) -> str:
    """Replace the solution region inside top-level `def function` with body (delimiter
    lines included), indented like the region's begin line."""
    lines = cell_source.split("\n")
    for begin, end in reversed(list(region_spans(lines, solution))):
        defs = (_DEF.match(line) for line in reversed(lines[:begin]))
        owner = next((m.group(1) for m in defs if m), None)
        if owner == function:
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            lines[begin : end + 1] = [indent + ln if ln else ln for ln in body.splitlines()]
    return "\n".join(lines)


def student_notebook(
    answers: dict[int, str] | None = None,
    course: CourseDir = CourseDir(),
    assignment: str = "embedding_space_math",
    notebook: str = "exercises",
    written: bool = True,
):
    """A student's notebook built from the release.

    answers maps exercise number -> "correct", "blank" or a MISCONCEPTIONS key; exercises not
    named stay blank. written=True also fills the manually graded answers of answered exercises.
    """
    answers = answers or {}
    nb = nbformat.read(course.release_notebook(assignment, notebook), as_version=4)
    nb = copy.deepcopy(nb)
    solutions = _solution_cells(course, assignment, notebook)
    solution = Delimiters.from_config(load_config(course.root)).solution
    for cell in nb.cells:
        ex = exercise_number(grade_id(cell))
        choice = answers.get(ex, "blank") if ex else "blank"
        if choice == "blank":
            continue
        if is_answer_cell(cell):
            source = solutions[grade_id(cell)]
            if choice != "correct":
                wrong = MISCONCEPTIONS[choice]
                if wrong.exercise != ex:
                    raise ValueError(
                        f"misconception {choice} belongs to exercise {wrong.exercise}, not {ex}"
                    )
                source = _with_body(source, wrong.function, wrong.body, solution)
            cell.source = drop_delimiter_lines(source, solution).rstrip("\n")
        elif is_written_answer(cell) and written:
            cell.source = WRITTEN_ANSWER
    return nb


def all_correct(**kwargs):
    return student_notebook({n: "correct" for n in range(1, 11)}, **kwargs)


def write_submission(
    nb,
    course: CourseDir,
    student: str,
    assignment: str = "embedding_space_math",
    notebook: str = "exercises",
    timestamp: str | None = None,
) -> Path:
    """Put a notebook where `nbgrader collect` would: submitted/<student>/<assignment>/."""
    folder = course.submission_dir(student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook}.ipynb"
    nbformat.write(nb, path)
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)
    return path
