"""Scans of an executed notebook: answer code that reaches for the grader, leaked hidden tests.

Runs in: the sandboxed worker, after execution (cheap: a few ms per notebook).
- `scan_source(nb)` flags answer code that reaches for the grader's machinery (IPython
  internals, builtins, sys.modules, frames, os._exit, ...) for manual review.
- `scan_outputs(nb, hidden_tests)` redacts hidden-test source printed into outputs (it would
  reach feedback); `hidden_tests` are nbgrader's configured delimiters, sent by the grader.
"""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet

from course.integrity.flags import Flag, flag
from course.integrity.guard import MODULE_NAME
from course.integrity.helpers import defined_names, helpers_source
from course.nb import Delimiters, is_student_code, is_test_cell, region_lines

_SUSPECT_NAMES = {
    "get_ipython": "uses get_ipython() (IPython internals)",
    "set_custom_exc": "sets an IPython custom exception handler",
    "showtraceback": "touches IPython's showtraceback",
    "excepthook": "touches sys.excepthook",
    "ast_transformers": "adds IPython AST transformers",
    "input_transformers_post": "adds IPython input transformers",
    "__builtins__": "touches __builtins__",
    "builtins": "touches the builtins module",
    "_getframe": "inspects interpreter frames",
    "__globals__": "reaches into a function's globals",
    "__code__": "rewrites a function's code",
    "gc": "uses the garbage collector's object lists",
    "ctypes": "uses ctypes",
    "_exit": "calls os._exit",
    "_ih": "reads the input history (hidden test source)",
    "history_manager": "reads the input history (hidden test source)",
    MODULE_NAME: "touches the grader's guard",
    "modules": "touches sys.modules",
    "__import__": "imports through __import__",
    "importlib": "uses importlib",
    "getattr": "calls getattr()",
    "exec": "calls exec()",
    "eval": "calls eval()",
    "compile": "calls compile()",
    "clear_output": "clears cell outputs",
    "threading": "starts threads",
    "_thread": "starts threads",
    "multiprocessing": "starts processes",
    "subprocess": "runs programs",
    "system": "runs shell commands (os.system)",
    "fork": "forks processes",
    "socket": "opens network sockets",
    "NBGRADER_EXECUTION": "behaves differently when graded (NBGRADER_EXECUTION)",
}


def scan_source(nb, helper_names: AbstractSet[str] | None = None) -> list[Flag]:
    """Review flags for answer code that reaches for the grading machinery."""
    helper_names = helper_names if helper_names is not None else defined_names(helpers_source(nb))
    flags: list[Flag] = []
    for cell in filter(is_student_code, nb.cells):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        reasons = [r for node in ast.walk(tree) for r in _node_reasons(node, helper_names)]
        flags += [flag(cell, "review", reason) for reason in dict.fromkeys(reasons)]
    return flags


def _name(node: ast.AST) -> str | None:
    """The name a node uses or defines (variable, attribute, def/class, argument)."""
    for attr in ("id", "attr", "name", "arg"):
        if value := getattr(node, attr, None):
            return value
    return None


def _node_reasons(node: ast.AST, helper_names: AbstractSet[str]) -> list[str]:
    """Why one syntax node of an answer deserves a look, if it does."""
    name = _name(node)
    reasons = []
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            module = (getattr(node, "module", None) or alias.name).split(".")[0]
            if module in _SUSPECT_NAMES:
                reasons.append(_SUSPECT_NAMES[module])
    if name in _SUSPECT_NAMES:
        reasons.append(_SUSPECT_NAMES[name])
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if MODULE_NAME in node.value:
            reasons.append(_SUSPECT_NAMES[MODULE_NAME])
    elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        if name in helper_names:
            reasons.append(f"redefines the check helper {name}()")
        if isinstance(node, ast.FunctionDef) and name in ("__eq__", "__ne__", "__bool__"):
            reasons.append(f"defines {name} (values that compare equal to anything?)")
    elif isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Store) and name in helper_names:
            reasons.append(f"assigns to the check helper {name}")
    elif isinstance(node, ast.Attribute):
        target = node.value
        if (
            isinstance(node.ctx, (ast.Store, ast.Del))
            and isinstance(target, ast.Name)
            and target.id in ("np", "numpy")
        ):
            reasons.append(f"assigns {target.id}.{node.attr}")
    elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr":
        reasons.append("calls setattr()")
    if name == "register" and "events" in ast.unparse(node):
        reasons.append("registers an IPython event callback")
    return reasons


# --- hidden test source printed into outputs ----------------------------------------------
def hidden_lines(nb, hidden_tests: tuple[str, str], min_len: int = 24) -> set[str]:
    """Lines of hidden tests long enough not to occur by chance in honest output."""
    return {
        line.strip()
        for cell in filter(is_test_cell, nb.cells)
        for line in region_lines(cell.source, hidden_tests)
        if len(line.strip()) >= min_len
    }


_BITMAPS = {"image/png", "image/jpeg", "image/gif"}


def scan_outputs(nb, hidden_tests: tuple[str, str] = Delimiters().hidden_tests) -> list[Flag]:
    """Redact outputs that quote hidden test source; one review flag per affected cell."""
    secret = hidden_lines(nb, hidden_tests)
    flags = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not secret:
            continue
        leaked = False
        for out in cell.get("outputs", []):
            # One string per output, built once; base64 bitmaps are large and cannot quote text.
            # Not tracebacks: a failing hidden check's traceback quotes its own line, and
            # feedback (course.results.feedback) already hides those.
            blob = "\n".join(
                [str(out.get("text", "")), str(out.get("evalue", ""))]
                + [str(v) for k, v in out.get("data", {}).items() if k not in _BITMAPS]
            )
            if any(line in blob for line in secret):
                leaked = True
                if "text" in out:
                    out["text"] = "[output removed: it quoted hidden test source]\n"
                if "data" in out:
                    out["data"] = {"text/plain": "[output removed: it quoted hidden test source]"}
                if out.get("output_type") == "error":
                    out["evalue"] = "[removed: it quoted hidden test source]"
                    out["traceback"] = [
                        f"{out.get('ename')}: [removed: it quoted hidden test source]"
                    ]
        if leaked:
            flags.append(
                flag(cell, "review", "printed hidden test source into its output (redacted)")
            )
    return flags
