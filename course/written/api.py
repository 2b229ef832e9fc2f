"""Grade by question: the plain functions behind the written-grading page and its JSON API.

Runs in: the written-grading app (course.written.app) and the tests.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

from course.paths import CourseDir
from course.written import answers as ans
from course.written import grouping, marks, rubric, state


def questions(course: CourseDir, assignment: str) -> list[ans.Question]:
    return ans.questions(course, assignment)


def open_question(course: CourseDir, assignment: str, gid: str) -> dict:
    """Everything the page shows for one question (answers as text; the page escapes them)."""
    t0 = time.perf_counter()
    q = ans.question(course, assignment, gid)
    problems: list[str] = []
    texts = ans.answers(course, q, problems)
    st = state.current(course, q, texts)
    got = marks.read(course, assignment, q.notebook, gid)
    groups = []
    for g in state.ordered(st.groups):
        rows = []
        for s in g:
            m = got.get(s)
            applied = st.applied.get(s, {})
            item = applied.get("item") if m and applied.get("comment") == m.comment else None
            rows.append({"student": s, "text": texts.get(s, ""), "item": item,
                         "free": applied.get("free", "") if item else "",
                         "owner": state.owner(st, s),
                         "mark": m.as_dict() if m else None})  # fmt: skip
        common = Counter(grouping.normalise(texts.get(s, "")) for s in g).most_common(1)[0][0]
        rep = next(texts.get(s, "") for s in g if grouping.normalise(texts.get(s, "")) == common)
        blank = all(grouping.is_blank(texts.get(s, ""), q.release) for s in g)
        groups.append({"id": "g-" + g[0], "students": rows, "representative": rep,
                       "blank": blank})  # fmt: skip
    graded = sum(1 for s in texts if s in got and got[s].graded)
    return {
        "assignment": assignment,
        "grade_id": gid,
        "points": q.points,
        "rubric": [i.as_dict() for i in st.rubric],
        "groups": groups,
        "split": st.split,
        "progress": {"graded": graded, "total": len(texts)},
        "problems": problems,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def _change(
    st: state.QuestionState,
    s: str,
    expect: dict,
    item: str | None,
    free: str | None,
    score: float | None,
    clear: bool,
) -> tuple[float | None, str, str | None, str]:
    """(score, comment, item, free) for one student (see `apply`)."""
    items = {i.key: i for i in st.rubric}
    before = st.applied.get(s, {})
    text = before.get("free", "") if free is None else free
    if clear:
        return None, "", None, ""
    if item is not None:
        return items[item].points, rubric.comment(items[item], text), item, text
    if score is not None:
        return score, text, None, text
    kept = before.get("item")  # a free comment only: keep the score and the item
    return expect.get("score"), rubric.comment(items.get(kept or ""), text), kept, text


def apply(course: CourseDir, assignment: str, gid: str, user: str, students: list[str],
          expect: dict[str, dict], item: str | None = None, free: str | None = None,
          score: float | None = None, clear: bool = False,
          restore: dict[str, dict] | None = None) -> dict:  # fmt: skip
    """Give each student the rubric item (its points and feedback line), or a free comment
    (kept with the item), or an explicit score, or clear the mark; `restore` (undo) puts back
    exact marks {student: {score, comment, item, free}}. Only where the mark is still what the
    grader saw (`expect[student]`); the others come back as conflicts with the current mark."""
    q = ans.question(course, assignment, gid)
    with marks.exclusive(course):
        st = state.load(course, q)
        if st is None:
            raise ValueError(f"{assignment}/{gid}: open the question first")
        if item is not None and item not in {i.key for i in st.rubric}:
            raise ValueError(f"no rubric item {item}")
        planned = {}
        for s in list(restore or {}) if restore else students:
            if restore:
                r = restore[s]
                planned[s] = (
                    r.get("score"),
                    r.get("comment") or "",
                    r.get("item"),
                    r.get("free") or "",
                )
            else:
                planned[s] = _change(st, s, expect.get(s, {}), item, free, score, clear)
        changes = [marks.Change(s, p[0], p[1], expect.get(s, {})) for s, p in planned.items()]
        written, conflicts = marks.write(course, assignment, q.notebook, gid, changes)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for s in written:
            _, comment, kept, text = planned[s]
            if comment or kept:
                st.applied[s] = {
                    "item": kept,
                    "free": text,
                    "comment": comment,
                    "by": user,
                    "at": now,
                }
            else:
                st.applied.pop(s, None)
        state.save(course, q, st)
    return {
        "written": {s: m.as_dict() for s, m in written.items()},
        "conflicts": {s: m.as_dict() for s, m in conflicts.items()},
        "applied": {s: st.applied.get(s) for s in written},
    }


def edit_groups(course: CourseDir, assignment: str, gid: str, op: str, students: list[str],
                target: str | None = None) -> None:  # fmt: skip
    q = ans.question(course, assignment, gid)
    with marks.exclusive(course):
        st = state.load(course, q)
        if st is None:
            raise ValueError(f"{assignment}/{gid}: open the question first")
        if op == "split":
            state.split_off(st, students)
        elif op == "move" and target:
            state.move(st, students, target)
        elif op == "merge":
            state.merge(st, students)
        else:
            raise ValueError(f"unknown group operation {op!r}")
        state.save(course, q, st)


def edit_rubric(course: CourseDir, assignment: str, gid: str, items: list[dict]) -> list[dict]:
    q = ans.question(course, assignment, gid)
    with marks.exclusive(course):
        st = state.load(course, q)
        if st is None:
            raise ValueError(f"{assignment}/{gid}: open the question first")
        st.rubric = rubric.validate(items, q.points)
        state.save(course, q, st)
    return [i.as_dict() for i in st.rubric]


def share(course: CourseDir, assignment: str, gid: str, graders: list[str], by: str) -> dict:
    q = ans.question(course, assignment, gid)
    with marks.exclusive(course):
        st = state.load(course, q)
        if st is None:
            raise ValueError(f"{assignment}/{gid}: open the question first")
        shares = state.share(st, graders, by)
        state.save(course, q, st)
    return shares
