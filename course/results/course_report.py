"""The course page: every assignment's distribution and completion, each student's trajectory,
students at risk, links to each assignment's own report.

Runs in the instructor's process (`python -m course report` without an assignment), after
course.results.late has recomputed the penalties; scores are points after the penalty, as in
`python -m course export`. "At risk" is deliberately simple and explained on the page: a student
who is missing an assignment whose due date (plus extension) has passed, or whose latest score
fraction is under RISK_BELOW, or fell by FALL or more from the one before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import numpy as np

from ..paths import CourseDir
from .course_export import CourseGrades, course_grades
from .report import PALETTE, _png, report

RISK_BELOW = 0.5
FALL = 0.2


@dataclass
class AssignmentRow:
    id: str
    title: str
    due: str
    submitted: int
    students: int
    mean: float | None
    median: float | None
    max_points: float
    late: int
    forged: int
    report: str | None  # relative link to its own report


def _fractions(grades: CourseGrades, student: str) -> list[float | None]:
    out = []
    for a in grades.config.ids:
        score, top = grades.scores[a].get(student), grades.max_points[a]
        out.append(None if score is None or not top else score / top)
    return out


def at_risk(grades: CourseGrades, now: datetime) -> list[tuple[str, str]]:
    """(student, why) for students who need a word from the instructor."""
    risky = []
    for p in grades.people:
        reasons = []
        for a in grades.config.assignments:
            info = grades.late[a.id].get(p.id)
            due = info.due if info else a.due
            if p.id not in grades.scores[a.id] and due < now and grades.max_points[a.id]:
                reasons.append(f"missing {a.id}")
        seen = [f for f in _fractions(grades, p.id) if f is not None]
        if seen and seen[-1] < RISK_BELOW:
            reasons.append(f"latest score {seen[-1]:.0%}")
        if len(seen) >= 2 and seen[-2] - seen[-1] >= FALL:
            reasons.append(f"fell from {seen[-2]:.0%} to {seen[-1]:.0%}")
        if reasons:
            risky.append((p.id, "; ".join(reasons)))
    return risky


def _figures(grades: CourseGrades) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids = grades.config.ids
    x = np.arange(len(ids))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    data = [
        [s / grades.max_points[a] for s in grades.scores[a].values()]
        if grades.max_points[a]
        else []
        for a in ids
    ]
    for i, values in enumerate(data):
        if values:
            ax.scatter(np.full(len(values), i) + np.linspace(-0.15, 0.15, len(values)), values,
                       s=14, color=PALETTE["primary"], alpha=0.6)  # fmt: skip
            ax.plot([i - 0.25, i + 0.25], [np.median(values)] * 2, color=PALETTE["secondary"], lw=3)
    ax.set(xticks=x, xticklabels=ids, ylim=(-0.05, 1.05), ylabel="fraction of points",
           title="Scores per assignment (after late penalties; bar: median)")  # fmt: skip
    out = {"distribution": _png(fig)}

    fig, ax = plt.subplots(figsize=(8, 3.6))
    for p in grades.people:
        f = [np.nan if v is None else v for v in _fractions(grades, p.id)]
        ax.plot(x, f, marker="o", color=PALETTE["neutral"], alpha=0.35, lw=1)
    ax.set(xticks=x, xticklabels=ids, ylim=(-0.05, 1.05), ylabel="fraction of points",
           title="Each student's trajectory")  # fmt: skip
    out["trajectories"] = _png(fig)
    return out


def course_report(
    *, course: CourseDir, dest: Path | None = None, now: datetime | None = None
) -> Path:
    """Write report/index.html (and each assignment's report/<id>.html that has grades)."""
    grades = course_grades(course)
    now = now or datetime.now(UTC)
    dest = Path(dest or course.course_report_html)
    dest.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for a in grades.config.assignments:
        values = list(grades.scores[a.id].values())
        link = None
        if values:
            link = report(
                course=course, assignment=a.id, dest=dest.parent / course.report_html(a.id).name
            ).name
        late = grades.late[a.id]
        rows.append(
            AssignmentRow(
                a.id, a.title, f"{a.due:%Y-%m-%d %H:%M} UTC", len(values), len(grades.people),
                float(np.mean(values)) if values else None,
                float(np.median(values)) if values else None,
                grades.max_points[a.id],
                sum(x.fraction > 0 for x in late.values()),
                sum(x.forged for x in late.values()),
                link,
            )
        )  # fmt: skip
    students = [
        (p.id, p.name, [grades.scores[a].get(p.id) for a in grades.config.ids], grades.total(p.id))
        for p in grades.people
    ]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent.parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    dest.write_text(
        env.get_template("course_report.html.j2").render(
            course=grades.config,
            rows=rows,
            students=students,
            risky=at_risk(grades, now),
            risk_below=RISK_BELOW,
            fall=FALL,
            max_total=sum(grades.max_points.values()),
            figures=_figures(grades),
            palette=PALETTE,
            generated=now.strftime("%Y-%m-%d %H:%M UTC"),
        )
    )
    return dest
