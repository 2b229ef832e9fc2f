"""Write source/attention_math/exercises.ipynb from the exercise modules next to this file.

Runs in: the author's process: `python -m course.authoring.attention_math.build` (then
`python -m course release attention_math`). The notebook is generated, never edited by hand, so the
committed source notebook carries no outputs or execution counts and a rebuild is byte-identical
(tests/test_attention_math.py checks both). The exercise text lives here rather than under
source/attention_math/ because nbgrader copies every file of a source folder into the release.
The setup and checks cells are course.authoring.shared_cells' canonical text (shared with every
assignment); the helpers cell holds only this assignment's own reference softmax.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from ...paths import CourseDir
from .. import shared_cells
from .exercises_1_3 import EX1, EX2, EX3
from .exercises_4_5 import EX4, EX5
from .exercises_6_7 import EX6, EX7
from .exercises_8_9 import EX8, EX9
from .exercises_10 import EX10
from .spec import Exercise, cells, code, markdown

ASSIGNMENT = "attention_math"
EXERCISES: tuple[Exercise, ...] = (EX1, EX2, EX3, EX4, EX5, EX6, EX7, EX8, EX9, EX10)

INTRO = """
# Exercises: Attention Math

*Math for LLMs* · assignment `attention_math`

There are 10 exercises. Exercises 1-3 cover scores, softmax and the causal mask, 4-7 cover
temperature, the loss, masked attention and heads, and 8-10 cover gradients and the cost of long
context.

**How this notebook works**

- Each exercise asks you to write one or two small functions in the cell marked `# YOUR CODE HERE`: delete the `raise NotImplementedError(...)` line and write your code.
- Run the grey test cell below your answer. It prints `PASS - ...` or `FAIL - ...` for every visible check. More (hidden) tests run when your work is graded, so make your function correct for *any* valid input (other shapes, batch axes, large values), not just the example.
- Points: ★ = 1, ★★ = 2, ★★★ = 3 autograded points, shown in each heading, plus 1 point per exercise for the written "LLM consequence" answer, graded by your instructor.
- Run the cells from the top (**Run → Run All Cells**) before you submit, and use **Validate** to check the whole notebook. The "Check my work" cell at the end prints a scoreboard.
- Don't change or delete the grey read-only cells: the grader restores them anyway.
"""

CHECK_MY_WORK_INTRO = """
## Check my work

Run the cell below after running the exercises: it prints a scoreboard of every visible check and the visible points you have earned so far. Hidden tests and the written answers are graded after you submit.
"""


HELPERS = """
# Helpers for this assignment's tests and figures (read-only).

def softmax(logits):
    \"\"\"Softmax of a 1-D vector (the tests' reference; your stable_softmax is more general).\"\"\"
    logits = np.asarray(logits, dtype=float)
    exp = np.exp(logits - logits.max())
    return exp / exp.sum()

print("Attention helpers ready.")
"""

CHECK_MY_WORK = (
    'check_my_work({f"Exercise {n}": p for n, p in '
    "enumerate([1, 1, 1, 2, 2, 2, 2, 3, 3, 3], start=1)})"
)


def shared(grade_id: str):
    """A shared cell (setup, checks, ...) exactly as course.authoring.shared_cells writes it."""
    cell = shared_cells.new_cell(grade_id)
    cell.id = grade_id
    return cell


def notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    shared_top = [shared(grade_id) for grade_id in shared_cells.SHARED]
    nb.cells = [markdown(INTRO, None), *shared_top, code(HELPERS, "helpers")]
    for ex in EXERCISES:
        nb.cells.extend(cells(ex))
    nb.cells.append(markdown(CHECK_MY_WORK_INTRO, "check_my_work_intro"))
    nb.cells.append(code(CHECK_MY_WORK, "check_my_work"))
    return nb


def write(course: CourseDir | None = None) -> Path:
    path = (course or CourseDir()).source_notebook(ASSIGNMENT)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(), path)
    return path


if __name__ == "__main__":
    print(f"wrote {write()}", file=sys.stderr)
