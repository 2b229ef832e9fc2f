"""course.integrity without a kernel: helper extraction, the source scan, the output scan, flags."""

from __future__ import annotations

import ast

from tiny import answer, helper, locked_test, notebook, plain, stream

from course.integrity.flags import flag, load_flags, save_flags, summarize
from course.integrity.helpers import defined_names, helpers_source
from course.integrity.scans import scan_outputs, scan_source
from course.nb import Delimiters
from course.paths import CourseDir

HELPERS = """import numpy as np
from math import isclose
np.random.seed(0)
TOL = 1e-6
print("setup done")

def check_true(cond, msg):
    assert cond, msg
"""


def test_helper_extraction_keeps_definitions_and_imports_not_calls():
    nb = notebook(
        helper(HELPERS),
        locked_test("def not_a_helper(): pass"),  # graded: never helper code
        answer("def f(x):\n    return x"),
        helper("def after_first_answer(): pass"),  # below the first answer: not a helper
    )
    source = helpers_source(nb)
    tree = ast.parse(source)
    kinds = [type(n).__name__ for n in tree.body]
    assert kinds == ["Import", "ImportFrom", "Assign", "FunctionDef"]  # imports first
    assert "seed" not in source and "print" not in source
    assert defined_names(source) == {"check_true"}


def test_helper_extraction_skips_a_cell_that_does_not_parse():
    nb = notebook(helper("def broken(:"), helper("def ok(): pass"), answer("x = 1"))
    assert defined_names(helpers_source(nb)) == {"ok"}


def reasons(nb) -> list[str]:
    return [f["reason"] for f in scan_source(nb)]


def test_source_scan_flags_reaching_for_the_grader():
    nb = notebook(
        helper(HELPERS),
        answer("def f(x):\n    get_ipython().set_custom_exc((Exception,), None)\n    return x"),
        plain("import numpy as np\nnp.allclose = lambda *a, **k: True"),
        answer("def check_true(cond, msg):\n    pass", grade_id="ex02_f"),
        answer("class A:\n    def __eq__(self, other):\n        return True", "ex03_f"),
    )
    found = reasons(nb)
    assert "uses get_ipython() (IPython internals)" in found
    assert "sets an IPython custom exception handler" in found
    assert "assigns np.allclose" in found
    assert "redefines the check helper check_true()" in found
    assert any("defines __eq__" in r for r in found)
    cells = {f["cell"] for f in scan_source(nb)}
    assert None in cells  # the plain cell has no grade_id
    assert {"ex01_f", "ex02_f", "ex03_f"} <= cells


def test_source_scan_leaves_honest_answers_and_locked_cells_alone():
    nb = notebook(
        helper("import sys\nimport ctypes"),  # instructor code: never scanned
        answer("def f(x):\n    import numpy as np\n    return np.asarray(x) * 2"),
    )
    assert scan_source(nb) == []


HIDDEN = "assert f(12345) == 24690, 'the hidden check of f'"


def graded_nb(output: str, delimiters: tuple[str, str] = Delimiters().hidden_tests):
    begin, end = delimiters
    test = locked_test(f"assert f(1) == 2\n# {begin}\n{HIDDEN}\n# {end}")
    leak = answer("print(In)")
    leak.outputs = [stream(output)]
    return notebook(answer("def f(x):\n    return 2 * x"), leak, test)


def test_output_scan_redacts_hidden_test_source_and_flags_the_cell():
    nb = graded_nb(f"... {HIDDEN} ...\n")
    flags = scan_outputs(nb)
    assert [f["cell"] for f in flags] == ["ex01_f"]
    assert HIDDEN not in nb.cells[1].outputs[0].text
    assert "output removed" in nb.cells[1].outputs[0].text


def test_output_scan_leaves_honest_output():
    nb = graded_nb("PASS - f doubles\n")
    assert scan_outputs(nb) == [] and nb.cells[1].outputs[0].text == "PASS - f doubles\n"


def test_output_scan_uses_the_configured_delimiters():
    custom = ("BEGIN SECRET", "END SECRET")
    nb = graded_nb(f"{HIDDEN}\n", custom)
    assert scan_outputs(nb) == []  # nbgrader's default delimiters find no hidden test here
    assert len(scan_outputs(nb, custom)) == 1


def test_flags_round_trip_and_an_empty_list_removes_the_file(tmp_path):
    course = CourseDir(tmp_path)
    path = course.integrity_flags("ada", "a1")
    flags = [flag(None, "review", "x"), flag(locked_test("", "ex02_t"), "zeroed", "y")]
    save_flags(path, flags)
    assert load_flags(course, "a1") == {"ada": flags}
    assert summarize(flags) == "[zeroed] notebook: x; ex02_t: y"
    save_flags(path, [])
    assert not path.exists() and load_flags(course, "a1") == {}
