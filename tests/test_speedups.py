"""The grading speed-ups change nothing a kernel computes (unit tier: no kernel is started).

course.worker.sourcecache: IPython's per-cell source work answered from a table filled in the
fork server; course.integrity.guard.precompile: the check helpers compiled there;
course.worker.forkserver._quiet_debug_records; course.worker.forkkernel's kernel spec cache.
"""

from __future__ import annotations

import ast
import logging

import ipykernel.compiler as compiler
import pytest
from IPython.core import interactiveshell
from IPython.core.compilerop import CachingCompiler
from IPython.core.inputtransformer2 import TransformerManager

from course.integrity import guard
from course.worker import forkkernel, sourcecache
from course.worker.forkserver import _quiet_debug_records

CELLS = [
    "import numpy as np\nx = np.arange(3)\nx.sum()\n",
    "%time y = 1\n!echo hi\nz = y + 1\n",  # magics and shell escapes are rewritten
    "def f(a):\n    return a ** 2\n\nf?\n",  # help syntax
    "await something()\n",  # top-level await: needs the event loop
    "def broken(:\n",  # a syntax error is the kernel's to report
]


@pytest.fixture
def cache(monkeypatch):
    """sourcecache installed for this test only (patches restored, tables emptied)."""
    monkeypatch.setattr(TransformerManager, "transform_cell", TransformerManager.transform_cell)
    monkeypatch.setattr(interactiveshell, "_should_be_async", interactiveshell._should_be_async)
    monkeypatch.setattr(compiler, "murmur2_x86", compiler.murmur2_x86)
    monkeypatch.setattr(CachingCompiler, "ast_parse", CachingCompiler.ast_parse)
    for name in ("_transformed", "_needs_loop", "_hashes", "_asts"):
        monkeypatch.setattr(sourcecache, name, {})
    monkeypatch.setattr(sourcecache, "_originals", [])
    monkeypatch.setattr(sourcecache, "_chars", [0])
    originals = (
        TransformerManager.transform_cell,
        interactiveshell._should_be_async,
        compiler.murmur2_x86,
        CachingCompiler.ast_parse,
    )
    sourcecache.install()
    return originals


def test_cached_answers_are_the_ones_ipython_computes(cache):
    transform, needs_loop, murmur, parse = cache
    assert sourcecache.warm(CELLS) == len(CELLS)
    assert sourcecache.warm(CELLS) == 0  # each text once
    seed = compiler.get_tmp_hash_seed()
    for cell in CELLS:
        fresh = TransformerManager()
        assert fresh.transform_cell(cell) == transform(TransformerManager(), cell)
        text = fresh.transform_cell(cell)
        assert interactiveshell._should_be_async(text) == needs_loop(text)
        assert compiler.murmur2_x86(cell, seed) == murmur(cell, seed)
        if "broken" not in cell:
            kernel_compiler = CachingCompiler()
            tree = kernel_compiler.ast_parse(text, filename="/tmp/ipykernel_1/123.py")
            fresh_tree = parse(CachingCompiler(), text, "/tmp/ipykernel_1/123.py")
            assert ast.dump(tree, include_attributes=True) == ast.dump(
                fresh_tree, include_attributes=True
            )
            assert kernel_compiler.ast_parse(text) is not tree  # handed out once per kernel
    assert sourcecache._transformed[CELLS[1]] != CELLS[1]  # the magics really were rewritten
    assert sourcecache._needs_loop[sourcecache._transformed[CELLS[3]]] is True


def test_a_kernel_with_future_imports_parses_afresh(cache):
    sourcecache.warm(["x: undefined_name = 1\n"])
    kernel_compiler = CachingCompiler()
    kernel_compiler.flags |= __import__("__future__").annotations.compiler_flag
    key = ("x: undefined_name = 1\n", CachingCompiler().flags)
    assert key in sourcecache._asts
    kernel_compiler.ast_parse("x: undefined_name = 1\n")
    assert key in sourcecache._asts  # not this kernel's entry: its flags differ


def test_a_kernel_with_its_own_transformers_bypasses_the_table(cache):
    sourcecache.warm(["x = 1\n"])
    manager = TransformerManager()
    manager.line_transforms.append(lambda lines: [ln.replace("1", "2") for ln in lines])
    assert manager.transform_cell("x = 1\n") == "x = 2\n"
    assert TransformerManager().transform_cell("x = 1\n") == "x = 1\n"


