"""What the guard looks for besides tampering it can undo: the after-a-test-cell scans.

Runs in: the student's kernel process, as part of the guard (course.integrity.guard, which
imports this module when it is loaded, in the fork server, before any student code exists).
Like the guard it imports nothing from the course package: the kernel drops course.* from
sys.modules before student code runs, and an import made later could load a student's file.

- `foreign`: was an object made by student code (a notebook cell) rather than an installed
  package? Every check of the guard asks it.
- `changed_helpers`: the notebook's check helpers are still the trusted copies the guard put
  there (or, before the first install, the instructor's code by bytecode fingerprint).
- `running_threads`: threads the notebook started that are still alive (they could rewrite the
  test's outputs after it ends).
- `always_equal`: values made during the cell whose == says yes to anything (nbgrader #1379).
"""

from __future__ import annotations

import sys

MISSING = object()


def trusted_roots() -> tuple[str, ...]:
    return tuple({sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr/"})


def foreign(obj, roots) -> bool:
    """Made by student code: defined in a notebook cell, not in an installed package."""
    for attr in ("__func__", "func"):  # bound methods, functools.partial
        obj = getattr(obj, attr, obj)
    code = getattr(obj, "__code__", None)
    if code is not None:
        return not code.co_filename.startswith(roots)
    return getattr(type(obj), "__module__", "") == "__main__"


def fingerprint(fn):
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    return (
        code.co_code,
        code.co_names,
        code.co_varnames,
        tuple(c for c in code.co_consts if not hasattr(c, "co_code")),
    )


def changed_helpers(user_ns: dict, installed: dict, trusted: dict) -> list[str]:
    """The notebook's check helpers: still ours (after a cell), or the instructor's code.
    installed: name -> (object, its code, its globals, the globals' values) as installed."""
    found = []
    for name, fn in trusted.items():
        live = user_ns.get(name, MISSING)
        if name in installed:
            ours, code, glb, saved = installed[name]
            if (
                live is ours
                and ours.__code__ is code
                and ours.__globals__ is glb
                and all(glb.get(k) is v for k, v in saved.items())
            ):
                continue
        elif fingerprint(live) == fingerprint(fn):
            continue
        found.append(f"the check helper {name}() was replaced or altered")
    return found


def running_threads(roots) -> list[str]:
    """Threads of the notebook still running: they could rewrite the test's outputs later."""
    import threading

    found = []
    for t in threading.enumerate():
        code = getattr(t, "_target", None) or type(t).run
        if t.is_alive() and t is not threading.main_thread() and foreign(code, roots):
            found.append(f"a thread started by the notebook ({t.name}) was still running")
    return found


def always_equal(user_ns: dict, ns_ids: dict[str, int], roots) -> list[str]:
    """Values produced during the cell (not in `ns_ids` before it) whose == says yes to
    anything (nbgrader #1379)."""
    found = []
    for name, value in list(user_ns.items()):
        if name.startswith("_") or ns_ids.get(name) == id(value):
            continue
        for label, obj in ((name, value), (f"{name}.shape", getattr(value, "shape", None))):
            if obj is None or not foreign(obj, roots):
                continue
            try:
                always = bool(obj == object()) or not bool(obj != object())
            except Exception:  # noqa: BLE001 - a raising __eq__ is not "always equal"
                always = False
            if always:
                found.append(
                    f"{label} (a {type(obj).__name__} defined in the notebook) "
                    "compares equal to anything"
                )
    return found
