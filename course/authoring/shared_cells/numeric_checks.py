"""Numeric checks: the same in every assignment of Math for LLMs (read-only).

They report through the check helpers of the cell above (PASS/FAIL lines, hints, mistakes, call).

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
finite_difference_gradient(f, x, h=1e-5)
    The central finite-difference gradient alone. (Not named numerical_gradient: students
    write a function of that name in Backprop Math, and a helper's name is never an answer's.)
"""

import numpy as np


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


def _float_answer(value, shape, name, hint, mistakes, where=""):
    """The answer as a float array of the expected shape; otherwise a FAIL saying what it is."""
    arr, problem = _as_float_array(value)
    if problem is None and arr.shape != shape:
        problem = f"got shape {arr.shape}, expected {shape}{where}"
    if problem:
        _fail(name, problem, _matching_hint(value, mistakes, hint))
    return arr.astype(float)


def _pair(got, expected):
    """got/expected printed with enough digits to look different."""
    for digits in range(6, 18):
        a, b = _num(got, digits), _num(expected, digits)
        if a != b:
            return a, b
    return a, b


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
    got = _float_answer(value, want.shape, name, hint, mistakes)
    if _low_precision(value):
        rtol, atol = (
            max(rtol, 1e-4),
            max(atol, 1e-5 * max(1.0, float(np.max(np.abs(want), initial=0)))),
        )
    bad = ~np.isfinite(got)
    if bad.any():
        where = [int(i) for i in np.argwhere(bad)[0]]  # plain ints: [0, 1], not np.int64(0)
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


def finite_difference_gradient(f, x, h=1e-5):
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
    numeric = finite_difference_gradient(f, x, h)
    value = _run(analytic, name, hint, mistakes)
    got = _float_answer(value, numeric.shape, name, hint, mistakes, " (the shape of x)")
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


print("Check helpers ready.")
