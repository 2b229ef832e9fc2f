"""Check helpers: the same in every assignment of Math for LLMs (read-only).

Every visible check prints one line, `PASS - name` or `FAIL - name: what differs`, and a failed
check prints a `hint:` line and stops the cell with one short error line (so the cell scores 0).
This cell holds how a check reports and calls your code; the next one (numeric checks) holds
check_close, check_array, check_equal and grad_check.

check_true(condition, name, hint=None, mistakes=None, got=None)
    Any condition (or a lambda computing it: if that raises, the check fails, named); give
    got=(the answer) to have mistakes compared with it.
call(fn, *args, **kwargs)
    Passed as `value` to a check, the check calls fn itself: it copies the arguments first, so
    a function that changes its input in place fails, and an exception raised by fn becomes a
    FAIL line naming the check (the cell still stops with that exception).
checked_call(name, fn, *args, hint=None, mistakes=None, **kwargs)
    The same safety for a result you then examine yourself; returns fn's result.
mistakes={hint: wrong_answer, ...}
    On failure the answer is compared with each likely mistake's answer (an array or number
    within 0.1 %; a function of the answer returning True/False; or an exception class the
    function raised); the first matching mistake's hint is printed, else `hint` (if any).
show(label, value, digits=4)
    Print `label: value` rounded to digits decimals; an answer of any type prints (as its repr),
    so a test cell shows what it got before a check says what is wrong with it.
header(title), takeaway(text), check_my_work(points), try_figure(draw, name)
    Exercise banner; the closing line of a test cell (reaching it completes the exercise);
    the scoreboard; a figure that waits until your function is written.
"""

import copy
import inspect
import os
import sys
import traceback

import numpy as np

# exercise -> {check name: passed}; header() starts an exercise, takeaway() completes it.
CHECK_LOG = {}
_STATE = {"exercise": None, "complete": set()}
_LIBRARY_PATHS = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})


class CheckFailed(AssertionError):
    """A visible check failed. Its FAIL and hint lines are printed above; the error is one line."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


class Call:
    """fn(*args, **kwargs), run later by a check: see call()."""

    def __init__(self, fn, args, kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs


def call(fn, *args, **kwargs):
    return Call(fn, args, kwargs)


def header(title):
    exercise = title.split(":")[0]
    _STATE["exercise"] = exercise
    CHECK_LOG[exercise] = {}
    _STATE["complete"].discard(exercise)
    print("\n" + "=" * 72)
    print(title)
    print("=" * 72)


def takeaway(text):
    _STATE["complete"].add(_STATE["exercise"])
    print("\nTakeaway: " + text)


def _record(name, ok, hint=None):
    CHECK_LOG.setdefault(_STATE["exercise"], {})[name] = ok
    if not ok and hint:
        print(f"       hint: {hint}")


def _fail(name, detail, hint=None):
    print(f"FAIL - {name}: {detail}" if detail else f"FAIL - {name}")
    _record(name, False, hint)
    raise CheckFailed(name)


def _fn_name(fn):
    return getattr(fn, "__name__", "your function")


def _same(a, b):
    """Exactly equal values (used to see whether a function changed its input)."""
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return (
                type(a) is type(b)
                and a.shape == b.shape
                and a.dtype == b.dtype
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
            )
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
        return bool(a == b)
    except Exception:
        return False


def _arg_names(fn, args, kwargs):
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
        names = list(bound.arguments)
    except (TypeError, ValueError):
        names = []
    return names + [f"argument {i + 1}" for i in range(len(names), len(args) + len(kwargs))]


def _student_traceback(exc):
    """A renderer for exc: the frames of notebook code (not numpy's, not this cell's), then exc."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # [0] is the call in _run
    lines = [
        f"  {f.name}(), line {f.lineno}: {(f.line or '').strip()}"
        for f in frames
        if not f.filename.startswith(_LIBRARY_PATHS)
    ]
    head = ["Traceback (your code, most recent call last):"] if lines else []
    return lambda: head + lines + [f"{type(exc).__name__}: {exc}"]


def _run(value, name, hint=None, mistakes=None):
    """The value to check: value itself, or the result of a call(...), run safely."""
    if not isinstance(value, Call):
        return value
    fn, args, kwargs = value.fn, value.args, value.kwargs
    before = copy.deepcopy((args, kwargs))
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError as exc:
        _fail(name, f"{_fn_name(fn)}() raised NotImplementedError: {exc}", None)
    except Exception as exc:
        print(f"FAIL - {name}: {_fn_name(fn)}() raised {type(exc).__name__}: {exc}")
        default = "the error comes from your code: the lines below show where"
        _record(name, False, _matching_hint(exc, mistakes, hint or default))
        try:  # show the student's own frames only, not this helper's
            exc._render_traceback_ = _student_traceback(exc)
        except Exception:
            pass
        raise
    names = _arg_names(fn, args, kwargs)
    given = list(args) + list(kwargs.values())
    for arg_name, now, then in zip(
        names, given, list(before[0]) + list(before[1].values()), strict=False
    ):
        if not _same(now, then):
            _fail(
                name,
                f"{_fn_name(fn)}() changed its input {arg_name} in place",
                "the caller's array must not change: compute a new array (x - m, not x -= m; "
                "np.array(x, dtype=float) or x.copy() before assigning into it)",
            )
    return out


