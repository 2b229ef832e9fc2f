"""Class analytics for one assignment: one self-contained HTML page an instructor can mail around.

Per exercise: mean, full-marks rate and discrimination (Pearson correlation of the exercise's score
with the total score, the statistic PrairieLearn reports per question), plus the check messages
students fail most often, read from the autograded notebooks' test-cell outputs. Figures are
matplotlib/seaborn PNGs embedded as data URIs, in the course palette.

Runs in: the CLI process; reads the gradebook, autograded/ and the grader's records.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import nbformat
import numpy as np

from course.authoring import shared_cells
from course.integrity.flags import load_flags, summarize
from course.nb import exercise_key, grade_id, is_test_cell
from course.paths import ASSIGNMENT, CourseDir
from course.results.export import ExerciseScore, StudentScores, exercise_scores

PALETTE = shared_cells.colors()  # the notebooks' own palette (the shared setup cell)
TOP_MESSAGES = 5
_TITLE = re.compile(r"^##\s*Exercise\s+(\d+):\s*(.+?)\s*(\(|—|$)", re.M)
# What follows a check's name on its FAIL line (course/authoring/shared_cells/checks.py and
# numeric_checks.py): the values a student's answer produced are dropped so one mistake counts as
# one message; an exception keeps its type ("embed() raised NotImplementedError"), not its varying text.
_DETAIL = re.compile(
    r": (got |max abs error |max \|diff\| |relative error |the check could not"
    r"|\w+\(\) changed its input ).*$"
)
_RAISED = re.compile(r"(: \w+\(\) raised \w+): .*$")


@dataclass
class ExerciseStats:
    exercise: str
    title: str
    max_points: float
    mean: float
    full_marks_rate: float
    discrimination: float | None  # None when either score has zero variance
    failing: list[tuple[str, int]]  # (message, submissions), most frequent first


def pearson(x, y) -> float | None:
    """Pearson r, or None when it is undefined (fewer than 2 values or a constant series)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def check_messages(cell) -> list[str]:
    """What a test cell told the student: its `FAIL - ...` lines, else its error's last line."""
    fails, errors = [], []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            fails += [
                _DETAIL.sub("", _RAISED.sub(r"\1", line.strip()[len("FAIL - ") :]))
                for line in out.text.splitlines()
                if line.strip().startswith("FAIL - ")
            ]
        elif out.output_type == "error":
            first = (out.evalue or "").strip().splitlines()
            errors.append(f"{out.ename}: {first[0][:160]}" if first else out.ename)
    # A failing check raises AssertionError carrying the same name: count the FAIL line only.
    return fails or errors


