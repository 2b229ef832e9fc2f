"""One exercise of an assignment as data, and the nbgrader cells it becomes.

Runs in: the author's process (`python -m course.authoring.attention_math.build`), never in a
kernel. Each exercise yields the same cell sequence as the first assignment: statement, answer
cell, locked test cell (visible checks, then hidden tests), an optional figure, the written prompt
and the written answer with its mark scheme. grade_ids follow `exNN_<function>`, and cell ids equal
grade_ids so that rebuilding gives a byte-identical notebook (tests/test_attention_math.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat

POINTS_BY_STARS = {1: 1, 2: 2, 3: 3}


@dataclass(frozen=True)
class Exercise:
    n: int
    slug: str  # names the answer cell: ex03_causal_mask
    title: str
    stars: int
    intro: str  # one line under the heading
    task: str  # markdown: what to write (names, shapes, meaning)
    example: str  # markdown: the worked example, with the lines the test cell prints
    answer: str  # the answer cell: functions with ### BEGIN/END SOLUTION regions
    visible: str  # the test cell before the hidden tests (docstring first)
    hidden: str  # the hidden tests (self-contained: they may run without the visible part)
    takeaway: str
    prompt: str
    explain: str  # the model answer to the written prompt
    scheme: str  # the mark scheme
    figure: str = ""  # a locked figure cell (draw() + try_figure), or none

    @property
    def points(self) -> int:
        return POINTS_BY_STARS[self.stars]

    def gid(self, suffix: str = "") -> str:
        base = f"ex{self.n:02d}_{self.slug}" if suffix in ("", "tests") else f"ex{self.n:02d}"
        return f"{base}_{suffix}" if suffix else base


def nbgrader_meta(grade_id: str, *, grade=False, solution=False, locked=True, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def code(source: str, grade_id: str, **kw):
    cell = nbformat.v4.new_code_cell(source.strip("\n"), metadata=nbgrader_meta(grade_id, **kw))
    cell.id = grade_id.replace("_", "-")
    return cell


def markdown(source: str, grade_id: str | None, **kw):
    meta = nbgrader_meta(grade_id, **kw) if grade_id else {}
    cell = nbformat.v4.new_markdown_cell(source.strip("\n"), metadata=meta)
    cell.id = (grade_id or "intro").replace("_", "-")
    return cell


def stars_heading(ex: Exercise) -> str:
    pts = f"{ex.points} point" + ("s" if ex.points > 1 else "")
    return f"## Exercise {ex.n}: {ex.title} ({'★' * ex.stars}) — {pts} + 1 written"


def test_source(ex: Exercise) -> str:
    assert '"' not in ex.takeaway, ex.gid()
    return (
        f"{ex.visible.strip()}\n"
        f'takeaway("{ex.takeaway}")\n'
        "### BEGIN HIDDEN TESTS\n"
        f"{ex.hidden.strip()}\n"
        "### END HIDDEN TESTS"
    )


def cells(ex: Exercise) -> list:
    statement = (
        f"{stars_heading(ex)}\n\n{ex.intro.strip()}\n\n**Your task.** {ex.task.strip()}\n\n"
        f"**Worked example.** {ex.example.strip()}"
    )
    out = [
        markdown(statement, ex.gid("statement")),
        code(ex.answer, ex.gid(), solution=True, locked=False),
        code(test_source(ex), ex.gid("tests"), grade=True, points=ex.points),
    ]
    if ex.figure:
        out.append(code(ex.figure, ex.gid("figure")))
    prompt = (
        f"**Explain the LLM consequence (1 point, graded by your instructor).** {ex.prompt.strip()}"
    )
    answer = (
        f"{ex.explain.strip()}\n\n=== BEGIN MARK SCHEME ===\n{ex.scheme.strip()}\n"
        "=== END MARK SCHEME ==="
    )
    out.append(markdown(prompt, ex.gid("explain_prompt")))
    out.append(
        markdown(answer, ex.gid("explain"), grade=True, solution=True, locked=False, points=1)
    )
    return out
