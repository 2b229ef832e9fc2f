"""What a grade run did, as data (for callers and tests) and as the text the CLI prints.

Runs in: the grader process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from course.grading.stages import Stages


@dataclass
class GradeSummary:
    assignment: str
    graded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # not graded: reason
    flagged: dict[str, str] = field(default_factory=dict)  # graded, but execution was cut short
    review: dict[str, str] = field(default_factory=dict)  # graded; integrity flags
    up_to_date: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # execution seconds per student
    # Per graded student: course.grading.stages costs, and seconds from its start to its grade
    # being durable in the gradebook; costs of the whole run (batch commits).
    stages: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)
    costs: Stages = field(default_factory=Stages)
    workers: str = ""

    def stats(self) -> dict:
        """The measurements of this run, as `grade --stats FILE` writes them (JSON)."""
        return {
            "seconds": self.seconds,
            "graded": len(self.graded),
            "stages": self.stages,
            "latency": self.latency,
            "run": self.costs.rounded(),
        }

    def text(self) -> str:
        n = len(self.graded)
        each = f" ({self.seconds / n:.2f} s each)" if n else ""
        where = f" on {self.workers}" if self.workers else ""
        lines = [
            f"{self.assignment}: graded {n} submission(s) in {self.seconds:.1f} s{each}"
            f"{where}; {len(self.up_to_date)} already up to date; {len(self.failed)} failed"
        ]
        for student, why in sorted(self.failed.items()):
            lines.append(f"  FAILED {student}: {why}")
        for student, why in sorted(self.flagged.items()):
            lines.append(f"  CUT SHORT {student}: {why} (graded up to that point)")
        for student, why in sorted(self.review.items()):
            lines.append(f"  REVIEW {student}: {why}")
        slow = sorted(self.timings.items(), key=lambda kv: -kv[1])[:5]
        if slow:
            lines.append("  slowest: " + ", ".join(f"{s} {t:.1f} s" for s, t in slow))
        return "\n".join(lines)
