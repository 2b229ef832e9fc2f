"""One hostile or broken submission per case, each built from the real release.

A case writes its files into a course directory and states what grading must conclude:
`tests` maps test-cell grade_ids to the points expected (every other test cell: the base's
points, full for "correct", 0 for "blank"), `failed`/`cut`/`flag` are substrings expected in the
summary's reason (not graded / cut short / integrity flag). `escapes` are host paths the
submission tries to create or change; they must not exist (or be unchanged) afterwards.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.authoring import misconceptions as mc
from course.paths import ASSIGNMENT, NOTEBOOK, CourseDir

TEST_POINTS = {f"ex{n:02d}": p for n, p in enumerate([1, 1, 1, 2, 2, 3, 3, 3, 2, 2], start=1)}


@dataclass
class Case:
    student: str
    build: object  # (course, case) -> None: writes submitted/<student>/
    base: str = "correct"  # correct | blank | none (not graded)
    tests: dict[str, float] = field(default_factory=dict)  # "ex05": 0.0 overrides the base
    failed: str | None = None
    cut: str | None = None
    flag: str | None = None  # substring of a flag reason
    action: str | None = None  # zeroed | restored | review
    escapes: tuple[str, ...] = ()  # host paths (format with course=) that must not appear

    def expected(self) -> dict[str, float]:
        full = self.base == "correct"
        out = {ex: (float(p) if full else 0.0) for ex, p in TEST_POINTS.items()}
        out.update(self.tests)
        return out


# --- building blocks ------------------------------------------------------------------
def base_nb(course: CourseDir, base: str):
    if base == "correct":
        return mc.all_correct(course=course)
    return mc.student_notebook({}, course=course)


def answer_cell(nb, ex: int):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if (
            meta.get("solution")
            and cell.cell_type == "code"
            and meta.get("grade_id", "").startswith(f"ex{ex:02d}_")
        ):
            return cell
    raise KeyError(ex)


def cell_by_id(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def save(course: CourseDir, student: str, nb) -> Path:
    return mc.write_submission(nb, course, student, ASSIGNMENT, NOTEBOOK)


def code_case(student, base="correct", replace=None, append=None, **expect) -> Case:
    """A notebook whose answer cells get code: replace={ex: src} or append={ex: src}."""

    def build(course, case):
        nb = base_nb(course, base)
        for ex, src in (replace or {}).items():
            answer_cell(nb, ex).source = src.replace("{course}", str(course.root)).strip()
        for ex, src in (append or {}).items():
            answer_cell(nb, ex).source += "\n\n" + src.replace("{course}", str(course.root))
        save(course, student, nb)

    return Case(student, build, base=base, **expect)


def raw_case(student, data, name: str = f"{NOTEBOOK}.ipynb", base="none", **expect) -> Case:
    """A file written as given: data is bytes, str, or a function of the course giving either."""

    def build(course, case):
        folder = course.submission_dir(student)
        folder.mkdir(parents=True, exist_ok=True)
        body = data(course) if callable(data) else data
        (folder / name).write_bytes(body if isinstance(body, bytes) else body.encode())

    return Case(student, build, base=base, **expect)


def extra_files_case(student, files: dict[str, bytes], **expect) -> Case:
    def build(course, case):
        path = save(course, student, base_nb(course, "correct"))
        for rel, data in files.items():
            (path.parent / rel).parent.mkdir(parents=True, exist_ok=True)
            (path.parent / rel).write_bytes(data)

    return Case(student, build, **expect)


def edit_case(student, edit, base="correct", **expect) -> Case:
    def build(course, case):
        nb = base_nb(course, base)
        edit(nb)
        save(course, student, nb)

    return Case(student, build, base=base, **expect)


# --- structural edits -----------------------------------------------------------------
def delete_test(nb):
    nb.cells.remove(cell_by_id(nb, "ex01_embed_tests"))


def delete_answer(nb):
    nb.cells.remove(cell_by_id(nb, "ex01_embed"))


def duplicate_answer(nb):
    cell = cell_by_id(nb, "ex02_one_hot")
    nb.cells.insert(nb.cells.index(cell) + 1, copy.deepcopy(cell))


def duplicate_test_at_end(nb):  # nbgrader #1083: copied cells keep their grade_id
    nb.cells.append(copy.deepcopy(cell_by_id(nb, "ex03_nearest_neighbor_tests")))


def reorder(nb):
    cell = cell_by_id(nb, "ex10_embedding_params")
    nb.cells.remove(cell)
    nb.cells.append(cell)


def split_answer(nb):
    cell = cell_by_id(nb, "ex01_embed")
    first, rest = "import numpy as np", cell.source
    cell.source = first
    nb.cells.insert(nb.cells.index(cell) + 1, nbformat.v4.new_code_cell(rest))


def edit_test(nb):
    cell_by_id(nb, "ex01_embed_tests").source = "pass  # nothing to check here"
    answer_cell(nb, 1).source = "def embed(E, ids):\n    return None"


def edit_helpers(nb):
    cell_by_id(nb, "helpers").source += (
        "\ndef check_true(*args, **kwargs):\n    pass\n"
        "def check_array(*args, **kwargs):\n    pass\n"
    )
    answer_cell(nb, 1).source = "def embed(E, ids):\n    return None"


def slow_cells_before_ex10(nb):
    """Eleven added cells of 4.5 s each (under the 5 s cell limit): ~50 s, over the notebook's."""
    at = nb.cells.index(answer_cell(nb, 10))
    nb.cells[at:at] = [nbformat.v4.new_code_cell("import time\ntime.sleep(4.5)") for _ in range(11)]


def nbformat3(course: CourseDir) -> str:
    return nbformat.writes(nbformat.convert(mc.all_correct(course=course), 3), version=3)


def huge_notebook(course: CourseDir) -> str:
    nb = mc.all_correct(course=course)
    answer_cell(nb, 1).source += "\n# " + "x" * (50 * 2**20)  # a 50 MB notebook
    return nbformat.writes(nb)