def failing_checks(
    assignment: str = ASSIGNMENT, course: CourseDir = CourseDir(), notebook: str = "*"
) -> dict[str, Counter]:
    """exNN -> Counter of failing check messages, each counted once per submission
    (from every notebook of the assignment unless `notebook` names one)."""
    counts: dict[str, Counter] = {}
    for path in sorted(course.autograded.glob(f"*/{assignment}/{notebook}.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            key = exercise_key(grade_id(cell))
            if key and is_test_cell(cell):
                counts.setdefault(key, Counter()).update(set(check_messages(cell)))
    return counts


def exercise_titles(
    course: CourseDir, assignment: str = ASSIGNMENT, notebook: str = "*"
) -> dict[str, str]:
    paths = sorted((course.release / assignment).glob(f"{notebook}.ipynb"))
    text = "\n".join(
        c.source
        for path in paths
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "markdown"
    )
    return {f"ex{int(n):02d}": title for n, title, _ in _TITLE.findall(text)}


def exercise_stats(
    rows: list[StudentScores], failing: dict[str, Counter], titles: dict[str, str] | None = None
) -> list[ExerciseStats]:
    """Autograded points per exercise (written answers wait for a grader, so they are left out)."""
    titles = titles or {}
    totals = [r.raw_score for r in rows]
    stats = []
    for ex in sorted({e for r in rows for e in r.exercises}):
        scores = [r.exercises.get(ex, ExerciseScore()) for r in rows]
        points = [s.tests for s in scores]
        top = max((s.tests_max for s in scores), default=0.0)
        stats.append(
            ExerciseStats(
                exercise=ex,
                title=titles.get(ex, ex),
                max_points=top,
                mean=float(np.mean(points)) if points else 0.0,
                full_marks_rate=float(np.mean([s.tests >= s.tests_max > 0 for s in scores]))
                if scores
                else 0.0,
                discrimination=pearson(points, totals),
                failing=failing.get(ex, Counter()).most_common(TOP_MESSAGES),
            )
        )
    return stats


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def figures(rows: list[StudentScores], stats: list[ExerciseStats]) -> dict[str, str]:
    """The report's figures as PNG data URIs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import MaxNLocator

    sns.set_theme(style="whitegrid")

    scores = [r.score for r in rows]
    top = max((r.max_score for r in rows), default=1.0)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    sns.histplot(
        scores, bins=np.linspace(0, top, min(int(top), 30) + 1), color=PALETTE["primary"], ax=ax
    )
    if scores:
        ax.axvline(
            np.mean(scores), color=PALETTE["secondary"], lw=2, label=f"mean {np.mean(scores):.1f}"
        )
        ax.legend()
    ax.set(
        xlabel=f"score (out of {top:g})",
        ylabel="students",
        title="Score distribution",
        xlim=(0, top),
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    out = {"distribution": _png(fig)}

    labels = [s.exercise for s in stats]
    x = np.arange(len(stats))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.bar(
        x - 0.2,
        [s.mean / s.max_points if s.max_points else 0 for s in stats],
        0.4,
        color=PALETTE["primary"],
        label="mean (fraction of points)",
    )
    ax.bar(
        x + 0.2,
        [s.full_marks_rate for s in stats],
        0.4,
        color=PALETTE["tertiary"],
        label="full-marks rate",
    )
    ax.set(xticks=x, xticklabels=labels, ylim=(0, 1.05), title="Autograded points per exercise")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    out["exercises"] = _png(fig)

    fig, ax = plt.subplots(figsize=(8, 3.6))
    disc = [s.discrimination if s.discrimination is not None else 0.0 for s in stats]
    colors = [
        PALETTE["neutral"]
        if s.discrimination is None
        else PALETTE["error"]
        if s.discrimination < 0.2
        else PALETTE["primary"]
        for s in stats
    ]
    ax.bar(x, disc, color=colors)
    ax.axhline(0.2, color=PALETTE["highlight"], ls="--", lw=1.5, label="0.2: weak below")
    ax.set(
        xticks=x,
        xticklabels=labels,
        ylim=(min(-0.2, min(disc, default=0) - 0.05), 1.05),
        ylabel="Pearson r",
        title="Discrimination (exercise score vs total score)",
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1, frameon=False)
    out["discrimination"] = _png(fig)
    return out


def grading_failures(assignment: str, course: CourseDir) -> list[tuple[str, str]]:
    """(student, reason) for submissions under submitted/ that have no autograded notebook.

    The reason comes from the grader's record (`CourseDir.grade_failures`), when it has one.
    """
    try:
        reasons = json.loads(course.grade_failures(assignment).read_text())
    except (FileNotFoundError, ValueError):
        reasons = {}
    submitted = sorted(
        p.parent.name for p in course.submitted.glob(f"*/{assignment}") if p.is_dir()
    )
    graded = {p.parent.parent.name for p in course.autograded.glob(f"*/{assignment}/*.ipynb")}
    return [
        (s, reasons.get(s, "not graded (see the output of `python -m course grade`)"))
        for s in submitted
        if s not in graded or s in reasons
    ]


def render(
    assignment: str,
    rows: list[StudentScores],
    stats: list[ExerciseStats],
    failures: list[tuple[str, str]],
    review: dict[str, list[dict]] | None = None,
) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent.parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    scores = [r.score for r in rows]
    summary = {
        "graded": len(rows),
        "failed": len(failures),
        "late": sum(r.late_penalty > 0 for r in rows),
        "mean": float(np.mean(scores)) if scores else 0.0,
        "median": float(np.median(scores)) if scores else 0.0,
        "max_score": max((r.max_score for r in rows), default=0.0),
        "written_ungraded": sum(not e.written_graded for r in rows for e in r.exercises.values()),
    }
    return env.get_template("report.html.j2").render(
        assignment=assignment,
        summary=summary,
        stats=stats,
        failures=failures,
        palette=PALETTE,
        review=sorted((s, summarize(f)) for s, f in (review or {}).items()),
        figures=figures(rows, stats),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def report(
    *,
    course: CourseDir = CourseDir(),
    assignment: str = ASSIGNMENT,
    failures: list[tuple[str, str]] | None = None,
    dest: Path | None = None,
) -> Path:
    """Write report/<assignment>.html from the gradebook and autograded/; returns its path.

    failures: (student, reason) for submissions that could not be graded; by default those
    `grading_failures` finds (submitted, no autograded notebook).
    """
    if failures is None:
        failures = grading_failures(assignment, course)
    failed = {student for student, _ in failures}
    # nbgrader leaves a zero-score gradebook entry for some submissions it failed on: not data.
    rows = [r for r in exercise_scores(assignment, course) if r.student_id not in failed]
    stats = exercise_stats(
        rows, failing_checks(assignment, course), exercise_titles(course, assignment)
    )
    dest = Path(dest or course.report_html(assignment))
    dest.parent.mkdir(parents=True, exist_ok=True)
    review = load_flags(course, assignment)  # course.integrity's flags
    dest.write_text(render(assignment, rows, stats, failures, review))
    return dest
