"""Cheat detection around grading: trusted checks in the kernel, static and output scans, flags.

- `Monitor` (used by course.execute's GradedExecute, in the worker) runs course.guard's hook
  silently before and after every test cell. Tampering found *before* a test cell (a helper or
  numpy function redefined, an IPython hook installed in an answer cell) is undone, so the test
  runs against trusted code, and flagged. Tampering done *during* a test cell (by the student's
  function the test calls), a value whose == is always true, or a kernel that no longer reports
  errors, zeroes that test cell with an `IntegrityError` output that says why, and is flagged.
- `scan_source(nb)` flags answer code that reaches for the grader's machinery (IPython
  internals, builtins, sys.modules, frames, os._exit, ...) for manual review.
- `scan_outputs(nb)` redacts hidden-test source printed into outputs (it would reach feedback).
- Flags are dicts {"cell", "action", "reason"}; action is "zeroed", "restored" or "review".
  `save_flags`/`load_flags` keep them as autograded/<student>/<assignment>/integrity.json.
"""

from __future__ import annotations

import ast
import json
import secrets
from pathlib import Path

import nbformat

from course.guard import MODULE_NAME, hook_code
from course.nb import Delimiters, is_student_code, is_test_cell, region_lines
from course.nb import grade_id as _gid
from course.paths import CourseDir

ENAME = "IntegrityError"


def helpers_source(nb) -> str:
    """Definitions, constants and imports of the locked code cells before the first answer.

    Calls with side effects (seeding, rcParams, prints) are left out: re-running them before a
    test would change what the honest notebook computes.
    """
    keep: list[ast.stmt] = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            break
        if cell.cell_type != "code" or not meta.get("locked") or meta.get("grade"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)):
                keep.append(node)
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    keep.append(sub)
    # Imports first (a def may sit above the import it uses at call time), then definitions.
    keep.sort(key=lambda n: not isinstance(n, (ast.Import, ast.ImportFrom)))
    return ast.unparse(ast.Module(body=keep, type_ignores=[]))


class Monitor:
    """Drives course.guard around the test cells of one notebook; collects flags."""

    def __init__(self, nb):
        self.nonce = "course-guard-" + secrets.token_hex(16) + ":"
        self.helpers = helpers_source(nb)
        self.flags: list[dict] = []
        self.pending_zero: list[str] = []

    def _hook(self, ex, phase: str) -> list[str] | None:
        """The guard's findings, or None when the kernel did not answer as the guard must."""
        msg_id = ex.kc.execute(
            hook_code(phase, self.nonce, self.helpers),
            silent=True,
            store_history=False,
            stop_on_error=False,
        )
        reply = ex.wait_for_reply(msg_id) or {}
        content = reply.get("content", {})
        evalue = content.get("evalue") or ""
        if content.get("status") != "error" or not evalue.startswith(self.nonce):
            return None
        return json.loads(evalue[len(self.nonce) :])

    def before(self, ex, cell) -> None:
        found = self._hook(ex, "before")
        if found is None:
            self.pending_zero.append(
                "the kernel's error reporting was tampered with before "
                "this test (a deliberate check error was not reported)"
            )
            return
        for reason in dict.fromkeys(found):
            self.flag(
                cell, "restored", f"{reason}; the trusted version was put back before this test ran"
            )

    def after(self, ex, cell) -> None:
        found = self._hook(ex, "after")
        reasons = self.pending_zero + (
            ["the kernel's error reporting was tampered with during this test"]
            if found is None
            else [f"{r} during this test" for r in dict.fromkeys(found)]
        )
        self.pending_zero = []
        if reasons:
            for reason in reasons:
                self.flag(cell, "zeroed", reason)
            cell.setdefault("outputs", []).append(
                nbformat.v4.new_output(
                    "error",
                    ename=ENAME,
                    evalue="; ".join(reasons),
                    traceback=[f"{ENAME}: this test scores 0 because " + "; ".join(reasons)],
                )
            )

    def flag(self, cell, action: str, reason: str) -> None:
        self.flags.append(
            {"cell": _gid(cell) if cell is not None else None, "action": action, "reason": reason}
        )


