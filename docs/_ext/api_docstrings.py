"""The check helpers' API page, from the docstrings students read in their notebooks.

The helpers (course/authoring/shared_cells/checks.py and numeric_checks.py) are the text of
locked notebook cells: their API is written once, as a list at the top of each cell's docstring
(`name(args)` at the margin, its description indented under it), rather than as a docstring
per function, which would lengthen the cells every student scrolls past. This hook turns that
list into Sphinx function entries, and warns (so `make docs` fails) when an entry names a function
the cell does not define or gives it other parameters than the code has: the page cannot drift
from the helpers.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re

from sphinx.util import logging

logger = logging.getLogger(__name__)
PACKAGE = "course.authoring.shared_cells."
_SIGNATURE = re.compile(r"^([A-Za-z_]\w*)\((.*)\)$")


def _escape(text: str) -> str:
    """reST from plain docstring text: `code` becomes a literal, markup characters stay text."""
    out = []
    for i, part in enumerate(text.split("`")):
        if i % 2:
            out.append(f"``{part}``")
        else:
            out.append(re.sub(r"([\\*|_\[\]<>])", r"\\\1", part))
    return "".join(out)


def _params(args: str) -> list[str]:
    tree = ast.parse(f"def f({args}): pass").body[0]
    assert isinstance(tree, ast.FunctionDef)
    a = tree.args
    names = [x.arg for x in a.posonlyargs + a.args]
    names += [f"*{a.vararg.arg}"] if a.vararg else []
    names += [x.arg for x in a.kwonlyargs]
    names += [f"**{a.kwarg.arg}"] if a.kwarg else []
    return names


def _actual(fn) -> list[str]:
    prefix = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return [prefix.get(p.kind, "") + p.name for p in inspect.signature(fn).parameters.values()]


def signatures(head: str) -> list[tuple[str, str]] | None:
    """[(name, args), ...] of one unindented line of the list, or None for a term that is not a
    function (`mistakes={hint: wrong_answer, ...}`: a convention of every check)."""
    matches = [_SIGNATURE.match(p.strip()) for p in re.split(r"(?<=\)),\s+", head)]
    if not all(matches):
        return None
    return [m.groups() for m in matches if m is not None]


def drift(module, name: str, args: str) -> str | None:
    """Why the docstring's `name(args)` does not describe the module's code, or None."""
    fn = getattr(module, name, None)
    if not callable(fn):
        return f"the docstring lists {name}(), which the cell does not define"
    if _params(args) != _actual(fn):
        return f"the docstring gives {name}({args}), the code {name}{inspect.signature(fn)}"
    return None


def _entry(module, head: str, where: str) -> list[str]:
    """The directive for one unindented line of the list: one or more signatures, or a term."""
    found = signatures(head)
    if found is None:
        return ["", f".. describe:: {head}", ""]
    lines = [""]
    for name, args in found:
        problem = drift(module, name, args)
        if problem:
            logger.warning("%s: %s", where, problem)
        lines.append(("   " if len(lines) > 1 else ".. py:function:: ") + f"{name}({args})")
    return lines + [""]


def process(app, what, name, obj, options, lines: list[str]) -> None:
    if what != "module" or not name.startswith(PACKAGE):
        return
    module = importlib.import_module(name)
    where = inspect.getsourcefile(module) or name
    out: list[str] = []
    for line in lines:
        if (
            line
            and not line[0].isspace()
            and "(" in line.split(" ")[0]
            or line.startswith("mistakes=")
        ):
            out += _entry(module, line.strip(), where)
        elif line.startswith("    "):
            out.append("   " + _escape(line.strip()))
        else:
            out.append(_escape(line))
    lines[:] = out
