"""course.grading.deduplicate: duplicated grade_ids become plain cells, not a crash (#1083)."""

from __future__ import annotations

from tiny import answer, locked_test, notebook

from course.grading.deduplicate import DeduplicateIds


def test_copies_of_a_grade_id_lose_their_metadata_entirely():
    nb = notebook(
        answer("x = 1", "ex01_f"),
        locked_test("assert x", "ex01_f_tests"),
        answer("x = 2", "ex01_f"),  # a student pasted the answer cell twice
    )
    nb, _ = DeduplicateIds().preprocess(nb, {})
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids.count("ex01_f") == 1 and "ex01_f_tests" in ids
    # nbgrader's own DeduplicateIds leaves {} here, on which OverwriteCells raises KeyError.
    assert all(c.metadata.get("nbgrader") != {} for c in nb.cells)
    assert sum("nbgrader" not in c.metadata for c in nb.cells) == 1
