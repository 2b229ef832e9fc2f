"""A term of many assignments, end to end with the commands users type, in a copy of the repository.

An assignment nobody has seen (its own id, one notebook, its own points) is added exactly as the
README says: its folder under source/, its table in course.toml, `python -m course release`.
Then: a class with an on-time, a late and an extended student is graded; the course-wide and
Canvas CSVs carry course.toml's penalty; an extension and a moved deadline change penalties
with no regrade; a student who forges their submission time in the exchange is flagged and
charged from the arrival the server saw; a fixed test's regrade prints and saves who lost what.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.authoring.tiny import Exercise, answered, correct_answers, write_assignment
from course.paths import REPO

pytestmark = pytest.mark.slow

AID = "softmax_warmup"
# ex02's first test cannot tell an index from the value at it (both are 1); the fix can.
LENIENT = "assert argmax([0, 1, 0]) == 1"
FIXED = LENIENT + "\nassert argmax([1, 5, 2]) == 1"
EXERCISES = [
    Exercise(
        "ex01_softmax",
        "import math\n\ndef softmax(xs):\n    ### BEGIN SOLUTION\n    m = max(xs)\n"
        "    e = [math.exp(x - m) for x in xs]\n    return [v / sum(e) for v in e]\n"
        "    ### END SOLUTION",
        "assert abs(sum(softmax([1.0, 2.0, 3.0])) - 1) < 1e-9\n"
        "assert softmax([0.0, 0.0]) == [0.5, 0.5]",
        4,
    ),
    Exercise(
        "ex02_argmax",
        "def argmax(xs):\n    ### BEGIN SOLUTION\n    return max(range(len(xs)), key=xs.__getitem__)\n"
        "    ### END SOLUTION",
        LENIENT,
        3,
    ),
]
TABLE = f"""
[[assignment]]
id = "{AID}"
title = "Softmax warm-up"
due = 2026-03-20T17:00:00+00:00
late = {{ per_day = 0.20, max_days = 3 }}
"""
# ada on time; cal 1 day 2 h late (2 started days: -40 %); ivy as late as cal, then extended.
CLASS = {
    "ada": "2026-03-20 16:00:00 UTC",
    "cal": "2026-03-21 19:00:00 UTC",
    "ivy": "2026-03-21 19:00:00 UTC",
}
# cal returns the largest value, not its index: the lenient test gives full points.
WRONG_ARGMAX = "def argmax(xs):\n    return max(xs)"
KEEP = (".venv", ".git", "demo-class", "gradebook.db", "report", ".pytest_cache", "__pycache__")


def run(root: Path, *args: str, ok: bool = True):
    """`python -m course ARGS` as a user types it, in the copy (its own course package)."""
    done = subprocess.run(
        [sys.executable, "-m", "course", *args], cwd=root, capture_output=True, text=True
    )
    if ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def cli(root: Path, *args: str, ok: bool = True):
    """The same CLI in this process (nbgrader's ~3 s import paid once, not per call)."""
    from course.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--course", str(root), *args])
    if ok:
        assert code == 0, out.getvalue() + err.getvalue()
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for d in ("course", "tests", "source", "release")
        for p in sorted((root / d).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    } | {
        n: hashlib.sha256((root / n).read_bytes()).hexdigest()
        for n in ("nbgrader_config.py", "Makefile")
    }


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("copy") / "repo"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(*KEEP))
    for step in ("submitted", "autograded", "feedback"):
        shutil.rmtree(root / step, ignore_errors=True)
        (root / step).mkdir()
    before = tree_digest(root)
    # The instructor's two edits: source/<id>/ and course.toml.
    write_assignment(root / "source" / AID, "Softmax warm-up", EXERCISES)
    with open(root / "course.toml", "a") as fh:
        fh.write(TABLE)
    release = run(root, "release", AID)
    assert f"released {root / 'release' / AID}" in release.stdout
    after = tree_digest(root)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed and all(k.startswith((f"source/{AID}/", f"release/{AID}/")) for k in changed)
    first = nbformat.read(root / "release" / AID / "exercises.ipynb", as_version=4).cells[0]
    assert "Softmax warm-up" in first.source and "Friday 20 March 2026, 17:00 UTC" in first.source

    rel = root / "release" / AID / "exercises.ipynb"
    for student, stamp in CLASS.items():
        folder = root / "submitted" / student / AID
        folder.mkdir(parents=True)
        answers = correct_answers(EXERCISES)
        if student == "cal":
            answers["ex02_argmax"] = WRONG_ARGMAX
        nbformat.write(answered(rel, answers), folder / "exercises.ipynb")
        (folder / "timestamp.txt").write_text(stamp)
    graded = run(root, "grade", AID, "--quiet")
    assert f"{AID}: graded 3 submission(s)" in graded.stdout
    return root


def wide(root: Path) -> dict[str, dict]:
    cli(root, "export")
    return {r["student_id"]: r for r in read_csv(root / "grades_course.csv")}


