"""Kernel side of the integrity checks: runs inside each forked kernel, around every test cell.

Runs in: the student's kernel process. Imports nothing from the course package (it must not
depend on code that shares the process with student code) except its kernel-side half,
course.integrity.kernel_checks (the after-cell scans; it imports nothing either), bound when this
module is loaded in the fork server, before any student code exists. `install(shell, kernel)` is called
by course.sandbox.kernel right before the kernel serves its first
request, so its snapshot (numpy, builtins, the IPython shell and kernel classes, event callbacks,
AST/input transformers, sys hooks) predates any student code. The grader then runs, silently,
`sys.modules["__course_guard__"].run(phase, nonce, helpers, key)` before ("before") and after
("after") each test cell (the helper source travels once per kernel; later calls name it by
`key`: resending 14 KB of source on all ~20 calls was most of the guard's cost). `run` finds what student code changed, puts the trusted state back,
re-installs trusted copies of the notebook's helper functions (check_true, ...) compiled from
the locked helper cells, and reports by raising GuardReport whose message starts with the nonce:
a kernel whose error reporting was rewritten cannot produce that reply, which the grader notices.

Everything here lives in the student's process, so it raises the bar and catches the known
tricks; it cannot stop code that rewrites this module itself (course.integrity's static scan
flags such code for review: course.integrity.scans).
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import json
import sys
from types import CodeType

from course.integrity.kernel_checks import (
    MISSING,
    always_equal,
    changed_helpers,
    foreign,
    running_threads,
    trusted_roots,
)

MODULE_NAME = "__course_guard__"
WATCHED_MODULES = ("numpy", "numpy.linalg", "numpy.random", "math", "builtins", "operator")
SYS_HOOKS = ("excepthook", "displayhook", "stdout", "stderr")
SHELL_LISTS = ("ast_transformers", "input_transformers_cleanup", "input_transformers_post")


class GuardReport(SystemExit):
    """IPython shows a SystemExit as one line (no slow traceback formatting), still as an error."""

    pass


class Guard:
    def __init__(self, shell, kernel):
        self.shell, self.kernel, self.roots = shell, kernel, trusted_roots()
        self.modules = {n: sys.modules[n] for n in WATCHED_MODULES if n in sys.modules}
        self.module_dicts = {n: dict(vars(m)) for n, m in self.modules.items()}
        self.builtins = dict(vars(builtins))
        classes = {c for obj in (shell, kernel) for c in type(obj).__mro__ if c is not object}
        self.classes = [(c, dict(vars(c))) for c in classes]
        self.instance_keys = {id(o): set(vars(o)) for o in (shell, kernel)}
        self.handlers = dict(getattr(kernel, "shell_handlers", {}))
        self.sys_hooks = {n: getattr(sys, n) for n in SYS_HOOKS}
        self.custom_exc = (shell.custom_exceptions, shell.CustomTB)
        self.installed: dict[str, tuple] = {}
        self.ns_ids: dict[str, int] = {}
        # helper source -> (compiled parts, names it defines); parsed once per kernel, since
        # parsing it (~3 KB) on every one of the ~20 guard calls was most of the guard's cost.
        self.helper_code: dict[str, tuple[list[CodeType], list[str]]] = {}

    # --- what changed ------------------------------------------------------------------
    def check_and_restore(self) -> list[str]:
        """Everything student code changed in the machinery, each put back; what was found."""
        found: list[str] = []
        for check in (
            self._modules,
            self._classes,
            self._instances,
            self._handlers,
            self._sys_hooks,
            self._ipython_hooks,
        ):
            found += check()
        return found

    def _modules(self) -> list[str]:
        """numpy, math, builtins, operator: the module objects and their attributes."""
        found = []
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                found.append(f"sys.modules[{name!r}] was replaced")
                sys.modules[name] = module
            live = vars(module)
            for key, value in self.module_dicts[name].items():
                if key.startswith("__") or (name == "builtins" and key.startswith("_")):
                    continue
                now = live.get(key, MISSING)
                # ipykernel swaps builtins.input/exit per request; only student-made swaps count.
                if now is not value and (name != "builtins" or foreign(now, self.roots)):
                    found.append(f"{name}.{key} was replaced")
                    setattr(module, key, value)
        return found

    def _classes(self) -> list[str]:
        """The IPython shell's and kernel's classes (their whole MRO)."""
        found = []
        for cls, saved in self.classes:
            for key in set(vars(cls)) | set(saved):
                if key in ("__doc__", "__dict__", "__weakref__", "_instance"):
                    continue
                if vars(cls).get(key, MISSING) is not saved.get(key, MISSING):
                    found.append(f"{cls.__name__}.{key} was patched")
                    if key in saved:
                        setattr(cls, key, saved[key])
                    else:
                        delattr(cls, key)
        return found

    def _instances(self) -> list[str]:
        """Methods overridden on the shell or kernel instance itself."""
        found = []
        for obj in (self.shell, self.kernel):
            for key in set(vars(obj)) - self.instance_keys[id(obj)]:
                if callable(vars(obj)[key]) and hasattr(type(obj), key):
                    found.append(f"{type(obj).__name__}.{key} was overridden on the instance")
                    delattr(obj, key)
        return found

    def _handlers(self) -> list[str]:
        handlers = getattr(self.kernel, "shell_handlers", None)
        if handlers is None or dict(handlers) == self.handlers:
            return []
        handlers.clear()
        handlers.update(self.handlers)
        return ["the kernel's message handlers were changed"]

    def _sys_hooks(self) -> list[str]:
        found = []
        for name, value in self.sys_hooks.items():
            if getattr(sys, name) is not value and foreign(getattr(sys, name), self.roots):
                found.append(f"sys.{name} was replaced")
                setattr(sys, name, value)
        return found

    def _ipython_hooks(self) -> list[str]:
        """Custom exception handlers, event callbacks and input/AST transformers."""
        found = []
        if (self.shell.custom_exceptions, self.shell.CustomTB) != self.custom_exc:
            found.append("an IPython custom exception handler was set (set_custom_exc)")
            self.shell.custom_exceptions, self.shell.CustomTB = self.custom_exc
        for event, callbacks in self.shell.events.callbacks.items():
            for cb in [cb for cb in callbacks if foreign(cb, self.roots)]:
                found.append(f"an IPython {event!r} event callback was registered")
                callbacks.remove(cb)
        for name in SHELL_LISTS:
            items = getattr(self.shell, name, None) or []
            for t in [t for t in items if foreign(t, self.roots)]:
                found.append(f"an IPython {name} entry was added")
                items.remove(t)
        return found

    def check_helpers(self, trusted: dict) -> list[str]:
        return changed_helpers(self.shell.user_ns, self.installed, trusted)

    def thread_scan(self) -> list[str]:
        return running_threads(self.roots)

    def eq_scan(self) -> list[str]:
        return always_equal(self.shell.user_ns, self.ns_ids, self.roots)

    # --- trusted helpers -----------------------------------------------------------------
    def trusted_helpers(self, source: str, key: str = "") -> tuple[dict, dict]:
        """Fresh objects compiled from the locked helper cells, with pristine builtins.
        `source` may be empty once this kernel has been sent it under `key`."""
        cached = self.helper_code.get(key or source) or PRECOMPILED.get(key)
        if cached is None:
            if not source:  # never sent, or its copy here was removed: no trusted answer
                raise LookupError("the trusted helpers are not known to this kernel")
            cached = self.helper_code[key or source] = compile_helpers(source)
        codes, names = cached
        glb = {"__builtins__": dict(self.builtins), "__name__": "__course_trusted__"}
        for code in codes:
            exec(code, glb)  # noqa: S102 - the instructor's locked helper cells
        return {n: glb[n] for n in names if n in glb}, glb

    def install(self, objects: dict, glb: dict) -> None:
        saved = {k: v for k, v in glb.items() if k != "__builtins__"}
        self.installed = {}
        for name, obj in objects.items():
            self.shell.user_ns[name] = obj
            if hasattr(obj, "__code__"):
                self.installed[name] = (obj, obj.__code__, glb, saved)

    def run(self, phase: str, nonce: str, helpers: str, key: str = "") -> None:
        found = self.eq_scan() + self.thread_scan() if phase == "after" else []
        found += self.check_and_restore()
        if helpers or key:
            objects, glb = self.trusted_helpers(helpers, key)
            found += self.check_helpers(
                {n: o for n, o in objects.items() if hasattr(o, "__code__")}
            )
            self.install(objects, glb)
        self.ns_ids = {k: id(v) for k, v in self.shell.user_ns.items()}
        raise GuardReport(nonce + json.dumps(found))


def install(shell, kernel) -> None:
    guard = Guard(shell, kernel)
    module = type(sys)(MODULE_NAME)
    module.run = guard.run  # type: ignore[attr-defined]  # a module made here, for the hook
    sys.modules[MODULE_NAME] = module


def helpers_key(source: str) -> str:
    """The name under which a kernel keeps the helper source it was sent."""
    return hashlib.sha256(source.encode()).hexdigest()[:32] if source else ""


def compile_helpers(source: str) -> tuple[list[CodeType], list[str]]:
    """The helper source compiled (imports, then the rest) and the names it defines."""
    tree = ast.parse(source)
    # Imports apart from the definitions: compiled together, CPython emits different
    # bytecode for calls on imported names, and the fingerprints would not match.
    imports: list[ast.stmt] = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    rest = [n for n in tree.body if n not in imports]
    codes = [
        compile(
            ast.Module(body=part, type_ignores=[]),
            "<course trusted helpers>",
            "exec",
            dont_inherit=True,
        )
        for part in (imports, rest)
    ]
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    names += [
        a.asname or a.name.split(".")[0]
        for n in tree.body
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names
    ]
    return codes, names


# Filled by the fork server (course.worker.forkserver, "warm") before it forks kernels: parsing
# and compiling the ~14 KB helper source was ~11 ms of every kernel. The same source compiled
# the same way, so the code objects are those the kernel would have made itself.
PRECOMPILED: dict[str, tuple[list[CodeType], list[str]]] = {}


def precompile(source: str) -> None:
    if source and len(PRECOMPILED) < 16:
        try:
            PRECOMPILED.setdefault(helpers_key(source), compile_helpers(source))
        except Exception:  # noqa: BLE001 - the kernel meets the same error itself
            pass


def hook_code(phase: str, nonce: str, helpers: str, key: str = "") -> str:
    """The silent cell that runs the guard; `helpers` may be "" once the kernel knows `key`."""
    args = f"{phase!r}, {nonce!r}, {helpers!r}, {key!r}"
    return f"__import__('sys').modules[{MODULE_NAME!r}].run({args})"
