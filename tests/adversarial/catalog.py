"""The adversarial class: every case of issue 4, one submission each (see cases.py)."""

from __future__ import annotations

import os

import nbformat
from cases import (
    Case,
    code_case,
    delete_answer,
    delete_test,
    duplicate_answer,
    duplicate_test_at_end,
    edit_case,
    edit_helpers,
    edit_test,
    extra_files_case,
    huge_notebook,
    nbformat3,
    raw_case,
    reorder,
    slow_cells_before_ex10,
    split_answer,
)

from course.authoring.misconceptions import all_correct

CHEATS = [
    code_case(
        "cheat_redefine_checks",
        base="blank",
        replace={
            1: """
def embed(E, ids):
    return None

def check_true(*args, **kwargs):
    pass

def check_array(*args, **kwargs):
    pass

def check_close(*args, **kwargs):
    pass
"""
        },
        flag="check helper check_true() was replaced",
        action="restored",
    ),
    code_case(
        "cheat_numpy_functions",
        base="blank",
        replace={
            2: """
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.linalg.norm = lambda *args, **kwargs: 1.0

def one_hot(ids, vocab_size):
    return np.zeros(np.shape(ids) + (vocab_size,))
""",
            8: """
def rope_rotate(x, position, base=10000.0):
    return np.zeros_like(x)
""",
        },
        flag="numpy.allclose was replaced",
        action="restored",
    ),
    code_case(
        "cheat_always_equal",
        base="blank",
        replace={
            1: """
class Whatever:
    def __eq__(self, other):
        return True

class Fake:
    shape = Whatever()

def embed(E, ids):
    return Fake()
""",
            10: """
class Anything(int):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = int.__hash__

def embedding_params(vocab, d, tied):
    return Anything(0)
""",
        },
        flag="compares equal to anything",
        action="zeroed",
    ),
    code_case(
        "cheat_ipython_hooks",
        base="blank",
        append={
            1: """
import sys
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip._showtraceback = lambda *args, **kwargs: None

def forget(result):
    result.error_in_exec = None

ip.events.register("post_run_cell", forget)
ip.set_custom_exc((Exception,), lambda *args, **kwargs: None)
sys.excepthook = lambda *args: None
"""
        },
        flag="post_run_cell",
        action="restored",
    ),
    code_case(
        "cheat_ast_transformer",
        base="blank",
        append={
            1: """
import ast

class SwallowEverything(ast.NodeTransformer):
    def visit_Module(self, node):
        handler = ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])
        wrapped = ast.Try(body=node.body, handlers=[handler], orelse=[], finalbody=[])
        return ast.fix_missing_locations(ast.Module(body=[wrapped], type_ignores=[]))

get_ipython().ast_transformers.append(SwallowEverything())
"""
        },
        flag="error reporting was tampered",
        action="zeroed",
    ),
    code_case(
        "cheat_during_test",
        base="blank",
        replace={
            1: """
def embed(E, ids):
    import numpy
    g = globals()
    for name in ("check_true", "check_close", "check_array"):
        g[name] = lambda *args, **kwargs: None
    numpy.allclose = lambda *args, **kwargs: True
    return numpy.zeros(numpy.shape(ids) + (numpy.shape(E)[1],))
"""
        },
        flag="during this test",
        action="zeroed",
    ),
    code_case(
        "cheat_kernel_patch",
        base="blank",
        append={
            1: """
import ipykernel.ipkernel

async def do_execute(self, code, silent, *args, **kwargs):
    return {"status": "ok", "execution_count": self.execution_count, "payload": [],
            "user_expressions": {}}

ipykernel.ipkernel.IPythonKernel.do_execute = do_execute
"""
        },
        flag="error reporting was tampered",
        action="zeroed",
    ),
    code_case(
        "cheat_thread_rewrites_outputs",
        base="blank",
        replace={
            1: """
import threading, time
from IPython.display import clear_output

def embed(E, ids):
    def later():
        time.sleep(2)
        clear_output()
    threading.Thread(target=later, daemon=True).start()
    return None
"""
        },
        flag="thread started by the notebook",
        action="zeroed",
    ),
    # The documented limit: code that rewrites the guard in its own process beats it, and is
    # only flagged for review (static scan); it does get ex01's point here.
    code_case(
        "cheat_forges_the_guard",
        base="blank",
        tests={"ex01": 1.0},
        replace={
            1: """
import sys
guard = sys.modules["__course_guard__"]

def run(phase, nonce, *helpers):
    g = get_ipython().user_ns
    for name in ("check_true", "check_close", "check_array"):
        g[name] = lambda *args, **kwargs: None
    raise RuntimeError(nonce + "[]")

guard.run = run

def embed(E, ids):
    return None
"""
        },
        flag="touches the grader's guard",
        action="review",
    ),
    code_case(
        "cheat_print_hidden_tests",
        append={
            10: """
def _leak():
    print(get_ipython().user_ns["_ih"][-1])

_plain_params = embedding_params

def embedding_params(vocab, d, tied):
    _leak()
    return _plain_params(vocab, d, tied)
"""
        },
        flag="hidden test source",
        action="review",
    ),
]