def test_uncached_text_is_computed_as_before(cache):
    transform = cache[0]
    cell = "%timeit -n1 pass\n"
    assert cell not in sourcecache._transformed
    assert TransformerManager().transform_cell(cell) == transform(TransformerManager(), cell)


def test_hostile_text_is_left_to_the_kernel(cache, monkeypatch):
    """Text a notebook controls can reach the fork server (a cell given nbgrader metadata):
    nothing about it may break the server, and whatever is kept is IPython's own answer."""
    transform, needs_loop, _, _ = cache
    deep = "x = a" + ".b" * 5_000 + "\n"  # RecursionError while parsing and compiling
    hostile = [deep, "x = " + "-" * 100_000 + "1\n", "(" * 300 + ")" * 300 + "\n"]
    sourcecache.warm([*hostile, "y = 2\n"])  # does not raise
    assert "y = 2\n" in sourcecache._transformed
    for source, text in sourcecache._transformed.items():
        assert text == transform(TransformerManager(), source)
        assert sourcecache._needs_loop[text] == needs_loop(text)
    assert [key[0] for key in sourcecache._asts] == ["y = 2\n"]  # none of the hostile parse
    monkeypatch.setattr(guard, "PRECOMPILED", {})
    guard.precompile(deep)
    assert guard.PRECOMPILED == {}


def test_the_table_is_bounded(cache, monkeypatch):
    monkeypatch.setattr(sourcecache, "MAX_ENTRIES", 2)
    assert sourcecache.warm([f"x = {i}\n" for i in range(5)]) == 2


HELPERS = "import math\nfrom math import isclose\n\ndef check_true(c, msg=''):\n    assert c, msg\n"


def test_precompiled_helpers_are_what_the_kernel_would_compile(monkeypatch):
    monkeypatch.setattr(guard, "PRECOMPILED", {})
    guard.precompile(HELPERS)
    key = guard.helpers_key(HELPERS)
    (codes, names), (fresh, fresh_names) = guard.PRECOMPILED[key], guard.compile_helpers(HELPERS)
    assert names == fresh_names == ["check_true", "math", "isclose"]
    assert [c.co_code for c in codes] == [c.co_code for c in fresh]
    guard.precompile("def broken(:\n")  # the kernel reports it; nothing is kept
    assert list(guard.PRECOMPILED) == [key]


def test_a_guard_uses_the_precompiled_helpers_without_their_source(monkeypatch):
    monkeypatch.setattr(guard, "PRECOMPILED", {})
    g = guard.Guard.__new__(guard.Guard)  # only what trusted_helpers reads
    g.helper_code, g.builtins = {}, {"__import__": __import__, "AssertionError": AssertionError}
    with pytest.raises(LookupError):
        g.trusted_helpers("", guard.helpers_key(HELPERS))
    guard.precompile(HELPERS)
    objects, _ = g.trusted_helpers("", guard.helpers_key(HELPERS))
    assert set(objects) == {"check_true", "math", "isclose"}
    with pytest.raises(AssertionError, match="nope"):
        objects["check_true"](False, "nope")


def test_debug_records_are_dropped_where_no_handler_would_show_them():
    log = logging.getLogger("course-test-kernel")
    log.handlers[:] = [logging.StreamHandler()]
    log.handlers[0].setLevel(logging.WARNING)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    _quiet_debug_records(log)
    assert not log.isEnabledFor(logging.INFO) and log.isEnabledFor(logging.WARNING)
    verbose = logging.getLogger("course-test-verbose")  # a handler that shows DEBUG: unchanged
    verbose.handlers[:] = [logging.StreamHandler()]
    verbose.setLevel(logging.DEBUG)
    verbose.propagate = False
    _quiet_debug_records(verbose)
    assert verbose.isEnabledFor(logging.DEBUG)


def test_each_kernel_manager_gets_its_own_copy_of_the_cached_spec(monkeypatch):
    monkeypatch.setattr(forkkernel, "_SPECS", {})
    a, b = forkkernel.ForkKernelManager(), forkkernel.ForkKernelManager()
    assert a.kernel_spec is not b.kernel_spec
    assert a.kernel_spec.to_dict() == b.kernel_spec.to_dict()
    assert "ipykernel_launcher" in a.kernel_spec.argv
    a.kernel_spec.argv.append("--changed")
    assert "--changed" not in forkkernel.ForkKernelManager().kernel_spec.argv
    assert list(forkkernel._SPECS) == ["python3"]
