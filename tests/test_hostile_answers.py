"""No test cell of either assignment raises before its FAIL line, whatever an answer returns.

For every function a student writes, the correct solution is wrapped so that it returns None, a
list, a scalar, an array of the wrong shape, a string or NaNs (and, for the list, the answer as
a nested list, which may pass), and the exercise's whole test cell runs, hidden tests included.
The cell must print `FAIL - ...` before anything stops it and never reach its takeaway, or, for an
answer that is right in another type (the list), earn its points.

All scenarios of one assignment run in ONE kernel (a few seconds instead of a notebook each): the
correct answers run once, then per scenario the wrapper is defined, the test cell runs as a scored
cell, and the correct answer cell runs again.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.utils import determine_grade, is_grade

from course.authoring.misconceptions import student_notebook
from course.nb import exercise_number, grade_id, is_answer_cell, meta
from course.paths import CourseDir

pytestmark = pytest.mark.slow

ASSIGNMENTS = ("embedding_space_math", "attention_math")
# name -> (expression of the correct result r, may the cell pass with it?)
HOSTILE = {
    "none": ("None", False),
    "short_list": ("[0.0]", False),
    "scalar": ("0.5", False),
    "wrong_shape": ("np.zeros(np.shape(r) + (2,))", False),
    "string": ("'abc'", False),
    "nans": ("np.full(np.shape(r), np.nan)", False),
    "nested_list": ("np.asarray(r).tolist()", True),
}
_DEF = re.compile(r"^def (\w+)\(", re.M)


def _scored(source: str, gid: str):
    nb_meta = {"grade": True, "grade_id": gid, "locked": True, "points": 1}
    nb_meta.update(schema_version=3, solution=False, task=False)
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": nb_meta})


def _wrapper(function: str, expression: str) -> str:
    return (
        f"_right_{function} = {function}\n"
        f"def {function}(*args, **kwargs):\n"
        f"    r = _right_{function}(*args, **kwargs)\n"
        f"    return {expression}\n"
    )


def _run_matrix(assignment: str, tmp_path) -> dict[str, tuple[float, str]]:
    source = nbformat.read(CourseDir().source_notebook(assignment), as_version=4)
    tests = {grade_id(c): c.source for c in source.cells if is_grade(c) and c.cell_type == "code"}
    exercises = {exercise_number(gid) for gid in tests} - {None}
    correct = student_notebook({n: "correct" for n in exercises}, assignment=assignment)
    answers = {grade_id(c): c.source for c in correct.cells if is_answer_cell(c)}
    cells = [
        c
        for c in correct.cells
        if c.cell_type == "code"
        and not is_grade(c)
        and not (grade_id(c) or "").endswith("_figure")
        and grade_id(c) != "check_my_work"
    ]
    for gid, answer in sorted(answers.items()):
        for function in _DEF.findall(answer):
            for name, (expression, _) in HOSTILE.items():
                cells.append(nbformat.v4.new_code_cell(_wrapper(function, expression)))
                cells.append(_scored(tests[f"{gid}_tests"], f"{gid}|{function}|{name}"))
                cells.append(nbformat.v4.new_code_cell(answer))
    nb = nbformat.v4.new_notebook(cells=cells)
    client = NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3")
    client.resources = {"metadata": {"path": str(tmp_path)}}
    client.execute()
    out = {}
    for cell in nb.cells:
        if is_grade(cell):
            text = ""
            for o in cell.outputs:
                text += o.get("text", "") + (f"\n<{o.ename}: {o.evalue}>" if "ename" in o else "")
            out[meta(cell)["grade_id"]] = (determine_grade(cell)[0], text)
    return out


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def matrix(request, tmp_path_factory):
    return request.param, _run_matrix(request.param, tmp_path_factory.mktemp("hostile"))


def test_every_test_cell_prints_fail_before_it_stops_on_hostile_answers(matrix):
    assignment, results = matrix
    assert len(results) >= 10 * len(HOSTILE), sorted(results)
    bad = {}
    for scenario, (score, text) in results.items():
        may_pass = HOSTILE[scenario.rsplit("|", 1)[1]][1]
        if may_pass and score == 1 and "Takeaway:" in text:
            continue
        fail = text.find("\nFAIL - ") if not text.startswith("FAIL - ") else 0
        error = text.find("\n<")
        printed_fail_first = fail != -1 and (error == -1 or fail < error)
        # A wrong shape is reported as a shape, never as a number compared with nan.
        nan_message = not scenario.endswith("|nans") and re.search(r"^FAIL - .*got nan", text, re.M)
        if score != 0 or "Takeaway:" in text or not printed_fail_first or nan_message:
            bad[scenario] = text[-600:]
    assert not bad, f"{assignment}: {len(bad)} test cells misbehave:\n" + "\n\n".join(
        f"--- {k}\n{v}" for k, v in bad.items()
    )
