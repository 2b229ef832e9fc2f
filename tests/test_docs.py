"""The documentation site's API page cannot drift from the check helpers (docs/_ext/api_docstrings).

`make docs` (run by .ci/run) builds the whole site with warnings as errors; these unit tests pin
the part that compares the helpers' docstrings with their code, without a Sphinx build.
"""

import sys
import types
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs"))
api_docstrings = pytest.importorskip("_ext.api_docstrings")


def _module():
    module = types.ModuleType("fake_cell")

    def check(value, target, tol=1e-8, *args, name="v", **kwargs):
        return value

    module.check = check
    return module


def test_a_matching_entry_has_no_drift():
    assert (
        api_docstrings.drift(
            _module(), "check", "value, target, tol=1e-8, *args, name='v', **kwargs"
        )
        is None
    )


@pytest.mark.parametrize(
    ("name", "args", "reason"),
    [
        ("check", "value, target, tol=1e-8", "the code check(value, target, tol=1e-08"),
        ("check", "value, expected, tol=1e-8, *args, name='v', **kwargs", "the docstring gives"),
        ("grad_check", "f, x", "which the cell does not define"),
    ],
)
def test_a_stale_entry_is_named(name, args, reason):
    assert reason in api_docstrings.drift(_module(), name, args)


def test_several_signatures_on_one_line_and_terms():
    assert api_docstrings.signatures("header(title), takeaway(text)") == [
        ("header", "title"),
        ("takeaway", "text"),
    ]
    assert api_docstrings.signatures("mistakes={hint: wrong_answer, ...}") is None


@pytest.mark.parametrize("cell", ["checks", "numeric_checks"])
def test_every_documented_helper_matches_its_code(cell):
    import importlib

    module = importlib.import_module(f"course.authoring.shared_cells.{cell}")
    entries = [
        found
        for line in module.__doc__.splitlines()
        if line and not line[0].isspace() and (found := api_docstrings.signatures(line.strip()))
    ]
    names = [name for found in entries for name, _ in found]
    assert {"check_true", "call"} <= set(names) or {"check_close", "grad_check"} <= set(names)
    for found in entries:
        for name, args in found:
            assert api_docstrings.drift(module, name, args) is None