def test_unseen_assignment_is_graded_and_exported_with_its_penalty(term):
    assert "grades_course.csv" in run(term, "export").stdout
    rows = {r["student_id"]: r for r in read_csv(term / "grades_course.csv")}
    assert rows["ada"][AID] == "7" and rows["cal"][AID] == "4.2"  # 7 points, 2 days * 20 %
    assert float(rows["ada"]["total"]) == 7 and float(rows["ada"]["max_total"]) >= 7
    canvas = list(csv.reader(open(term / "canvas.csv", newline="")))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    col = canvas[0].index("Softmax warm-up")
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][col] == "7"
    by_login = {r[3]: r for r in canvas[2:]}
    assert by_login["ada"][col] == "7" and by_login["cal"][col] == "4.2"


def test_extension_and_moved_deadline_recompute_penalties_without_a_regrade(term):
    state = (term / "autograded" / f".grade-state-{AID}.json").read_text()
    assert wide(term)["ivy"][AID] == "4.2"
    out = cli(term, "extend", "ivy", AID, "--days", "2").stdout
    assert "due 2026-03-22 17:00 UTC" in out
    rows = wide(term)
    assert rows["ivy"][AID] == "7" and rows["cal"][AID] == "4.2"
    late = {r["student_id"]: r for r in read_csv(term / "lateness.csv") if r["assignment"] == AID}
    assert late["ivy"]["extension"] == "2 days, 0:00:00"
    # --until: the new due time itself; before the due date is refused.
    cli(term, "extend", "ivy", AID, "--until", "2026-03-21T18:00:00+00:00")
    assert wide(term)["ivy"][AID] == "5.6"  # 1 h late -> one started day
    refused = cli(term, "extend", "ivy", AID, "--days", "-1", ok=False)
    assert refused.returncode == 2 and "cannot end before" in refused.stderr
    # The deadline moves a day later in course.toml: cal is now one started day late.
    toml = term / "course.toml"
    toml.write_text(
        toml.read_text().replace("2026-03-20T17:00:00+00:00", "2026-03-21T17:00:00+00:00")
    )
    assert wide(term)["cal"][AID] == "5.6"
    toml.write_text(
        toml.read_text().replace("2026-03-21T17:00:00+00:00", "2026-03-20T17:00:00+00:00")
    )
    assert wide(term)["cal"][AID] == "4.2"
    assert (term / "autograded" / f".grade-state-{AID}.json").read_text() == state  # no regrade


def test_a_forged_submission_time_is_flagged_and_lateness_counts_from_arrival(term, tmp_path):
    from course.exchange import write_student_config

    exchange = tmp_path / "exchange"
    cli(term, "publish", AID, "--exchange", str(exchange))
    # The student submits through nbgrader's own exchange, now (long after the due date) ...
    home, config = tmp_path / "mel", tmp_path / "mel-jupyter"
    write_student_config(config, exchange, "mel")
    (home / AID).mkdir(parents=True)
    nbformat.write(
        answered(term / "release" / AID / "exercises.ipynb", correct_answers(EXERCISES)),
        home / AID / "exercises.ipynb",
    )
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config)}
    done = subprocess.run([sys.executable, "-m", "nbgrader", "submit", AID], cwd=home, env=env, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # ... then rewrites what nbgrader trusts: the inbound folder's time and its timestamp.txt.
    inbound = exchange / "math-for-llms" / "inbound"
    (entry,) = inbound.glob(f"mel+{AID}+*")
    claim = "2026-03-20 12:00:00.000000 UTC"
    user, aid, _, rand = entry.name.split("+")
    forged = entry.rename(inbound / f"{user}+{aid}+{claim}+{rand}")
    (forged / "timestamp.txt").write_text(claim)

    out = cli(term, "collect", AID, "--exchange", str(exchange)).stdout
    assert "FORGED TIME mel: claims 2026-03-20 12:00:00 UTC" in out
    cli(term, "grade", AID, "--quiet")
    assert wide(term)["mel"][AID] == "0"  # arrived months late: more than max_days
    late = {r["student_id"]: r for r in read_csv(term / "lateness.csv") if r["assignment"] == AID}
    assert late["mel"]["forged_time"] == "yes" and late["mel"]["claimed"].startswith(
        "2026-03-20T12"
    )
    assert late["ada"]["forged_time"] == ""  # no exchange record: its timestamp.txt counts
    assert (term / "submitted" / "mel" / AID / "timestamp.txt").read_text() == claim


def test_regrade_after_a_test_fix_prints_and_saves_who_lost_points(term):
    # The instructor fixes ex02's lenient test and releases again (same grade_id, same points).
    source = term / "source" / AID / "exercises.ipynb"
    nb = nbformat.read(source, as_version=4)
    (cell,) = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex02_argmax_tests"
    ]
    cell.source = FIXED
    nbformat.write(nb, source)
    run(term, "release", AID)
    changed = cli(term, "grade", AID, "--force", "--quiet").stdout
    assert "1 student(s) changed" in changed
    assert "cal: lost 3 point(s) (ex02_argmax_tests -3)" in changed
    saved = sorted((term / "autograded").glob(f"regrade-{AID}-*.csv"))
    assert len(saved) == 1 and str(saved[0]) in changed
    rows = read_csv(saved[0])
    assert [(r["student_id"], r["cell"], r["before"], r["after"]) for r in rows] == [
        ("cal", "ex02_argmax_tests", "3.0", "0.0")
    ]
    again = cli(term, "grade", AID, "--force", "--quiet").stdout
    assert f"regrade of {AID}: no score changed" in again
    assert len(list((term / "autograded").glob(f"regrade-{AID}-*.csv"))) == 1