ESCAPES = [
    code_case(
        "escape_read",
        append={
            1: """
import os, socket
print("kernel uid", os.getuid())
for path in ["{course}/gradebook.db", "{course}/source/embedding_space_math/exercises.ipynb",
             "{course}/submitted", "/root", os.path.expanduser("~/.bash_history")]:
    try:
        with open(path, "rb") as fh:
            print("READ", path, fh.read()[:80])
    except Exception as exc:
        print("blocked", path, type(exc).__name__)
try:
    socket.create_connection(("151.101.0.223", 443), timeout=3)
    print("NETWORK REACHED")
except OSError as exc:
    print("no network", exc)
"""
        },
    ),
    code_case(
        "escape_write",
        append={
            1: """
import os
for path in ["{course}/gradebook.db", "{course}/submitted/correct_student/embedding_space_math/exercises.ipynb",
             "{course}/escaped.txt", "/tmp/adversarial-escape-write", os.path.expanduser("~/escaped"),
             "../escaped.txt", "/escaped.txt"]:
    try:
        with open(path, "a") as fh:
            fh.write("pwned")
        print("WROTE", path)
    except Exception as exc:
        print("blocked", path, type(exc).__name__)
"""
        },
        escapes=("{course}/escaped.txt", "/tmp/adversarial-escape-write", "/escaped.txt"),
    ),
]

LIMITS = [
    code_case(
        "limit_infinite_loop",
        replace={5: "def center(X):\n    while True:\n        pass"},
        tests={"ex05": 0.0},
    ),
    code_case(
        "limit_memory_bomb",
        replace={
            6: """
def output_row_grad(h, p, y):
    hog = []
    while True:
        hog.append(bytearray(64 * 2**20))
"""
        },
        tests={"ex06": 0.0},
    ),
    code_case(
        "limit_fork_bomb",
        append={
            4: """
import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(300)
            os._exit(0)
        children += 1
except OSError as exc:
    print("fork refused after", children, "children:", type(exc).__name__)
"""
        },
    ),
    code_case(
        "limit_os_exit",
        append={7: "import os\nos._exit(3)"},
        cut="kernel died",
        tests={"ex07": 0.0, "ex08": 0.0, "ex09": 0.0, "ex10": 0.0},
    ),
    edit_case(
        "limit_slow_notebook", slow_cells_before_ex10, cut="notebook exceeded", tests={"ex10": 0.0}
    ),
    code_case("limit_sys_exit", append={3: "import sys\nsys.exit('bye')"}),
    code_case(
        "limit_output_flood",
        append={2: "for _ in range(400):\n    print('x' * 10_000)"},
        cut="output exceeded",
        tests={f"ex{n:02d}": 0.0 for n in range(2, 11)},
    ),
]

BAD_INPUT = [
    raw_case("bad_invalid_json", '{"cells": [ this is not json', failed="invalid notebook"),
    raw_case("bad_empty_file", b"", failed="invalid notebook"),
    raw_case("bad_binary_junk", os.urandom(4096) + b"\x00\xff", failed="invalid notebook"),
    raw_case("bad_huge_notebook", huge_notebook, failed="MB (limit"),
    raw_case("bad_nbformat3", nbformat3, base="correct"),
    raw_case(
        "bad_wrong_name",
        lambda course: nbformat.writes(all_correct(course=course)),
        name="Exercises (1).ipynb",
        failed="wrong notebook name",
    ),
    extra_files_case(
        "bad_extra_files",
        {
            "numpy.py": b"raise SystemExit('shadowed numpy')\n",
            "data/notes.txt": "ünïcode notes\n".encode(),
        },
    ),
    extra_files_case(
        "bad_extra_files_huge",
        {"weights.bin": b"\0" * (25 * 2**20)},
        base="none",
        failed="extra files",
    ),
    edit_case("bad_deleted_test_cell", delete_test),
    edit_case("bad_deleted_answer_cell", delete_answer, tests={"ex01": 0.0}),
    edit_case("bad_duplicated_answer_cell", duplicate_answer),
    edit_case("bad_duplicate_grade_id", duplicate_test_at_end),
    edit_case("bad_reordered_cells", reorder, tests={"ex10": 0.0}),
    edit_case("bad_split_cell", split_answer),
    edit_case("bad_edited_test_cell", edit_test, base="blank"),
    edit_case("bad_edited_readonly_cell", edit_helpers, base="blank"),
    code_case("zoë_müller"),
    code_case("学生_01"),
    code_case("correct_student"),
    code_case("blank_student", base="blank"),
]

ALL: list[Case] = CHEATS + ESCAPES + LIMITS + BAD_INPUT
