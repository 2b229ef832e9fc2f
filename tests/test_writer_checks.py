"""course.grading.writer's stand-ins, without a gradebook: they apply exactly one submission's
notebooks, and refuse an execution that is not of the notebook being written."""

from __future__ import annotations

import nbformat
import pytest
from tiny import answer, locked_test, notebook, stream

from course.errors import GradingError
from course.grading.writer import InjectOutputs, UsePrepared, _is_execute

RESOURCES = {"nbgrader": {"student": "ada", "notebook": "exercises"}}


def sanitized():
    return notebook(answer("def f(x):\n    return 2 * x"), locked_test("assert f(1) == 2"))


def test_inject_outputs_copies_what_execute_would_add():
    executed = sanitized()
    executed.cells[1].outputs = [stream("PASS\n")]
    executed.cells[1].execution_count = 2
    executed.metadata["language_info"] = {"name": "python"}
    nb, _ = InjectOutputs({"exercises": executed}).preprocess(sanitized(), RESOURCES)
    assert nb.cells[1].outputs[0].text == "PASS\n" and nb.cells[1].execution_count == 2
    assert nb.metadata["language_info"] == {"name": "python"}


def test_inject_outputs_refuses_an_execution_of_another_notebook():
    other = sanitized()
    other.cells[1].source = "assert True  # rewritten"
    with pytest.raises(GradingError, match="does not match the sanitized submission"):
        InjectOutputs({"exercises": other}).preprocess(sanitized(), RESOURCES)
    with pytest.raises(GradingError, match="no execution result for ada/exercises"):
        InjectOutputs({"other": sanitized()}).preprocess(sanitized(), RESOURCES)


def test_use_prepared_returns_the_prepared_text():
    text = nbformat.writes(sanitized())
    nb, _ = UsePrepared({"exercises": text}).preprocess(notebook(), RESOURCES)
    assert nb == nbformat.reads(text, as_version=4)
    with pytest.raises(GradingError, match="no sanitized notebook"):
        UsePrepared({}).preprocess(notebook(), RESOURCES)


def test_execute_is_recognised_by_name_or_class():
    from nbgrader.preprocessors import ClearOutput, Execute

    assert _is_execute("nbgrader.preprocessors.Execute") and _is_execute(Execute)
    assert not _is_execute(ClearOutput) and not _is_execute("nbgrader.preprocessors.ClearOutput")
