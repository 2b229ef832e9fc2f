"""The writer's cached metadata validation accepts and rejects exactly what nbgrader's does."""

from __future__ import annotations

import jsonschema
import nbformat
import pytest
from nbgrader.nbgraderformat import common
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

from course.grading import fastschema

GOOD = {
    "schema_version": 3,
    "grade": True,
    "solution": False,
    "locked": True,
    "task": False,
    "grade_id": "ex01_embed_tests",
    "points": 1,
}
BAD = [
    dict(GOOD, grade_id="ex01 embed!"),
    dict(GOOD, points="one"),
    dict(GOOD, extra_key=1),
    {k: v for k, v in GOOD.items() if k != "grade_id"},
]


def _cell(meta):
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["nbgrader"] = dict(meta)
    return cell


def _outcome(meta):
    try:
        MetadataValidatorV3().validate_cell(_cell(meta))
    except jsonschema.ValidationError as error:
        return error.message
    return "ok"


@pytest.mark.parametrize("meta", [GOOD] + BAD)
def test_same_verdict_and_message_as_nbgrader(meta, monkeypatch):
    monkeypatch.setattr(common, "jsonschema", jsonschema)
    original = _outcome(meta)
    fastschema.install()
    assert _outcome(meta) == original
    assert (original == "ok") == (meta is GOOD)
