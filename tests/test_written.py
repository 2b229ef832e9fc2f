"""Written answers graded by question (course.written): grouping, rubric, marks in nbgrader's
gradebook with optimistic concurrency, the stored groups and shares, the written-groups CLI.

Unit tier: a real nbgrader gradebook with the question's cells made through nbgrader's API
(no notebook is executed), a class of 60 answers from course.written.classdata."""

from __future__ import annotations

import json
import os
import sqlite3

import nbformat
import pytest

from course.cli import main
from course.paths import CourseDir, new_course
from course.written import api, classdata, grouping, rubric, state
from course.written.answers import answers, question

A, GID, NB = classdata.ASSIGNMENT, "ex01_explain", "exercises"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[CourseDir, classdata.WrittenClass]:
    """40 students' submissions and their gradebook rows for the two written questions."""
    c = new_course(tmp_path_factory.mktemp("written") / "course")
    wc = classdata.write_class(c, 40)
    classdata.enter_in_gradebook(c, sorted(wc.labels[GID]))
    return c, wc


@pytest.fixture
def course(made) -> CourseDir:
    return made[0]


@pytest.fixture
def wc(made) -> classdata.WrittenClass:
    return made[1]


def mark(course, student):
    return api.marks.read(course, A, NB, GID)[student]


# --- grouping ----------------------------------------------------------------------------
def test_normalise_and_blanks():
    assert grouping.normalise("  The **Lookup**,  is `E[ids]`! ") == "the lookup is e ids"
    for blank in ("YOUR ANSWER HERE", "", "  \n", "your answer here.", "**YOUR ANSWER HERE**"):
        assert grouping.is_blank(blank)
    assert grouping.is_blank("Write here", release="Write here")
    assert not grouping.is_blank("It is a gather.")


def test_groups_cover_every_student_once_largest_first():
    texts = {
        "a": "YOUR ANSWER HERE", "b": "", "c": "It is a gather, no multiply.",
        "d": "it is a gather -- no multiply", "e": "Memory grows with B*T*d.",
        "f": "The dot product is faster on GPUs.",
    }  # fmt: skip
    groups = grouping.group_answers(texts, prompt="Explain the cost.")
    members = [s for g in groups for s in g.students]
    assert sorted(members) == sorted(texts) and len(members) == len(set(members))
    assert [len(g.students) for g in groups] == sorted(
        (len(g.students) for g in groups), reverse=True
    )
    by_student = {s: g for g in groups for s in g.students}
    assert by_student["a"] is by_student["b"] and by_student["a"].kind == "blank"
    assert by_student["c"] is by_student["d"]  # near-identical: same normalised text
    assert by_student["c"] is not by_student["e"] and by_student["e"] is not by_student["f"]


def test_one_letter_answers_are_grouped_too():
    groups = grouping.group_answers({"a": "V", "b": "v.", "c": "0", "d": "?"})
    assert sorted(map(sorted, (g.students for g in groups))) == [["a", "b"], ["c"], ["d"]]


def test_pasted_prompt_is_its_own_group():
    prompt = "**Explain (1 point).** What does the gather mean for the cost of the layer?"
    texts = {"p": "Explain (1 point). What does the gather mean for the cost of the layer?",
             "q": "It is a gather, so the cost does not depend on V."}  # fmt: skip
    kinds = {g.students[0]: g.kind for g in grouping.group_answers(texts, prompt=prompt)}
    assert kinds == {"p": "prompt", "q": "similar"}


def test_purity_and_actions_on_the_labelled_class(course, wc):
    """The groups of the realistic class are pure enough to grade by group (the benchmark
    measures 400 answers; here 40)."""
    q = question(course, A, GID)
    groups = [g.students for g in grouping.group_answers(wc.answers[GID], q.prompt, q.release)]
    items = {s: wc.expected_item(GID, s) for s in wc.labels[GID]}
    assert grouping.purity(groups, wc.labels[GID]) >= 0.9
    # Fewer actions than answers; the saving grows with the class (400: 13-15 % of one per
    # answer, bench/bench_written.py), 40 answers hold few repeats of each phrasing.
    assert grouping.actions_by_groups(groups, items) <= 0.6 * len(items)
    # One group per answer would be pure and save nothing: the measures tell them apart.
    singles = [[s] for s in items]
    assert grouping.purity(singles, wc.labels[GID]) == 1.0
    assert grouping.actions_by_groups(singles, items) == len(items)


# --- rubric ------------------------------------------------------------------------------
def test_rubric_from_the_mark_scheme():
    q = question(CourseDir(), A, GID)
    items = rubric.from_scheme(q.scheme, q.points)
    assert [i.key for i in items] == [str(n) for n in range(1, len(items) + 1)]
    assert [i.points for i in items] == [1.0, 0.5, 0.5, 0.0, 0.0, 0.0]
    assert "gather" in items[1].text and "missing: relates the (B, T, d)" in items[1].feedback
    assert items[3].text == "only restates the shape"
    assert rubric.comment(items[0], " well put ") == items[0].feedback + "\n\nwell put"


