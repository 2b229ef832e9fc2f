"""The shared check helpers (course/authoring/shared_cells/checks.py, numeric_checks.py), run as
plain Python.

The canonical files are the text of every notebook's locked "checks" and "numeric_checks" cells,
so executing them here tests exactly what students run, without a kernel (well under a second).
"""

from __future__ import annotations

import numpy as np
import pytest

from course.authoring.shared_cells import SHARED


@pytest.fixture
def h(capsys):
    ns: dict = {}
    for gid in ("checks", "numeric_checks"):  # two cells, one kernel namespace
        exec(compile(SHARED[gid].read_text(), gid, "exec"), ns)  # noqa: S102
    ns["header"]("Exercise 1: test")
    capsys.readouterr()
    return ns


def out(capsys) -> str:
    return capsys.readouterr().out


def fails(h, capsys, check, *args, **kwargs) -> str:
    with pytest.raises(h["CheckFailed"]) as err:
        h[check](*args, **kwargs)
    text = out(capsys)
    assert text.startswith("FAIL - "), text
    assert err.value._render_traceback_() == [f"CheckFailed: {err.value}"]  # one short line
    return text


def test_original_checks_print_exactly_as_before(h, capsys):
    h["check_true"](True, "B x T ids become B x T x d vectors")
    h["check_close"](np.float64(-1.5), -1.5, name="distance three penalty")
    assert out(capsys) == (
        "PASS - B x T ids become B x T x d vectors\n"
        "PASS - distance three penalty: got -1.500000, expected -1.500000\n"
    )
    text = fails(h, capsys, "check_true", False, "aligned vector is more similar", hint="h1")
    assert text == "FAIL - aligned vector is more similar\n       hint: h1\n"


def test_close_accepts_float32_and_never_prints_identical_numbers(h, capsys):
    x32 = np.float32(np.sqrt(5.0))
    h["check_close"](x32, np.sqrt(5.0), name="norm")  # float32 answer: float32 precision
    assert out(capsys).startswith("PASS")
    text = fails(h, capsys, "check_close", np.sqrt(5.0) + 3e-7, np.sqrt(5.0), name="n", rtol=0)
    got, expected = text.split("got ")[1].split(" (")[0].split(", expected ")
    assert got != expected and "|diff| 3.0e-07" in text
    assert "-0.0" not in fails(h, capsys, "check_close", -0.0, 1.0, name="zero")


def test_array_shows_the_difference_and_where(h, capsys):
    want = np.arange(6.0).reshape(2, 3)
    got = want.copy()
    got[1, 2] += 0.031
    text = fails(h, capsys, "check_array", got, want, "values")
    assert "max |diff| 3.1e-02 at [1, 2]" in text
    assert "got shape (3, 2), expected (2, 3)" in fails(h, capsys, "check_array", want.T, want, "s")
    assert "got NoneType" in fails(h, capsys, "check_array", None, want, "none")
    for ok in (want.astype(np.float32) * (1 + 3e-7), want.tolist(), want.astype(int), want + 0j):
        h["check_array"](ok, want, "accepted")
    h["check_array"](np.eye(3, dtype=bool), np.eye(3), "bool one-hot")
    assert out(capsys).count("PASS") == 5


def test_mistake_hints_pick_the_matching_cause(h, capsys):
    want = np.array([1.0, 2.0])
    mistakes = {"you swapped them": [2.0, 1.0], "sign": lambda got: np.allclose(got, -want)}
    assert "hint: you swapped them" in fails(
        h, capsys, "check_array", [2.0, 1.0], want, "x", hint="neutral", mistakes=mistakes
    )
    assert "hint: sign" in fails(h, capsys, "check_array", -want, want, "x", mistakes=mistakes)
    text = fails(h, capsys, "check_true", False, "cond", got=[2.0, 1.0], mistakes=mistakes)
    assert "hint: you swapped them" in text

    def raises(x):
        return x[5]

    with pytest.raises(IndexError):
        h["check_array"](h["call"](raises, want), want, "x", mistakes={"an index": IndexError})
    assert "hint: an index" in out(capsys)
    text = fails(h, capsys, "check_array", [5.0, 5.0], want, "x", hint="neutral", mistakes=mistakes)
    assert "hint: neutral" in text and "max |diff| 4.0e+00 at [0] (got 5, expected 1)" in text


def test_call_snapshots_inputs_and_catches_mutation(h, capsys):
    def center(X):
        X -= X.mean(axis=0)
        return X

    X = np.array([[1.0, 2.0], [3.0, 6.0]])
    expected = X - X.mean(axis=0)  # computed before the call, from the untouched input
    text = fails(h, capsys, "check_array", h["call"](center, X), expected, "centred")
    assert "center() changed its input X in place" in text and "hint:" in text


def test_student_exceptions_become_fail_lines_and_still_raise(h, capsys):
    def broken(E, ids):
        return E @ ids

    with pytest.raises(ValueError) as err:
        h["check_array"](h["call"](broken, np.ones((2, 3)), np.ones(4)), np.ones(2), "lookup")
    assert out(capsys).startswith("FAIL - lookup: broken() raised ValueError: matmul")
    shown = err.value._render_traceback_()  # what IPython prints: the student's frame only
    assert shown[0].startswith("Traceback (your code") and shown[-1].startswith(
        "ValueError: matmul"
    )
    line = broken.__code__.co_firstlineno + 1
    assert shown[1:-1] == [f"  broken(), line {line}: return E @ ids"], shown

    def unwritten():
        raise NotImplementedError("unwritten() is not written yet")

    text = fails(h, capsys, "check_equal", h["call"](unwritten), 3, "n")
    assert "raised NotImplementedError: unwritten() is not written yet" in text


def test_equal_tells_int_from_float(h, capsys):
    h["check_equal"](np.int64(38597376), 38597376, "count")
    assert out(capsys) == "PASS - count\n"
    assert "got the float 38597376.0, expected the int 38597376" in fails(
        h, capsys, "check_equal", 38597376.0, 38597376, "count"
    )
    h["check_equal"]((2, 3), (2, 3), "shape")


def test_grad_check_reports_relative_error(h, capsys):
    W = np.array([[0.5, -1.0], [2.0, 0.3]])

    def f(M):
        return float(np.sum(M**3))

    h["grad_check"](f, W, 3 * W**2, name="cubes")
    assert "PASS - cubes: relative error" in out(capsys)
    assert np.allclose(h["finite_difference_gradient"](f, W), 3 * W**2, atol=1e-6)
    text = fails(h, capsys, "grad_check", f, W, 2 * W, name="cubes")
    assert "relative error" in text and "analytic" in text


def test_scoreboard_never_counts_an_exercise_whose_cell_stopped(h, capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    points = {"Exercise 1": 1, "Exercise 2": 2}
    h["check_true"](True, "first check")  # then the cell stops before takeaway()
    h["check_my_work"](points)
    assert "STOPPED" in out(capsys)
    h["takeaway"]("done")
    h["check_my_work"](points)
    text = out(capsys)
    assert "Visible points: 1 / 3" in text and "NOT RUN" in text
    h["header"]("Exercise 1: test")  # running the cell again starts over
    h["check_my_work"](points)
    assert "Visible points: 0 / 3" in out(capsys)
