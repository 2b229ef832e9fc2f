"""course.authoring.stubs: each stub's error names the function to write."""

from __future__ import annotations

from tiny import answer, helper, notebook

from course.authoring.stubs import NameStubs, name_stubs

STUB = "raise NotImplementedError()"


def test_each_stub_names_its_function():
    source = (
        f"def embed(E, ids):\n    # YOUR CODE HERE\n    {STUB}\n\ndef cosine(u, v):\n    {STUB}"
    )
    named = name_stubs(source)
    assert 'raise NotImplementedError("embed() is not written yet' in named
    assert 'raise NotImplementedError("cosine() is not written yet' in named
    assert STUB not in named
    # Indentation is kept, so the cell still parses.
    compile(named, "cell", "exec")


def test_a_stub_outside_any_function_and_other_raises_stay():
    assert name_stubs(STUB) == STUB
    custom = 'def f():\n    raise NotImplementedError("mine")'
    assert name_stubs(custom) == custom


def test_the_preprocessor_touches_answer_cells_only():
    nb = notebook(answer(f"def f():\n    {STUB}"), helper(f"def g():\n    {STUB}"))
    nb, _ = NameStubs().preprocess(nb, {})
    assert "f() is not written yet" in nb.cells[0].source
    assert nb.cells[1].source.endswith(STUB)