def test_rubric_edits_are_checked():
    ok = rubric.validate([{"points": "0.5", "text": "half", "feedback": "f"}], 1.0)
    assert ok[0].points == 0.5 and ok[0].key == "1"
    for bad, why in [([], "1 to 9"), ([{"points": 2, "text": "x"}], "outside"),
                     ([{"points": "a", "text": "x"}], "number"), ([{"points": 1, "text": ""}], "empty")]:  # fmt: skip
        with pytest.raises(ValueError, match=why):
            rubric.validate(bad, 1.0)


# --- marks, conflicts, undo --------------------------------------------------------------
def test_apply_to_a_group_then_a_stale_change_is_a_conflict(course):
    view = api.open_question(course, A, GID)
    assert view["progress"] == {"graded": 0, "total": 40}
    group = [r["student"] for r in view["groups"][0]["students"]]
    seen = {r["student"]: r["mark"] for r in view["groups"][0]["students"]}
    out = api.apply(course, A, GID, "tia", group, seen, item="1")
    assert sorted(out["written"]) == sorted(group) and not out["conflicts"]
    first = mark(course, group[0])
    assert first.score == 1.0 and first.comment.startswith("1/1: says the lookup is a gather")
    # A second grader who loaded the page before: nothing overwritten, current mark returned.
    late = api.apply(course, A, GID, "ian", group, seen, item="5")
    assert not late["written"] and late["conflicts"][group[0]]["score"] == 1.0
    assert mark(course, group[0]).score == 1.0
    again = api.open_question(course, A, GID)
    assert again["progress"]["graded"] == len(group)
    assert again["groups"][0]["students"][0]["item"] == "1"


def test_free_comment_keeps_the_item_and_undo_restores(course):
    s = "w007"
    before = mark(course, s)
    out = api.apply(course, A, GID, "tia", [s], {s: before.seen()}, item="2")
    after_item = out["written"][s]
    out = api.apply(course, A, GID, "tia", [s], {s: after_item}, free="Say why V does not matter.")
    m = mark(course, s)
    assert m.score == 0.5 and m.comment.endswith("\n\nSay why V does not matter.")
    assert m.comment.startswith("0.5/1: right that it says the lookup is a gather")
    undo = api.apply(course, A, GID, "tia", [], {s: m.seen()},
                     restore={s: {**after_item, "item": "2", "free": ""}})  # fmt: skip
    assert undo["written"][s]["comment"] == after_item["comment"]
    cleared = api.apply(course, A, GID, "tia", [s], {s: mark(course, s).seen()}, clear=True)
    assert cleared["written"][s]["score"] is None and mark(course, s).needs_manual


def test_a_change_in_the_gradebook_itself_is_seen(course):
    """What formgrader writes (the same rows) is what the page shows next, and a grader
    whose page predates it gets a conflict."""
    s = "w011"
    seen = mark(course, s).seen()
    with api.marks.gradebook(course) as gb:
        grade_row = gb.find_grade(GID, NB, A, s).id
    # Another connection, as formgrader's process has: the app must not serve a cached mark.
    with sqlite3.connect(course.gradebook) as db:
        db.execute("UPDATE grade SET manual_score = 0.25, needs_manual_grade = 0 WHERE id = ?",
                   (grade_row,))  # fmt: skip
    rows = {
        r["student"]: r for g in api.open_question(course, A, GID)["groups"] for r in g["students"]
    }
    assert rows[s]["mark"]["score"] == 0.25
    assert s in api.apply(course, A, GID, "tia", [s], {s: seen}, item="1")["conflicts"]


def test_out_of_range_and_unknown_items_are_refused(course):
    with pytest.raises(ValueError, match="no rubric item 9"):
        api.apply(course, A, GID, "tia", ["w001"], {}, item="9")
    with pytest.raises(ValueError, match="outside"):
        api.apply(course, A, GID, "tia", ["w001"], {"w001": mark(course, "w001").seen()}, score=3)


# --- groups edited, shares ---------------------------------------------------------------
def test_split_move_merge_and_share(course):
    q = question(course, A, "ex03_explain")
    st = state.current(course, q, answers(course, q))
    g0, g1 = state.ordered(st.groups)[:2]
    state.split_off(st, g0[:2])
    assert next(g for g in st.groups if g0[0] in g) == sorted(g0[:2])
    state.move(st, [g0[0]], g1[0])
    assert next(g for g in st.groups if g1[0] in g).count(g0[0]) == 1
    state.merge(st, [g0[1], g1[0]])
    merged = next(g for g in st.groups if g1[0] in g)
    assert g0[1] in merged and sorted(s for g in st.groups for s in g) == sorted(answers(course, q))
    shares = state.share(st, ["tia", "ian"], "groups")
    assert sorted(shares["tia"] + shares["ian"]) == sorted(answers(course, q))
    assert abs(len(shares["tia"]) - len(shares["ian"])) <= max(len(g) for g in st.groups)
    shares = state.share(st, ["tia", "ian"], "students")
    assert shares["tia"] == sorted(answers(course, q))[:20] and state.owner(st, "w039") == "ian"


