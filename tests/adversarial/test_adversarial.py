"""Grade one class of hostile and broken submissions (catalog.py) once; assert what each got.

Everything runs for real: nbgrader's gradebook, forked ipykernels, bubblewrap. The class is
graded once per module (about a minute on two cores); each test reads the outcome.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from catalog import ALL
from gradebook_rows import files, same_but_made_up_ids, student_rows
from nbgrader.api import Gradebook

from course.authoring.release import generate
from course.grading.run import Grader
from course.integrity.flags import load_flags
from course.integrity.monitor import ENAME
from course.integrity.scans import hidden_lines
from course.nb import Delimiters, nbgrader_env
from course.paths import ASSIGNMENT, COURSE_ID, NOTEBOOK, new_course
from course.sandbox import host as sandbox
from course.sandbox.limits import Limits

pytestmark = pytest.mark.slow

CASES = {case.student: case for case in ALL}
needs_sandbox = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap sandbox unavailable")
# Small enough for CI: 5 s per cell (nbgrader_config below), 40 s per notebook, 1 MB of output.
LIMITS = Limits(notebook_timeout_s=40, max_output_bytes=1_000_000)


def tree_hash(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


class Graded:
    def __init__(self, root: Path):
        self.course = new_course(root)
        with open(self.course.root / "nbgrader_config.py", "a") as fh:
            fh.write("\nc.Execute.timeout = 5  # the infinite loop case waits this long\n")
        generate(self.course, ASSIGNMENT)
        for case in ALL:
            case.build(self.course, case)
        self.before = tree_hash(self.course.submitted)
        self.summary = Grader(
            self.course.root, ASSIGNMENT, workers=2, force=True, progress=False, limits=LIMITS
        ).run()
        self.after = tree_hash(self.course.submitted)
        self.flags = load_flags(self.course, ASSIGNMENT)

    def scores(self, student: str) -> dict[str, float]:
        with Gradebook(self.course.db_url, COURSE_ID) as gb:
            nb = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
            return {
                g.name.split("_")[0]: g.auto_score for g in nb.grades if g.name.endswith("_tests")
            }

    def autograded(self, student: str):
        return nbformat.read(self.course.autograded_notebook(student, ASSIGNMENT), as_version=4)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    return Graded(tmp_path_factory.mktemp("adversarial") / "course")


def test_the_batch_completes_with_every_submission_accounted_for(graded):
    seen = set(graded.summary.graded) | set(graded.summary.failed)
    assert seen == set(CASES), graded.summary.text()
    for student, case in CASES.items():
        assert (student in graded.summary.failed) == (case.failed is not None), (
            f"{student}: {graded.summary.failed.get(student)}"
        )


@pytest.mark.parametrize("student", sorted(CASES))
def test_each_submission_gets_the_expected_score_and_reason(graded, student):
    case = CASES[student]
    if case.failed:
        assert case.failed in graded.summary.failed[student]
        return
    assert graded.scores(student) == case.expected(), graded.summary.text()
    if case.cut:
        assert case.cut in graded.summary.flagged.get(student, ""), graded.summary.text()
    if case.flag:
        hits = [f for f in graded.flags.get(student, []) if case.flag in f["reason"]]
        assert hits, graded.flags.get(student)
        assert any(f["action"] == case.action for f in hits), hits
        assert f"REVIEW {student}" in graded.summary.text()


def test_honest_submissions_raise_no_flags(graded):
    honest = [
        "correct_student",
        "blank_student",
        "zoë_müller",
        "学生_01",
        "limit_sys_exit",
        "bad_split_cell",
        "bad_deleted_test_cell",
    ]
    assert {s: graded.flags.get(s) for s in honest if graded.flags.get(s)} == {}


def test_submitted_is_byte_for_byte_untouched(graded):
    assert graded.after == graded.before


def test_gradebook_is_consistent(graded):
    db = sqlite3.connect(graded.course.gradebook)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Gradebook(graded.course.db_url, COURSE_ID) as gb:
        subs = {s.student.id: s for s in gb.find_assignment(ASSIGNMENT).submissions}
        for student in graded.summary.graded:
            notebook = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
            grade_ids = [g.name for g in notebook.grades]
            assert len(grade_ids) == len(set(grade_ids)) == 20, student  # 10 tests + 10 written
            assert graded.course.autograded_notebook(student, ASSIGNMENT).exists()
        assert set(graded.summary.graded) <= set(subs)
    for student in graded.summary.failed:
        assert not graded.course.autograded_notebook(student, ASSIGNMENT).exists()


@pytest.mark.sandbox
@needs_sandbox
def test_reads_of_the_course_home_and_network_are_blocked(graded):
    text = "".join(
        str(o) for c in graded.autograded("escape_read").cells for o in c.get("outputs", [])
    )
    assert text.count("blocked") == 5 and "READ " not in text, text[:3000]
    assert "no network" in text and "NETWORK REACHED" not in text
    uid = int(re.search(r"kernel uid (\d+)", text).group(1))
    assert uid >= sandbox.KERNEL_UID_BASE  # its own unprivileged uid, not the grader's root


@pytest.mark.sandbox
@needs_sandbox
def test_writes_outside_its_folder_fail_and_leave_nothing(graded):
    text = "".join(
        str(o) for c in graded.autograded("escape_write").cells for o in c.get("outputs", [])
    )
    assert text.count("blocked") == 7 and "WROTE" not in text, text[:3000]
    for path in CASES["escape_write"].escapes:
        assert not Path(path.replace("{course}", str(graded.course.root))).exists(), path


@pytest.mark.sandbox
@needs_sandbox
def test_no_student_process_outlives_the_run(graded):
    leftovers = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid = int(
                next(ln for ln in status.read_text().splitlines() if ln.startswith("Uid:")).split()[
                    1
                ]
            )
        except (OSError, StopIteration):
            continue
        if uid in sandbox.kernel_uids():  # this run's kernels (other runs may be going on)
            leftovers.append(status.parent.name)
    assert leftovers == []


def test_hidden_test_source_printed_by_a_submission_is_redacted(graded):
    nb = graded.autograded("cheat_print_hidden_tests")
    secret = hidden_lines(
        nbformat.read(graded.course.source_notebook(), as_version=4), Delimiters().hidden_tests
    )
    assert secret
    text = "".join(str(o) for c in nb.cells for o in c.get("outputs", []))
    assert "output removed" in text
    assert not [line for line in secret if line in text]


def test_flags_say_why_in_the_autograded_folder(graded):
    path = graded.course.integrity_flags("cheat_during_test", ASSIGNMENT)
    flags = load_flags(graded.course, ASSIGNMENT)["cheat_during_test"]
    assert path.exists() and any(f["cell"] == "ex01_embed_tests" for f in flags)
    cell = next(
        c
        for c in graded.autograded("cheat_during_test").cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "ex01_embed_tests"
    )
    assert any(o.get("ename") == ENAME for o in cell.outputs)


def test_the_report_lists_flagged_submissions_with_reasons(graded):
    from course.results.report import report

    html = report(course=graded.course, assignment=ASSIGNMENT).read_text()
    section = html.split('id="integrity-flags"')[1].split("</section>")[0]
    for student in ("cheat_during_test", "cheat_redefine_checks", "cheat_ipython_hooks"):
        assert student in section
    assert "compares equal to anything" in section
    assert "correct_student" not in section


REPLAYED_AUTOGRADE = [
    "replay.ReplayOutputs",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]


def test_same_rows_and_autograded_files_as_nbgraders_own_autograde(graded, tmp_path):
    """Differential over the whole hostile class: nbgrader's own, unsplit `autograde` on a
    copy with no grades, its Execute replaced by replay.ReplayOutputs (what our sandboxed
    kernels added; hostile code never runs outside the sandbox). nbgrader's sanitize pass,
    IgnorePattern, LimitOutput, SaveAutoGrades, AssignLatePenalties and writer run as
    nbgrader runs them, so every student row and every autograded/ file must be byte-identical
    (its post-execution preprocessors are idempotent: they leave our output as it is), but for
    cell ids nbformat makes up at random."""
    theirs = tmp_path / "nbgrader"
    shutil.copytree(
        graded.course.root, theirs, ignore=shutil.ignore_patterns("autograded", "feedback")
    )
    for student in set(CASES) - set(graded.summary.graded):  # nothing of theirs to replay
        shutil.rmtree(theirs / "submitted" / student, ignore_errors=True)
    db = sqlite3.connect(theirs / "gradebook.db")
    for table in ("comment", "grade", "submitted_notebook", "submitted_assignment", "student"):
        db.execute(f"DELETE FROM {table}")  # noqa: S608 - nbgrader's student tables
    db.commit()
    db.close()
    with open(theirs / "nbgrader_config.py", "a") as fh:  # nbgrader 0.9's list, but Execute
        fh.write(f"\nc.Autograde.autograde_preprocessors = {REPLAYED_AUTOGRADE!r}\n")
    env = {
        **nbgrader_env(),
        "COURSE_REPLAY_FROM": str(graded.course.autograded),
        "PYTHONPATH": str(Path(__file__).parent),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT],
        cwd=theirs,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ours = student_rows(graded.course.gradebook)
    assert ours["grade"] and student_rows(theirs / "gradebook.db") == ours
    mine, nbgraders = files(graded.course.autograded), files(theirs / "autograded")
    assert len(mine) >= len(graded.summary.graded)
    assert sorted(mine) == sorted(nbgraders)
    for name, data in nbgraders.items():
        submitted = graded.course.submitted / name
        assert same_but_made_up_ids(mine[name], data, submitted), name
