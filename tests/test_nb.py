"""course.nb: cell kinds, exercises, regions by nbgrader's configured delimiters, run_nbgrader."""

from __future__ import annotations

import pytest
from tiny import answer, helper, locked_test, plain, written
from traitlets.config import Config

from course.errors import NbgraderFailed
from course.nb import (
    Delimiters,
    drop_delimiter_lines,
    exercise_key,
    exercise_number,
    is_answer_cell,
    is_student_code,
    is_test_cell,
    is_written_answer,
    load_config,
    region_lines,
    run_nbgrader,
)


def test_cell_kinds_follow_nbgrader_metadata():
    cells = {
        "answer": answer("x = 1"),
        "test": locked_test("assert x"),
        "helper": helper("def f(): pass"),
        "written": written(),
        "plain": plain("y = 2"),
    }
    kinds = {
        name: (is_test_cell(c), is_answer_cell(c), is_written_answer(c), is_student_code(c))
        for name, c in cells.items()
    }
    assert kinds == {
        "answer": (False, True, False, True),
        "test": (True, False, False, False),
        "helper": (False, False, False, False),
        "written": (False, False, True, False),
        "plain": (False, False, False, True),
    }


def test_grade_id_to_exercise():
    assert exercise_number("ex03_nearest_neighbor_tests") == 3
    assert exercise_key("ex10_explain") == "ex10"
    assert exercise_key("setup") is None and exercise_number(None) is None
    assert exercise_key("xex01_f") is None


SOURCE = """def f(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION

def g():
    ### BEGIN SOLUTION
    return 0
    ### END SOLUTION
"""


def test_regions_are_found_as_nbgrader_finds_them():
    sol = Delimiters().solution
    assert region_lines(SOURCE, sol) == ["    return 2 * x", "    return 0"]
    assert "BEGIN" not in drop_delimiter_lines(SOURCE, sol)
    assert "return 2 * x" in drop_delimiter_lines(SOURCE, sol)
    # An unterminated region is no region (nbgrader would refuse the cell).
    assert region_lines("### BEGIN SOLUTION\nx = 1\n", sol) == []


def test_delimiters_come_from_the_course_configuration(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.ClearHiddenTests.begin_test_delimeter = 'BEGIN SECRET'\n"
        "c.ClearHiddenTests.end_test_delimeter = 'END SECRET'\n"
    )
    delimiters = Delimiters.from_config(load_config(tmp_path))
    assert delimiters.hidden_tests == ("BEGIN SECRET", "END SECRET")
    assert delimiters.solution == ("BEGIN SOLUTION", "END SOLUTION")  # nbgrader's default
    source = "assert f(1) == 2\n# BEGIN SECRET\nassert f(5) == 10\n# END SECRET\n"
    assert region_lines(source, delimiters.hidden_tests) == ["assert f(5) == 10"]
    assert Delimiters.from_config(Config()) == Delimiters()


def test_load_config_pins_the_course_root(tmp_path):
    assert load_config(tmp_path).CourseDirectory.root == str(tmp_path)


@pytest.mark.slow  # starts nbgrader (seconds)
def test_run_nbgrader_failure_is_one_error_with_the_log(tmp_path):
    with pytest.raises(NbgraderFailed, match="nbgrader collect") as exc:
        run_nbgrader(tmp_path, "collect", "nothing", "--Exchange.root=/nonexistent/exchange")
    assert "Unwritable directory" in str(exc.value) or "ERROR" in str(exc.value)