# --- static scan of the student's code ---------------------------------------------------
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


def scan_source(nb, helper_names: set[str] | None = None) -> list[dict]:
    """Review flags for answer code that reaches for the grading machinery."""
    helper_names = helper_names if helper_names is not None else _defined(helpers_source(nb))
    flags: list[dict] = []
    for cell in filter(is_student_code, nb.cells):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        reasons: list[str] = []
        for node in ast.walk(tree):
            name = (
                getattr(node, "id", None)
                or getattr(node, "attr", None)
                or getattr(node, "name", None)
                or getattr(node, "arg", None)
            )
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    mod = (getattr(node, "module", None) or alias.name).split(".")[0]
                    if mod in _SUSPECT_NAMES:
                        reasons.append(_SUSPECT_NAMES[mod])
            if name in _SUSPECT_NAMES:
                reasons.append(_SUSPECT_NAMES[name])
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and MODULE_NAME in node.value
            ):
                reasons.append(_SUSPECT_NAMES[MODULE_NAME])
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and name in helper_names:
                reasons.append(f"redefines the check helper {name}()")
            if (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Store)
                and name in helper_names
            ):
                reasons.append(f"assigns to the check helper {name}")
            if isinstance(node, ast.FunctionDef) and name in ("__eq__", "__ne__", "__bool__"):
                reasons.append(f"defines {name} (values that compare equal to anything?)")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, (ast.Store, ast.Del))
                and isinstance(node.value, ast.Name)
                and node.value.id in ("np", "numpy")
            ):
                reasons.append(f"assigns {node.value.id}.{node.attr}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr":
                reasons.append("calls setattr()")
            if name == "register" and "events" in ast.unparse(node):
                reasons.append("registers an IPython event callback")
        for reason in dict.fromkeys(reasons):
            flags.append({"cell": _gid(cell), "action": "review", "reason": reason})
    return flags


def _defined(source: str) -> set[str]:
    tree = ast.parse(source) if source else ast.Module(body=[], type_ignores=[])
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


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


def scan_outputs(nb, hidden_tests: tuple[str, str] = Delimiters().hidden_tests) -> list[dict]:
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
                {
                    "cell": _gid(cell),
                    "action": "review",
                    "reason": "printed hidden test source into its output (redacted)",
                }
            )
    return flags


def check_executed(
    nb, monitor: Monitor | None = None, hidden_tests: tuple[str, str] = Delimiters().hidden_tests
) -> list[dict]:
    """All flags of one executed notebook (redacting leaked hidden-test source in place)."""
    flags = list(monitor.flags) if monitor is not None else []
    if monitor is None:
        flags.append(
            {
                "cell": None,
                "action": "review",
                "reason": "executed without the kernel guard (no trusted checks)",
            }
        )
    return flags + scan_source(nb) + scan_outputs(nb, hidden_tests)


# --- where flags are kept --------------------------------------------------------------
def save_flags(path: Path, flags: list[dict]) -> None:
    """Write one submission's flags to `path` (CourseDir.integrity_flags); none: no file."""
    if flags:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(flags, indent=1))
    elif path.exists():
        path.unlink()


def load_flags(course: CourseDir, assignment: str) -> dict[str, list[dict]]:
    """student -> flags, for the summary and the report."""
    out = {}
    students = (
        sorted(p.name for p in course.autograded.iterdir()) if course.autograded.is_dir() else []
    )
    for student in students:
        path = course.integrity_flags(student, assignment)
        if path.is_file():
            out[student] = json.loads(path.read_text())
    return out


def summarize(flags: list[dict]) -> str:
    """One line for the grading summary."""
    worst = (
        "zeroed"
        if any(f["action"] == "zeroed" for f in flags)
        else ("restored" if any(f["action"] == "restored" for f in flags) else "review")
    )
    parts = [f"{f['cell'] or 'notebook'}: {f['reason']}" for f in flags]
    return f"[{worst}] " + "; ".join(dict.fromkeys(parts))
