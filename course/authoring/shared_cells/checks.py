"""Check helpers: the same in every assignment of Math for LLMs (read-only).

Every visible check prints one line, `PASS - name` or `FAIL - name: what differs`, and a failed
check prints a `hint:` line and stops the cell with one short error line (so the cell scores 0).

check_true(condition, name, hint=None, mistakes=None, got=None)
    Any condition (or a lambda computing it: if that raises, the check fails, named); give
    got=(the answer) to have mistakes compared with it.
check_close(value, target, tol=1e-8, name="value", hint=None, rtol=1e-6, mistakes=None)
    One number: |value - target| <= tol + rtol * |target|.
check_array(value, expected, name, hint=None, rtol=1e-6, atol=1e-9, mistakes=None)
    Shape first, then every entry within atol + rtol * |expected|. float32, float64, int, bool
    and lists are all accepted (float32 answers are compared at float32 precision). A failure
    shows the largest difference and where it is: `max |diff| 3.1e-02 at [1, 2]`.
check_equal(value, expected, name, hint=None, mistakes=None)
    Exact answers: an int (an int you computed as a float fails), a shape tuple, a bool.
grad_check(f, x, analytic, name="gradient", h=1e-5, threshold=1e-6, hint=None, mistakes=None)
    Compares an analytic gradient of the scalar function f at x with central finite
    differences, (f(x + h e_i) - f(x - h e_i)) / 2h, and prints the relative error
    max |a - n| / max(|a| + |n|, 1e-8) (as in CS231n). Use it on your own gradients too.
numerical_gradient(f, x, h=1e-5)
    The central finite-difference gradient alone.
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


def _low_precision(value):
    dtype = getattr(value, "dtype", None)
    if dtype is None and isinstance(value, (list, tuple)) and value:
        dtype = getattr(value[0], "dtype", None)
    return (
        dtype is not None
        and dtype.kind in "fc"
        and dtype.itemsize <= (8 if dtype.kind == "c" else 4)
    )


def _num(x, digits=6):
    x = float(x) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{x:.{digits}g}"


def _pair(got, expected):
    """got/expected printed with enough digits to look different."""
    for digits in range(6, 18):
        a, b = _num(got, digits), _num(expected, digits)
        if a != b:
            return a, b
    return a, b


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


def check_close(value, target, tol=1e-8, name="value", hint=None, rtol=1e-6, mistakes=None):
    value = _run(value, name, hint, mistakes)
    target = float(target)
    arr, problem = _as_float_array(value)
    if problem is None and arr.size != 1:
        problem = f"got shape {arr.shape}, expected a single number"
    if problem:
        _fail(name, problem, _matching_hint(value, mistakes, hint))
    got = float(arr.reshape(()))
    if _low_precision(value):
        rtol, tol = max(rtol, 1e-4), max(tol, 1e-6)
    allowed = tol + rtol * abs(target)
    ok = bool(abs(got - target) <= allowed)
    if ok:
        print(f"PASS - {name}: got {got + 0.0:.6f}, expected {target + 0.0:.6f}")
        _record(name, True)
        return
    a, b = f"{got + 0.0:.6f}", f"{target + 0.0:.6f}"
    if a == b or not np.isfinite(got):
        a, b = _pair(got, target)
    diff = abs(got - target)
    _fail(
        name,
        f"got {a}, expected {b} (|diff| {diff:.1e}, tolerance {allowed:.1e})",
        _matching_hint(value, mistakes, hint),
    )


def check_array(value, expected, name, hint=None, rtol=1e-6, atol=1e-9, mistakes=None):
    value = _run(value, name, hint, mistakes)
    want = np.asarray(expected, dtype=float)
    arr, problem = _as_float_array(value)
    if problem is None and arr.shape != want.shape:
        problem = f"got shape {arr.shape}, expected {want.shape}"
    if problem:
        _fail(name, problem, _matching_hint(value, mistakes, hint))
    got = arr.astype(float)
    if _low_precision(value):
        rtol, atol = (
            max(rtol, 1e-4),
            max(atol, 1e-5 * max(1.0, float(np.max(np.abs(want), initial=0)))),
        )
    bad = ~np.isfinite(got)
    if bad.any():
        where = list(np.argwhere(bad)[0])
        _fail(name, f"got {got[tuple(where)]} at {where}", _matching_hint(value, mistakes, hint))
    diff = np.abs(got - want)
    over = diff - (atol + rtol * np.abs(want))
    if got.size == 0 or np.all(over <= 0):
        print(f"PASS - {name}")
        _record(name, True)
        return
    idx = np.unravel_index(int(np.argmax(over)), got.shape)
    a, b = _pair(got[idx], want[idx])
    where = f" at {list(map(int, idx))}" if got.ndim else ""
    _fail(
        name,
        f"max |diff| {float(diff[idx]):.1e}{where} (got {a}, expected {b})",
        _matching_hint(value, mistakes, hint),
    )


def check_equal(value, expected, name, hint=None, mistakes=None):
    value = _run(value, name, hint, mistakes)
    if isinstance(expected, int) and not isinstance(expected, bool):
        integral = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
        ok = integral and int(value) == expected
        got = f"the {type(value).__name__} {value!r:.40}"
        detail = f"got {got}, expected the int {expected}"
    elif isinstance(expected, tuple):
        try:
            ok = tuple(value) == expected
        except TypeError:
            ok = False
        detail = f"got {value!r:.60}, expected {expected}"
    else:
        ok = _same(value, expected)
        detail = f"got {value!r:.60}, expected {expected!r:.60}"
    if ok:
        print(f"PASS - {name}")
        _record(name, True)
        return
    _fail(name, detail, _matching_hint(value, mistakes, hint))


def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = float(f(x))
        x[idx] = old - h
        down = float(f(x))
        x[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


def grad_check(f, x, analytic, name="gradient", h=1e-5, threshold=1e-6, hint=None, mistakes=None):
    numeric = numerical_gradient(f, x, h)
    value = _run(analytic, name, hint, mistakes)
    arr, problem = _as_float_array(value)
    if problem is None and arr.shape != numeric.shape:
        problem = f"got shape {arr.shape}, expected {numeric.shape} (the shape of x)"
    if problem:
        _fail(name, problem, _matching_hint(value, mistakes, hint))
    got = arr.astype(float)
    if _low_precision(value):
        threshold = max(threshold, 1e-3)
    rel = np.abs(got - numeric) / np.maximum(np.abs(got) + np.abs(numeric), 1e-8)
    worst = float(np.nan_to_num(rel, nan=np.inf).max(initial=0.0))
    if worst <= threshold:
        print(f"PASS - {name}: relative error {worst:.1e} (below {threshold:.0e})")
        _record(name, True)
        return
    idx = np.unravel_index(int(np.argmax(np.nan_to_num(rel, nan=np.inf))), got.shape)
    a, b = _pair(got[idx], numeric[idx])
    _fail(
        name,
        f"relative error {worst:.1e} at {list(map(int, idx))} (analytic {a}, numerical {b}; "
        f"want below {threshold:.0e})",
        _matching_hint(value, mistakes, hint),
    )


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


print("Check helpers ready.")
