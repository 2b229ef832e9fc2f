"""The mark scheme as a rubric: items with points and a feedback line, keys 1-9.

Runs in: the written-grading app (plain functions; the store keeps the edited rubric).

`from_scheme` prefills the rubric from the mark scheme's "N point(s): ..." parts. A full-credit
part written as "A **and** B" also gives one half-credit item per half (a grader's most common
partial mark); one without such halves gets a generic "partly right" item at half the points.
A "wrong idea" item and a "blank or the prompt copied" item (0 points) end every rubric. The
grader edits items on the page; the edited rubric is kept per question.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*points?\s*:", re.I)
_AND = re.compile(r"\s*\*\*and\*\*\s*", re.I)
MAX_ITEMS = 9  # keys 1-9


@dataclass
class Item:
    key: str
    points: float
    text: str  # what the grader reads
    feedback: str  # the line the student gets as the comment

    def as_dict(self) -> dict:
        return asdict(self)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip().rstrip(".")


def _parts(scheme: str) -> list[tuple[float, str]]:
    marks = list(_PART.finditer(scheme))
    out = []
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        body = scheme[m.end() : nxt.start() if nxt else len(scheme)]
        out.append((float(m.group(1)), body.strip()))
    return out


def _fmt(points: float) -> str:
    return f"{points:g}"


def from_scheme(scheme: str, max_points: float) -> list[Item]:
    """Rubric items, full credit first, then partial credit, then zero-point items."""
    rows: list[tuple[float, str, str]] = []
    parts = _parts(scheme) or [(max_points, "a correct, complete answer")]
    for points, body in sorted(parts, key=lambda p: -p[0]):
        text = _clean(body)
        if points > 0:
            rows.append((points, text, f"{_fmt(points)}/{_fmt(max_points)}: {text}."))
        else:
            rows.append((0.0, text, f"0/{_fmt(max_points)}: the answer {text}."))
        halves = [_clean(h) for h in _AND.split(body)] if points == max_points else []
        if len(halves) == 2:
            for i, half in enumerate(halves):
                missing = halves[1 - i]
                rows.insert(
                    len(rows) - 1 if points == 0 else len(rows),
                    (points / 2, f"only: {half}", f"{_fmt(points / 2)}/{_fmt(max_points)}: "
                     f"right that it {half}; missing: {missing}."),
                )  # fmt: skip
        elif points == max_points and max_points > 0:
            rows.append((max_points / 2, "partly right", f"{_fmt(max_points / 2)}/"
                         f"{_fmt(max_points)}: partly right; see the model answer."))  # fmt: skip
    rows.sort(key=lambda r: -r[0])
    rows.append(
        (0.0, "wrong idea", f"0/{_fmt(max_points)}: this is not right; see the model answer.")
    )
    rows.append((0.0, "blank or the prompt copied", f"0/{_fmt(max_points)}: no answer given."))
    return [Item(str(i + 1), p, t, f) for i, (p, t, f) in enumerate(rows[:MAX_ITEMS])]


def validate(items: list[dict], max_points: float) -> list[Item]:
    """Items edited on the page, checked: 1-9 of them, points within 0..max, text present."""
    if not 1 <= len(items) <= MAX_ITEMS:
        raise ValueError(f"a rubric has 1 to {MAX_ITEMS} items, not {len(items)}")
    out = []
    for i, raw in enumerate(items):
        try:
            points = float(raw["points"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"item {i + 1}: points must be a number") from None
        if not 0 <= points <= max_points:
            raise ValueError(f"item {i + 1}: points {points:g} outside 0..{max_points:g}")
        text, feedback = str(raw.get("text", "")).strip(), str(raw.get("feedback", "")).strip()
        if not text:
            raise ValueError(f"item {i + 1}: the description is empty")
        out.append(Item(str(i + 1), points, text[:500], feedback[:1000]))
    return out


def comment(item: Item | None, free: str) -> str:
    """The comment nbgrader keeps: the item's feedback line, then the grader's own words."""
    parts = [p for p in ((item.feedback if item else ""), free.strip()) if p]
    return "\n\n".join(parts)
