"""The package's layering rules, checked on the source: who may import whom, and module size.

- course/results (lateness, exports, reports) does not depend on the hub: it reads the
  grade-on-submit ledger through course/results/ledger.py, and the hub imports that reader.
- The guard runs in the student's kernel, where course.* leaves sys.modules before student code
  runs: guard.py imports from the course package only its kernel-side half, kernel_checks.py,
  which imports nothing from it.
- No module in course/ is over 300 lines (the project's standard).
"""

import ast
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parent.parent / "course"


def course_imports(path: Path) -> set[str]:
    """The course.* modules `path` imports, relative imports resolved, at any depth."""
    package = ["course", *path.relative_to(COURSE).parent.parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "course"}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module.split(".")[0] == "course":
                found |= {module} if node.module else {f"{module}.{a.name}" for a in node.names}
    return found


def test_course_imports_resolves_relative_imports(tmp_path):
    assert course_imports(COURSE / "results" / "arrival.py") >= {
        "course.paths",
        "course.results.ledger",
    }


def test_results_do_not_import_the_hub():
    offenders = {
        f"{p.relative_to(COURSE)} imports {m}"
        for p in (COURSE / "results").rglob("*.py")
        for m in course_imports(p)
        if m == "course.hub" or m.startswith("course.hub.")
    }
    assert not offenders


@pytest.mark.parametrize(
    ("module", "allowed"),
    [("guard.py", {"course.integrity.kernel_checks"}), ("kernel_checks.py", set())],
)
def test_the_kernel_side_guard_imports_nothing_else_from_course(module, allowed):
    assert course_imports(COURSE / "integrity" / module) == allowed


def test_no_module_in_course_is_over_300_lines():
    long = {
        str(p.relative_to(COURSE)): n
        for p in COURSE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 300
    }
    assert not long
