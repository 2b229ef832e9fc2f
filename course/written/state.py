"""What written grading keeps beside the gradebook, per question: the rubric as edited, the
answer groups as the graders left them (split, moved, merged), which rubric item and free
comment each answer got, and how the question is split among TAs.

Runs in: the written-grading app and `python -m course written-groups`.

One JSON file per question, <course>/written/<assignment>/<grade_id>.json, written whole to a
temporary file and renamed (a crash leaves the old or the new file, never half of one), under
the same lock as gradebook writes. The marks themselves are nbgrader's (course.written.marks);
an item shown as applied is only a hint when the gradebook's comment still is the one written.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course.paths import CourseDir
from course.written import grouping, rubric
from course.written.answers import Question


@dataclass
class QuestionState:
    rubric: list[rubric.Item]
    groups: list[list[str]]  # students; grader edits kept
    applied: dict[str, dict] = field(default_factory=dict)  # student -> {item, free, comment}
    split: dict = field(default_factory=dict)  # {"by": ..., "graders": {ta: [...]}}

    def as_json(self) -> dict:
        return {
            "rubric": [i.as_dict() for i in self.rubric],
            "groups": self.groups,
            "applied": self.applied,
            "split": self.split,
        }


def path(course: CourseDir, q: Question) -> Path:
    return Path(course.root) / "written" / q.assignment / f"{q.grade_id}.json"


def load(course: CourseDir, q: Question) -> QuestionState | None:
    p = path(course, q)
    try:
        raw = json.loads(p.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"{p}: unreadable ({exc}); move it away to start the question afresh"
        ) from None
    items = [rubric.Item(**i) for i in raw["rubric"]]
    return QuestionState(items, raw["groups"], raw.get("applied", {}), raw.get("split", {}))


def save(course: CourseDir, q: Question, st: QuestionState) -> None:
    p = path(course, q)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.")
    with os.fdopen(fd, "w") as fh:
        json.dump(st.as_json(), fh, indent=1)
    os.replace(tmp, p)


def current(course: CourseDir, q: Question, answers: dict[str, str],
            keep: bool = True) -> QuestionState:  # fmt: skip
    """The question's state, made on first use (rubric from the mark scheme, groups computed),
    with students new since then grouped among themselves and added, and students gone removed.
    keep=False: nothing is written (a read-only look, `python -m course written-groups`)."""
    st = load(course, q)
    if st is None:
        made = grouping.group_answers(answers, q.prompt, q.release)
        st = QuestionState(rubric.from_scheme(q.scheme, q.points), [g.students for g in made])
        if keep:
            save(course, q, st)
        return st
    known = {s for g in st.groups for s in g}
    new = {s: t for s, t in answers.items() if s not in known}
    groups: list[list[str]] = [[s for s in g if s in answers] for g in st.groups]
    if new:
        groups += [g.students for g in grouping.group_answers(new, q.prompt, q.release)]
    groups = [g for g in groups if g]
    if groups != st.groups:
        st.groups = groups
        if keep:
            save(course, q, st)
    return st


def ordered(groups: list[list[str]]) -> list[list[str]]:
    """Largest group first, ties by first student; students sorted within a group."""
    return sorted((sorted(g) for g in groups if g), key=lambda g: (-len(g), g[0]))


# --- grader edits of the groups ---------------------------------------------------------
def split_off(st: QuestionState, students: list[str]) -> None:
    """The given students leave their groups and form a new group together."""
    chosen = set(students)
    st.groups = [[s for s in g if s not in chosen] for g in st.groups] + [sorted(chosen)]
    st.groups = [g for g in st.groups if g]


def move(st: QuestionState, students: list[str], to_group_of: str) -> None:
    """The given students join the group that `to_group_of` is in."""
    chosen = set(students) - {to_group_of}
    st.groups = [[s for s in g if s not in chosen] for g in st.groups]
    for g in st.groups:
        if to_group_of in g:
            g.extend(sorted(chosen))
    st.groups = [g for g in st.groups if g]


def merge(st: QuestionState, members: list[str]) -> None:
    """The groups of the given students become one."""
    chosen = set(members)
    joined = sorted(s for g in st.groups if chosen & set(g) for s in g)
    st.groups = [g for g in st.groups if not chosen & set(g)] + [joined]


# --- sharing a question among TAs -------------------------------------------------------
def share(st: QuestionState, graders: list[str], by: str) -> dict[str, list[str]]:
    """Split the question among graders: by "groups" (whole groups, balanced by answers:
    largest first to whoever has fewest) or by "students" (contiguous ranges of ids)."""
    if not graders:
        st.split = {}
        return {}
    shares: dict[str, list[str]] = {g: [] for g in graders}
    if by == "groups":
        for group in ordered(st.groups):
            least = min(graders, key=lambda g: (len(shares[g]), graders.index(g)))
            shares[least].extend(group)
    elif by == "students":
        everyone = sorted(s for g in st.groups for s in g)
        size = -(-len(everyone) // len(graders))
        for i, g in enumerate(graders):
            shares[g] = everyone[i * size : (i + 1) * size]
    else:
        raise ValueError(f"split by {by!r}: use groups or students")
    st.split = {"by": by, "graders": shares}
    return shares


def owner(st: QuestionState, student: str) -> str | None:
    for grader, students in st.split.get("graders", {}).items():
        if student in students:
            return grader
    return None
