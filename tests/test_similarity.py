"""The similarity report (course.similarity): planted copies rank above honest work, the JSON
contract, escaped student text, past terms via `python -m course archive`, hostile folders."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3

import nbformat
import pytest

from course.authoring.similar import build
from course.authoring.similar.planted import ASSIGNMENT
from course.cli import main
from course.paths import new_course
from course.similarity.compare import compare
from course.similarity.extract import CODE, own_lines
from course.similarity.fingerprint import fingerprints
from course.similarity.report import write_html
from course.similarity.score import clusters


@pytest.fixture(scope="module")
def planted_class(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("similar") / "course")
    truth = build(course, n_honest=30, seed=1)
    return course, truth, compare(course, ASSIGNMENT)


def _score(found, pair) -> float:
    names = {found.name(i): i for i in range(len(found.subjects))}
    a, b = sorted((names[pair[0]], names[pair[1]]))
    return next(p.score for p in found.pairs if (p.a, p.b) == (a, b))


def test_every_planted_copy_ranks_above_every_honest_pair(planted_class):
    _, truth, comparison = planted_class
    found = comparison.analysis
    planted = {frozenset(p) for p in truth["planted"]}
    assert len(planted) == 4  # verbatim, renamed, reordered, one exercise of ten
    planted_scores = [_score(found, tuple(p)) for p in planted]
    honest = [
        p.score for p in found.pairs if frozenset((found.name(p.a), found.name(p.b))) not in planted
    ]
    assert len(honest) > 500
    assert min(planted_scores) > max(honest), (planted_scores, sorted(honest)[-5:])
    one_liners = _score(found, truth["one_liners"][0])
    assert one_liners < min(planted_scores)
    # The one-exercise copy is explained by the exercise that was copied.
    one = next(p for p in found.pairs if "copy_one_exercise" in (found.name(p.a), found.name(p.b)))
    assert found.exercises(one)[0] == "ex08"


def test_own_lines_blank_the_stub_and_docstrings_in_place():
    release = 'def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()'
    source = 'def f(x):\n    """Doc."""\n    """My own docstring."""\n    y = x + 1\n    return y'
    own = own_lines(source, release, CODE)
    assert len(own) == len(source)
    assert own.split() == ["y", "=", "x", "+", "1", "return", "y"]


def test_fingerprints_ignore_renames_comments_layout_and_statement_order():
    a = "u = np.asarray(u, dtype=float)\nn = np.linalg.norm(u)\nreturn u / n"
    b = "# normalise\nn2 = np.linalg.norm( vec )  # length\nvec = np.asarray(vec,\n    dtype=float)\n\nreturn vec/n2"
    different = "u = np.asarray(u, dtype=int)\nn = np.linalg.svd(u)\nreturn u / n"
    hashes = [{f.hash for f in fingerprints(code, CODE)} for code in (a, b, different)]
    assert hashes[0] == hashes[1]
    assert hashes[0] != hashes[2]


def test_json_is_the_contract_and_sorted(planted_class, capsys):
    course, truth, _ = planted_class
    assert main(["--course", str(course.root), "similarity", ASSIGNMENT, "--json"]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert set(data) == {"assignment", "pairs"} and data["assignment"] == ASSIGNMENT
    scores = [p["score"] for p in data["pairs"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert all(set(p) == {"students", "score", "exercises"} for p in data["pairs"])
    top = {frozenset(p["students"]) for p in data["pairs"][:4]}
    assert top == {frozenset(p) for p in truth["planted"]}
    assert (course.root / "similarity" / f"{ASSIGNMENT}.html").is_file()
    assert "for review" in out.err


def _answer(course, student: str, code: str) -> None:
    nb = nbformat.read(course.release_notebook(ASSIGNMENT), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex08_rope_rotate":
            cell.source = cell.source.replace('raise NotImplementedError("rope', code + "\n#")
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "ex08_explain":
            cell.source = (
                "<img src=x onerror=alert(1)> I rotate each pair by its own angle, then stop."
            )
    folder = course.submission_dir(student, ASSIGNMENT)
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "exercises.ipynb")


HOSTILE = (
    "s = '</pre><script>alert(1)</script>'\n    t = [k * 3 for k in range(7) if k % 2]\n"
    "    return np.cumsum(t) - len(s) ** 2"
)


def test_report_shows_student_text_escaped_with_no_script(tmp_path):
    course = new_course(tmp_path / "course")
    for student in ("mallory", "trent"):
        _answer(course, student, HOSTILE)
    _answer(course, "walter", "return x")
    page = write_html(compare(course, ASSIGNMENT), course).read_text()
    assert "<script>alert" not in page and "<img src=x" not in page
    text = re.sub(r'<mark class="\w+">|</mark>', "", page)  # highlights may cut a run
    assert "&lt;/pre&gt;&lt;script&gt;" in text and "&lt;img src=x onerror" in text
    assert "default-src 'none'" in page
    assert '<mark class="match">' in page and "for review" in page and "misconduct" in page


def test_archive_skips_links_and_against_finds_a_past_copy(tmp_path, capsys):
    old = new_course(tmp_path / "old")
    _answer(old, "pat", HOSTILE)
    _answer(old, "quinn", "return x")
    secret = tmp_path / "secret.txt"
    secret.write_text("grader's file")
    os.symlink(secret, old.submission_dir("pat", ASSIGNMENT) / "notes.txt")
    os.symlink(old.submission_dir("pat", ASSIGNMENT), old.submitted / "linked_student")
    os.mkfifo(old.submission_dir("quinn", ASSIGNMENT) / "pipe")
    with sqlite3.connect(old.gradebook) as db:
        db.execute("create table grade (student text, score real)")
        db.execute("insert into grade values ('pat', 7.5)")
    archive = tmp_path / "archive"
    args = ["--course", str(old.root), "archive", "--term", "2025-fall", "--to", str(archive)]
    assert main(args) == 0
    out = capsys.readouterr().out
    kept = archive / "2025-fall" / "submitted"
    assert (kept / "pat" / ASSIGNMENT / "exercises.ipynb").is_file()
    assert not (kept / "pat" / ASSIGNMENT / "notes.txt").exists()
    assert (
        not (kept / "linked_student").exists()
        and not (kept / "quinn" / ASSIGNMENT / "pipe").exists()
    )
    assert "notes.txt (a link" in out and "linked_student (a link" in out and "pipe (" in out
    with sqlite3.connect(archive / "2025-fall" / "gradebook.db") as db:
        assert db.execute("select * from grade").fetchall() == [("pat", 7.5)]
    assert main(args) == 1  # an archived term is never replaced
    assert "already exists" in capsys.readouterr().err

    new = new_course(tmp_path / "new")
    _answer(new, "sam", HOSTILE.replace("k", "j"))  # renamed
    _answer(new, "ursula", "return x")
    argv = ["--course", str(new.root), "similarity", ASSIGNMENT, "--against", str(archive)]
    assert main([*argv, "--json"]) == 0
    pairs = json.loads(capsys.readouterr().out)["pairs"]
    assert pairs[0]["students"] == ["sam", "2025-fall/pat"]
    assert all(not all("/" in s for s in p["students"]) for p in pairs)  # past-past not listed


def test_unreadable_submissions_are_named_and_the_rest_compared(tmp_path, capsys):
    course = new_course(tmp_path / "course")
    for student in ("ann", "bob"):
        _answer(course, student, HOSTILE)
    broken = course.submission_dir("cat", ASSIGNMENT)
    broken.mkdir(parents=True)
    (broken / "exercises.ipynb").write_text('{"cells": [ not json')
    fifo = course.submission_dir("dan", ASSIGNMENT)
    fifo.mkdir(parents=True)
    os.mkfifo(fifo / "exercises.ipynb")
    assert main(["--course", str(course.root), "similarity", ASSIGNMENT, "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["pairs"][0]["students"] == ["ann", "bob"]
    errors = [ln for ln in out.err.splitlines() if ln.startswith("not compared")]
    assert len(errors) == 2
    assert "cat" in errors[0] and "not a readable notebook" in errors[0]
    assert "dan" in errors[1] and "not a regular file" in errors[1]
    assert "Traceback" not in out.err


def test_an_unreleased_assignment_is_named_and_the_others_reported(tmp_path, capsys):
    course = new_course(tmp_path / "course")
    _answer(course, "ann", HOSTILE)
    shutil.rmtree(course.release / "attention_math")
    assert main(["--course", str(course.root), "similarity", "--all"]) == 1
    out = capsys.readouterr()
    assert f"{course.release / 'attention_math'} is missing" in out.err
    assert (course.root / "similarity" / f"{ASSIGNMENT}.html").is_file()
    assert "Traceback" not in out.err


def test_three_students_sharing_rare_code_form_a_group(tmp_path):
    course = new_course(tmp_path / "course")
    build(course, n_honest=8, seed=2)
    for student in ("gus", "hal", "ida"):
        _answer(course, student, HOSTILE)
    found = compare(course, ASSIGNMENT).analysis
    groups = [[found.name(i) for i in g] for g in clusters(found)]
    assert ["gus", "hal", "ida"] in groups
    assert not any("copy_verbatim" in g for g in groups)  # a pair alone is not a group
    page = write_html(compare(course, ASSIGNMENT), course).read_text()
    assert '<li class="cluster">gus, hal, ida</li>' in page
