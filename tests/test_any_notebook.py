"""Any valid nbgrader notebook is welcome, and `python -m course new` scaffolds one that releases.

In a copy of the repository, with the commands users type:
- an ordinary nbgrader notebook (its own check helper in a locked cell, none of the course's
  setup/check cells, another notebook name) is added with only its folder under source/ and a
  table in course.toml, then released, graded (the grader's guard trusts the notebook's own
  locked cells), fed back (hidden tests removed), exported and put on the site;
- `python -m course new` writes a notebook and a course.toml table that release as they are.
"""

from __future__ import annotations

import csv
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from test_term import KEEP, cli, run, tree_digest

from course.paths import REPO

pytestmark = pytest.mark.slow

AID = "plain_homework"
HELPER = '''def check(condition, message):
    """This notebook's own check helper (no course cells here)."""
    print(("PASS" if condition else "FAIL") + " - " + message)
    assert condition, message'''
SOLUTION = "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION"
TESTS = (
    'check(square(3) == 9, "square(3) is 9")\n### BEGIN HIDDEN TESTS\n'
    'check(square(-12) == 144, "hidden: square(-12) is 144")\n### END HIDDEN TESTS'
)
TABLE = f'\n[[assignment]]\nid = "{AID}"\ntitle = "Plain homework"\ndue = 2026-04-01T12:00:00Z\n'


def _meta(grade_id, *, grade=False, solution=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3}
    meta.update(solution=solution, task=False)
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def plain_notebook():
    cells = [
        new_markdown_cell("# Plain homework\n\nWrite `square`, then run the test."),
        new_code_cell(HELPER, metadata=_meta("helpers")),
        new_code_cell(SOLUTION, metadata=_meta("square", solution=True)),
        new_code_cell(TESTS, metadata=_meta("square_tests", grade=True, points=2)),
    ]
    for i, cell in enumerate(cells):
        cell.id = f"c{i}"
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return new_notebook(cells=cells, metadata={"kernelspec": kernelspec})


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("copy") / "repo"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(*KEEP))
    for step in ("submitted", "autograded", "feedback"):
        shutil.rmtree(root / step, ignore_errors=True)
        (root / step).mkdir()
    return root


def test_an_ordinary_nbgrader_notebook_goes_through_release_grade_feedback_export_site(root):
    before = tree_digest(root)
    # The instructor's only two edits: the notebook's folder and its course.toml table.
    (root / "source" / AID).mkdir()
    nbformat.write(plain_notebook(), root / "source" / AID / "homework.ipynb")
    with open(root / "course.toml", "a") as fh:
        fh.write(TABLE)
    assert f"released {root / 'release' / AID}" in run(root, "release", AID).stdout
    after = tree_digest(root)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed and all(k.startswith((f"source/{AID}/", f"release/{AID}/")) for k in changed)
    released = nbformat.read(root / "release" / AID / "homework.ipynb", as_version=4)
    assert "square(-12)" not in str(released) and "x * x" not in str(released)
    assert any(c.source == HELPER for c in released.cells)  # left as its author wrote it

    answers = {"ada": "def square(x):\n    return x * x", "bob": "def square(x):\n    return 2 * x"}
    for student, body in answers.items():
        nb = nbformat.read(root / "release" / AID / "homework.ipynb", as_version=4)
        next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")).source = body
        (root / "submitted" / student / AID).mkdir(parents=True)
        nbformat.write(nb, root / "submitted" / student / AID / "homework.ipynb")
        (root / "submitted" / student / AID / "timestamp.txt").write_text("2026-03-30 10:00:00 UTC")
    graded = run(root, "grade", AID, "--quiet")
    assert f"{AID}: graded 2 submission(s)" in graded.stdout, graded.stdout + graded.stderr

    cli(root, "feedback", AID)
    html = (root / "feedback" / "bob" / AID / "homework.html").read_text()
    assert "FAIL - square(3) is 9" in html and "square(-12)" not in html

    cli(root, "export", AID)
    with open(root / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert float(rows["ada"]["raw_score"]) == 2 and float(rows["bob"]["raw_score"]) == 0, rows

    out = root / "site-out"
    cli(root, "site", "--out", str(out), "--hub-url", "")
    pages = "".join(p.read_text() for p in out.rglob("*.html"))
    assert "Plain homework" in pages and "square(-12)" not in pages


def test_new_scaffolds_an_assignment_that_releases_as_it_is(root):
    done = cli(root, "new", "vector_means", "Vector Means")
    assert "source/vector_means/exercises.ipynb" in done.stdout
    assert 'title = "Vector Means"' in (root / "course.toml").read_text()
    assert "released" in run(root, "release", "vector_means").stdout
    nb = nbformat.read(root / "release" / "vector_means" / "exercises.ipynb", as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert {"setup", "checks", "numeric_checks", "ex01_mean_vector_tests"} <= set(ids)
    refused = cli(root, "new", "vector_means", "Again", ok=False)
    assert refused.returncode != 0 and "already an assignment" in refused.stderr
