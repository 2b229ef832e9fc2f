"""The similarity report: `similarity/<assignment>.html` for review, and the `--json` payload.

Runs in: the CLI process. Student text reaches the page only through Jinja2's autoescaping
(every cell is shown as text inside <pre>, the highlights are <mark> elements the template
writes around escaped runs), and the page carries a Content-Security-Policy that allows no
script at all, so nothing a student wrote can run in the reviewer's browser.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import numpy as np

from course.paths import CourseDir

from .compare import Comparison
from .extract import CODE
from .score import RARE, Analysis, Pair, clusters

MIN_SCORE = 0.3  # pairs below this are not listed (JSON and page): 99% of honest pairs of
# the planted class of 400 score under 0.38, half under 0.1
LISTED = 200  # rows of the page's table (--json lists every pair at or above MIN_SCORE)
DETAILED = 30  # the highest pairs get a side-by-side view
_LEVEL = {1: "common", 2: "match"}


def payload(comparison: Comparison, min_score: float = MIN_SCORE) -> dict:
    """{"assignment": ..., "pairs": [{"students": [a, b], "score": s, "exercises": [...]}]}."""
    found = comparison.analysis
    return {
        "assignment": comparison.assignment,
        "pairs": [
            {
                "students": [found.name(p.a), found.name(p.b)],
                "score": p.score,
                "exercises": found.exercises(p),
            }
            for p in found.pairs
            if p.score >= min_score
        ],
    }


def dumps(comparison: Comparison, min_score: float = MIN_SCORE) -> str:
    """The payload as one line of JSON."""
    return json.dumps(payload(comparison, min_score))


def segments(text: str, levels: np.ndarray) -> list[tuple[str, str]]:
    """`text` cut into runs of equal highlight: [(run, "" | "common" | "match")]."""
    runs, start = [], 0
    for i in range(1, len(text) + 1):
        if i == len(text) or levels[i] != levels[start]:
            runs.append((text[start:i], _LEVEL.get(int(levels[start]), "")))
            start = i
    return runs


def side_by_side(found: Analysis, pair: Pair, part, alike: float = 0.0) -> dict:
    """Both students' cells for one part, with the fingerprints they share marked: "match"
    where the shared code is rare in the class, "common" where many students wrote it."""
    a_prints, b_prints = found.prints[part][pair.a], found.prints[part][pair.b]
    shared = {f.hash for f in a_prints} & {f.hash for f in b_prints}
    rarity = found.rarity[part]
    sides = []
    for who, prints in ((pair.a, a_prints), (pair.b, b_prints)):
        cell = found.subjects[who].parts.get(part)
        text = cell.text if cell else ""
        levels = np.zeros(len(text), np.int8)
        for f in prints:
            if f.hash in shared:
                level = 2 if rarity.get(f.hash, 0.0) >= RARE else 1
                levels[f.start : f.end] = np.maximum(levels[f.start : f.end], level)
        sides.append({"name": found.name(who), "runs": segments(text, levels) if text else []})
    return {
        "exercise": part[0],
        "kind": "code" if part[1] == CODE else "written answer",
        "alike": alike,
        "sides": sides,
    }


def write_html(comparison: Comparison, course: CourseDir, min_score: float = MIN_SCORE) -> Path:
    found = comparison.analysis
    listed = [p for p in found.pairs if p.score >= min_score]
    details = []
    for rank, pair in enumerate(listed[:DETAILED], 1):
        parts = [(p, sim) for p, s, sim in pair.parts if p[0] in found.exercises(pair)]
        details.append(
            {
                "rank": rank,
                "pair": pair,
                "names": (found.name(pair.a), found.name(pair.b)),
                "views": [side_by_side(found, pair, p, sim) for p, sim in parts],
            }
        )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent.parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    html = env.get_template("similarity.html.j2").render(
        assignment=comparison.assignment,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        compared=sum(not s.past for s in found.subjects),
        past=sum(s.past for s in found.subjects),
        terms=comparison.terms,
        skipped=comparison.skipped,
        pairs=[
            (i, found.name(p.a), found.name(p.b), p, found.exercises(p))
            for i, p in enumerate(listed[:LISTED], 1)
        ],
        more=max(0, len(listed) - LISTED),
        detailed=len(details),
        details=details,
        clusters=[[found.name(i) for i in group] for group in clusters(found)],
        min_score=min_score,
    )
    out = course.root / "similarity" / f"{comparison.assignment}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html)
    return out
