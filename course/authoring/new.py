"""`python -m course new <id> "Title"`: scaffold a new assignment the way the course's own are made.

Runs in: the CLI process. Writes source/<id>/exercises.ipynb (the course's intro, its shared
setup and check cells, one example exercise in the course's layout: statement, answer cell,
locked test cell with visible and hidden checks, written prompt and answer with a mark scheme;
then the scoreboard) and appends the assignment's table to course.toml. The notebook releases
as it is (`python -m course release <id>`), so an instructor starts from something that passes
every gate and replaces the example. Nothing is overwritten: an id already in course.toml or
under source/ is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import nbformat

from course.errors import CourseError
from course.paths import CourseDir

from . import shared_cells

ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class ScaffoldRefused(CourseError):
    label = "new refused"


INTRO = """# Exercises: {title}

*Math for LLMs* · assignment `{aid}`

**How this notebook works**

- Each exercise asks you to write one or two small functions in the cell marked `# YOUR CODE HERE`: delete the `raise NotImplementedError(...)` line and write your code.
- Run the grey test cell below your answer. It prints `PASS - ...` or `FAIL - ...` for every visible check. More (hidden) tests run when your work is graded, so make your function correct for *any* valid input, not just the example.
- Points: ★ = 1, ★★ = 2, ★★★ = 3 autograded points, shown in each heading, plus 1 point per exercise for the written answer, graded by your instructor.
- Run the cells from the top (**Run → Run All Cells**) before you submit. The "Check my work" cell at the end prints a scoreboard.

**Reading a check.** A check prints `PASS - …` or `FAIL - …: what differs`; under a failure, `hint:` names the most likely cause and the cell stops with a one-line `CheckFailed` error. The check helpers are in the read-only cells below, whose docstrings list them."""

STATEMENT = r"""## Exercise 1: The mean embedding (★) — 1 point + 1 written

**Why it matters.** (Replace this example.) Averaging vectors is the simplest pooling an LLM pipeline does, e.g. to embed a sentence from its token vectors.

**Definition.** For $n$ vectors, the rows of $X \in \mathbb{R}^{n \times d}$, $\ \bar{x} = \frac{1}{n} \sum_{i=1}^{n} X_{i,:}$.

**Shapes.** `X`: `(n, d)`; result: `(d,)`.

**Your task.** Write `mean_vector(X)`: the mean of the rows of `X`.

**Worked example.** For `X = [[1, 2], [3, 6]]` the test cell prints

```
Mean: [2.0, 4.0]
```"""

ANSWER = '''def mean_vector(X):
    """The mean of the rows of X (n, d): shape (d,)."""
    ### BEGIN SOLUTION
    return np.asarray(X, dtype=float).mean(axis=0)
    ### END SOLUTION'''

TESTS = '''"""Check mean_vector on the worked example and on a random batch."""
header("Exercise 1: The mean embedding")
m = checked_call("mean_vector(X) runs on the worked example", mean_vector, np.array([[1.0, 2.0], [3.0, 6.0]]))
show("Mean", m)
check_array(m, [2.0, 4.0], "worked example: the mean of the rows [1, 2] and [3, 6]",
            hint="average over the rows (axis 0): one mean per dimension",
            mistakes={"you averaged each row (axis=1); the mean embedding averages over the rows": [1.5, 4.5]})
takeaway("the mean of the rows is one vector of the same dimension as each row.")
### BEGIN HIDDEN TESTS
rng = np.random.default_rng(1)
X_h = rng.normal(size=(7, 5))
check_array(call(mean_vector, X_h), X_h.mean(axis=0), "a random (7, 5) batch", atol=1e-9)
### END HIDDEN TESTS'''

PROMPT = """**Explain (1 point, graded by your instructor).** What does averaging lose that a weighted average (attention) keeps?"""

EXPLAIN = """Averaging gives every token the same weight, so word order and which tokens matter are lost; attention chooses the weights per query.

=== BEGIN MARK SCHEME ===
1 point: equal weights lose relevance (and order) **and** attention learns per-query weights. 0 points: no comparison.
=== END MARK SCHEME ==="""

CHECK_MY_WORK = 'check_my_work({"Exercise 1": 1})'


def _meta(grade_id: str, *, grade=False, solution=False, locked=True, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3}
    meta.update(solution=solution, task=False)
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def notebook(aid: str, title: str):
    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell(INTRO.format(title=title, aid=aid)),
        *(shared_cells.new_cell(gid) for gid in shared_cells.SHARED),
        v4.new_markdown_cell(STATEMENT, metadata=_meta("ex01_statement")),
        v4.new_code_cell(ANSWER, metadata=_meta("ex01_mean_vector", solution=True, locked=False)),
        v4.new_code_cell(TESTS, metadata=_meta("ex01_mean_vector_tests", grade=True, points=1)),
        v4.new_markdown_cell(PROMPT, metadata=_meta("ex01_explain_prompt")),
        v4.new_markdown_cell(
            EXPLAIN,
            metadata=_meta("ex01_explain", grade=True, solution=True, locked=False, points=1),
        ),
        v4.new_markdown_cell("## Check my work", metadata=_meta("check_my_work_intro")),
        v4.new_code_cell(CHECK_MY_WORK, metadata=_meta("check_my_work")),
    ]
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i:02d}"
    return v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )


def scaffold(
    *, assignment: str, title: str, course: CourseDir, due: datetime | None = None
) -> list[str]:
    """Write source/<aid>/exercises.ipynb and append its course.toml table; returns what was
    written (paths relative to the course). The due date defaults to two weeks from now."""
    from course.config import load

    aid = assignment
    if not ID.match(aid):
        raise ScaffoldRefused(f"{aid!r}: an assignment id is lower-case letters, digits and _")
    if '"' in title or "\n" in title or not title.strip():
        raise ScaffoldRefused(f"{title!r}: a title is one line without double quotes")
    if aid in load(course.root).ids:
        raise ScaffoldRefused(f"{course.root / 'course.toml'}: {aid!r} is already an assignment")
    folder = course.root / "source" / aid
    if folder.exists():
        raise ScaffoldRefused(f"{folder}: already exists")
    due = due or (datetime.now(UTC) + timedelta(days=14)).replace(
        hour=23, minute=59, second=0, microsecond=0
    )
    folder.mkdir(parents=True)
    nbformat.write(notebook(aid, title), folder / "exercises.ipynb")
    table = (
        f'\n[[assignment]]\nid = "{aid}"\ntitle = "{title}"\n'
        f"due = {due.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        "late = { per_day = 0.10, max_days = 5 }\n"
    )
    with open(course.root / "course.toml", "a") as fh:
        fh.write(table)
    return [f"source/{aid}/exercises.ipynb", "course.toml"]