def checked_call(name, fn, *args, hint=None, mistakes=None, **kwargs):
    return _run(Call(fn, args, kwargs), name, hint, mistakes)


def _as_float_array(value):
    """(array, problem): a float array of the student's answer, or why it is not one."""
    if value is None or isinstance(value, (str, bytes, dict, set)):
        return None, f"got {type(value).__name__} {value!r:.40}, expected numbers"
    try:
        arr = np.asarray(value)
    except Exception:
        return None, f"got a {type(value).__name__}, expected numbers"
    if arr.dtype.kind == "c":
        if np.all(np.abs(arr.imag) <= 1e-6 * np.maximum(1.0, np.abs(arr.real))):
            arr = arr.real
        else:
            return None, "got complex numbers: return the real parts (x.real or np.real)"
    if arr.dtype.kind not in "biuf":
        return None, f"got {type(value).__name__} of {arr.dtype}, expected numbers"
    return arr, None


def show(label, value, digits=4):
    arr, problem = _as_float_array(value)
    if problem is None and arr.dtype.kind != "b":
        text = (np.round(arr.astype(float), digits) + 0.0).tolist()  # + 0.0: no -0.0
    else:
        text = f"{value!r:.200}"
    print(f"{label}: {text}")


def _matching_hint(got, mistakes, hint):
    """The hint of the first mistake that explains got (an answer, or the exception raised)."""
    for mistake_hint, wrong in (mistakes or {}).items():
        try:
            if isinstance(wrong, type) and issubclass(wrong, BaseException):
                if isinstance(got, wrong):
                    return mistake_hint
                continue
            if isinstance(got, BaseException):
                continue
            if callable(wrong):
                if wrong(got):
                    return mistake_hint
                continue
            arr, problem = _as_float_array(got)
            want = np.asarray(wrong, dtype=float)
            if problem is None and arr.shape == want.shape:
                if np.allclose(arr.astype(float), want, rtol=1e-3, atol=1e-4):
                    return mistake_hint
        except Exception:
            continue
    return hint


def check_true(condition, name, hint=None, mistakes=None, got=None):
    if callable(condition):  # a lambda: an answer the comparison cannot use fails, named
        try:
            condition = condition()
        except Exception as exc:
            detail = f"the check could not use the answer ({type(exc).__name__}: {exc})"
            _fail(name, detail, _matching_hint(got, mistakes, hint))
    try:
        ok = bool(condition)
    except Exception as exc:
        _fail(name, f"{type(exc).__name__}: {exc}", _matching_hint(got, mistakes, hint))
    print(f"{'PASS' if ok else 'FAIL'} - {name}")
    _record(name, ok, hint if ok else _matching_hint(got, mistakes, hint))
    if not ok:
        raise CheckFailed(name)


def try_figure(draw, name):
    """Draw a figure that uses your function; if it is not written yet, say so instead of failing."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # Nobody looks at figures in a graded copy; drawing them would double grading time.
        print("(Figure skipped while grading: you see it in your own notebook.)")
        return
    import matplotlib.pyplot as plt

    try:
        draw()
    except NotImplementedError:
        plt.close("all")
        print(f"(Write {name} to see this figure.)")


def check_my_work(points):
    """Print every visible check you have run, per exercise, and the visible points earned."""
    if os.environ.get("NBGRADER_EXECUTION"):
        print("(The scoreboard is for students; your grade is in your feedback.)")
        return
    earned = 0
    print(f"{'Exercise':<12} {'Result':<10} Check")
    print("-" * 72)
    for ex, pts in points.items():
        checks = CHECK_LOG.get(ex)
        if checks is None:
            print(f"{ex:<12} {'NOT RUN':<10} run this exercise's test cell")
            continue
        for name, ok in checks.items():
            print(f"{ex:<12} {'PASS' if ok else 'FAIL':<10} {name}")
        if ex not in _STATE["complete"] and all(checks.values()):
            print(f"{ex:<12} {'STOPPED':<10} the test cell stopped early: see the error under it")
        elif ex in _STATE["complete"] and all(checks.values()):
            earned += pts
    print("-" * 72)
    print(
        f"Visible points: {earned} / {sum(points.values())} "
        "(hidden tests and written answers are graded after you submit)"
    )
