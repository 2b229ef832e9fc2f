"""One submission's execution (course.worker.execute): forked kernels behave like nbgrader's own.

Real fork server, real ipykernel, nbgrader's own Execute; tiny notebooks so each test is quick.
"""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.utils import determine_grade

from course.sandbox import limits as sandbox
from course.worker import execute, forkkernel
from course.worker.forkserver import ForkServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    srv = ForkServer(sandbox.Limits())
    forkkernel.ForkKernelManager.server = srv
    yield srv
    forkkernel.ForkKernelManager.server = None
    srv.close()


def notebook(*sources, test_cells=()):
    cells = []
    for i, src in enumerate(sources):
        cell = new_code_cell(src)
        if i in test_cells:
            cell.metadata["nbgrader"] = {
                "grade": True,
                "solution": False,
                "locked": True,
                "points": 1,
                "grade_id": f"t{i}",
                "schema_version": 3,
            }
        cells.append(cell)
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


def run(nb, tmp_path, **kw):
    return execute.execute_notebook(nb, tmp_path, **kw)


def texts(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_outputs_match_a_normal_kernel(server, tmp_path):
    nb, aborted = run(
        notebook(
            "import numpy as np\nprint(np.arange(3))",
            "import sys\nprint('warn', file=sys.stderr)",
            "1/0",
            "6 * 7",
            "import os\nos.environ['NBGRADER_EXECUTION']",
        ),
        tmp_path,
    )
    assert aborted is None
    out = nb.cells
    assert texts(out[0]) == "[0 1 2]\n"
    assert out[1].outputs[0].name == "stderr"
    assert (
        out[2].outputs[0].output_type == "error" and out[2].outputs[0].ename == "ZeroDivisionError"
    )
    assert out[3].outputs[0].data["text/plain"] == "42"
    assert out[4].outputs[0].data["text/plain"] == "'autograde'"  # as under nbgrader autograde
    assert nb.metadata.language_info.name == "python"


def test_each_notebook_gets_a_fresh_process(server, tmp_path):
    probe = "import os, numpy\nprint(os.getpid(), hasattr(numpy, '_left_behind'))\nnumpy._left_behind = 1"
    first, _ = run(notebook(probe), tmp_path)
    second, _ = run(notebook(probe), tmp_path)
    pid1, left1 = texts(first.cells[0]).split()
    pid2, left2 = texts(second.cells[0]).split()
    assert pid1 != pid2 and left1 == left2 == "False"


def test_figures_are_rendered_inline(server, tmp_path):
    nb, _ = run(notebook("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"), tmp_path)
    assert any("image/png" in o.get("data", {}) for o in nb.cells[0].outputs)


def test_dead_kernel_keeps_earlier_outputs_and_zeroes_the_rest(server, tmp_path):
    nb, aborted = run(
        notebook(
            "print('before')",
            "print('ok')",
            "import os\nos._exit(3)",
            "print('never')",
            test_cells=(1, 3),
        ),
        tmp_path,
    )
    assert aborted and "kernel died" in aborted and "exited with code 3" in aborted
    assert texts(nb.cells[0]) == "before\n"
    assert determine_grade(nb.cells[1]) == (1, 1)  # earned before the crash
    assert determine_grade(nb.cells[3]) == (0, 1)  # never ran: cannot score
    assert nb.cells[3].outputs[-1].ename == execute.ABORT_ENAME


def test_cell_timeout_is_nbgraders(server, tmp_path):
    nb, aborted = run(
        notebook("import time\ntime.sleep(30)", "print('after')"),
        tmp_path,
        execute_config={"timeout": 1},
    )
    assert aborted is None  # nbgrader interrupts the cell and goes on
    assert any(o.output_type == "error" for o in nb.cells[0].outputs)
    assert texts(nb.cells[1]) == "after\n"


def test_notebook_time_limit_cuts_the_run(server, tmp_path):
    nb, aborted = run(
        notebook("import time\ntime.sleep(60)", "print('x')", test_cells=(1,)),
        tmp_path,
        limits=sandbox.Limits(notebook_timeout_s=2),
    )
    assert aborted and "exceeded 2 s" in aborted
    assert determine_grade(nb.cells[1]) == (0, 1)


def test_output_flood_is_cut(server, tmp_path):
    nb, aborted = run(
        notebook("for _ in range(10000):\n    print('x' * 1000)"),
        tmp_path,
        limits=sandbox.Limits(max_output_bytes=100_000),
    )
    assert aborted and "output exceeded" in aborted
    assert sum(len(texts(c)) for c in nb.cells) < 200_000


def test_worker_handles_a_request_and_a_broken_notebook(server, tmp_path):
    good = nbformat.writes(notebook("print('hi')"))
    result = execute.handle({"id": "s", "notebooks": {"nb": good}}, tmp_path)
    assert result["error"] is None and texts(result["notebooks"]["nb"].cells[0]) == "hi\n"
    bad = execute.handle({"id": "s", "notebooks": {"nb": "{not json"}}, tmp_path)
    assert bad["error"] and bad["error"].startswith("nb.ipynb") and not bad["notebooks"]


def test_kernels_inherit_the_fork_servers_tables_of_instructor_cells(server, tmp_path):
    """The worker hands the instructor's cells and check helpers to the fork server before the
    kernel forks (course.worker.sourcecache, guard.precompile); the kernel finds them there
    and its outputs are what it computes without them."""
    helper = "def check_true(c, msg=''):\n    assert c, msg\n"
    test = "check_true(1 + 1 == 2)\n"
    probe = (
        "import sys\n"
        "g = sys.modules['__course_guard__'].run\n"
        "print(len(g.__func__.__globals__['PRECOMPILED']), len(g.__self__.helper_code))\n"
        "tm = sys.modules['IPython.core.inputtransformer2'].TransformerManager\n"
        f"print({test!r} in tm.transform_cell.__globals__['_transformed'])"
    )
    nb = notebook(helper, test, probe, test_cells=(1,))
    nb.cells[0].metadata["nbgrader"] = {
        "grade": False,
        "solution": False,
        "locked": True,
        "grade_id": "h",
        "schema_version": 3,
    }
    result = execute.handle({"id": "s", "notebooks": {"nb": nbformat.writes(nb)}}, tmp_path)
    cells = result["notebooks"]["nb"].cells
    assert result["error"] is None
    assert not [f for f in result["integrity"]["nb"] if f["action"] != "review"]  # the probe's
    assert determine_grade(cells[1])[0] == 1
    precompiled, compiled_here, cached = texts(cells[2]).split()
    assert int(precompiled) >= 1 and compiled_here == "0"  # the guard used the fork server's
    assert cached == "True"  # the test cell's text was in the kernel's table before it ran