# --- hostile submissions and the CLI contract --------------------------------------------
def test_unreadable_submissions_are_skipped_with_a_reason(course, tmp_path):
    c = new_course(tmp_path / "c")
    good = c.submission_dir("good", A)
    good.mkdir(parents=True)
    nb = nbformat.read(c.release_notebook(A), as_version=4)
    nbformat.write(nb, good / "exercises.ipynb")
    broken = c.submission_dir("broken", A)
    broken.mkdir(parents=True)
    (broken / "exercises.ipynb").write_text('{"cells": [ not json')
    linked = c.submission_dir("linked", A)
    linked.mkdir(parents=True)
    os.symlink("/etc/passwd", linked / "exercises.ipynb")
    problems: list[str] = []
    got = answers(c, question(c, A, GID), problems)
    assert got == {"good": "YOUR ANSWER HERE"}
    assert any("broken" in p and "not JSON" in p for p in problems)
    assert any("linked" in p for p in problems)


def test_written_groups_json(course, wc, capsys):
    assert main(["--course", str(course.root), "written-groups", A, GID, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assignment"] == A and out["grade_id"] == GID
    sizes = [len(g["students"]) for g in out["groups"]]
    assert sizes == sorted(sizes, reverse=True)
    everyone = [s for g in out["groups"] for s in g["students"]]
    assert sorted(everyone) == sorted(wc.labels[GID]) and len(set(everyone)) == 40
    texts = wc.answers[GID]
    assert all(g["representative"] in {texts[s] for s in g["students"]} for g in out["groups"])
    assert main(["--course", str(course.root), "written-groups", A, "nope", "--json"]) == 1
    assert "no written question 'nope'" in capsys.readouterr().err


# --- the web app, locally (token, XSRF, CSP, bad input) -----------------------------------
@pytest.fixture
def served(course):
    """The app as `python -m course written --serve` runs it, on a free port, in a thread."""
    import asyncio
    import threading

    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    from course.written.app import make_app

    socks = bind_sockets(0, "127.0.0.1")
    loop = asyncio.new_event_loop()

    def run():
        asyncio.set_event_loop(loop)
        HTTPServer(make_app(course, token="t0ken", user="ian")).add_sockets(socks)
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    yield f"http://127.0.0.1:{socks[0].getsockname()[1]}"
    loop.call_soon_threadsafe(loop.stop)


def test_app_needs_the_token_xsrf_and_sends_a_csp(served):
    import requests

    assert requests.get(served + "/").status_code == 403
    assert requests.get(served + "/?token=wrong").status_code == 403
    s = requests.Session()
    assert s.get(served + "/?token=t0ken").status_code == 200
    page = s.get(f"{served}/q/{A}/{GID}")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<strong>Explain the LLM consequence" in page.text  # the prompt, sanitised Markdown
    assert "w001" not in page.text  # answers come as JSON into text nodes, not in the HTML
    view = s.get(f"{served}/api/q/{A}/{GID}").json()
    r = view["groups"][-1]["students"][0]
    body = {"students": [r["student"]], "expect": {r["student"]: r["mark"]}, "item": "4"}
    assert s.post(f"{served}/api/q/{A}/{GID}/apply", json=body).status_code == 403  # no XSRF
    xsrf = {"X-XSRFToken": s.cookies["_xsrf"]}
    ok = s.post(f"{served}/api/q/{A}/{GID}/apply", json=body, headers=xsrf)
    assert ok.status_code == 200 and ok.json()["written"][r["student"]]["score"] == 0.0
    bad = s.post(f"{served}/api/q/{A}/{GID}/apply", json={**body, "score": "x"}, headers=xsrf)
    assert bad.status_code == 400
    assert s.get(f"{served}/q/{A}/nope").status_code == 404
    assert s.get(f"{served}/q/../{GID}").status_code == 404


def test_the_hub_serves_the_app_to_the_formgrader_group_only():
    from traitlets.config import Config

    from course.hub.setup import HubSettings, hub_config

    c = Config()
    exec(hub_config(HubSettings()), {"get_config": lambda: c})  # the file the hub loads
    service = next(s for s in c.JupyterHub.services if s["name"] == "written-math-for-llms")
    assert service["user"] == "grader-math-for-llms"
    assert service["command"][-3:] == ["written", "--serve", "--hub"]
    access = "access:services!service=written-math-for-llms"
    granted = [r for r in c.JupyterHub.load_roles if access in r.get("scopes", [])]
    assert [r["groups"] for r in granted] == [["formgrade-math-for-llms"]]


def test_a_damaged_state_file_is_one_line_and_nothing_else_is_lost(course, capsys):
    q = question(course, A, "ex03_explain")
    path = state.path(course, q)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"rubric": [')
    try:
        assert main(["--course", str(course.root), "written-groups", A, "ex03_explain"]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and str(path) in err and "unreadable" in err
        with pytest.raises(ValueError, match="move it away"):
            api.open_question(course, A, "ex03_explain")
        assert path.read_text() == '{"rubric": ['  # left for the instructor to look at
    finally:
        path.unlink()
