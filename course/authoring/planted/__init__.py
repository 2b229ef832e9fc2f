"""Planted answers, one subpackage per assignment: `planted/<assignment_id>/`.

Runs in: the instructor's process (tests, the demo class, benchmarks), never in a kernel.

A planted answer replaces one function's solution region in a student copy of the notebook
(course.authoring.misconceptions.student_notebook). The notebook itself is the assignment's only
source (docs/authoring.md); what cannot live in it, because nbgrader would release it, lives
here as data. Each subpackage `course.authoring.planted.<assignment_id>` exports up to three
dicts of name -> Misconception:

- MISCONCEPTIONS (required): realistic wrong answers, each failing a *visible* check of its own
  exercise, and no other exercise, with a hint of its own (`hint` is a piece of that hint);
- HIDDEN_ONLY (optional): wrong answers that pass the visible checks and fail a hidden test;
- UNUSUAL (optional): correct answers written unusually (loops, float32, lists), full points.

Adding an assignment's planted answers is adding its folder: `load(assignment_id)` finds it by
name, so nothing here lists the assignments.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Misconception:
    exercise: int
    function: str
    body: str  # replaces the function's solution region (indented like the region by us)
    why: str  # what the student got wrong, as an instructor would say it
    hint: str = ""  # a piece of the hint the visible checks must print for exactly this mistake


@dataclass(frozen=True)
class Planted:
    """One assignment's planted answers (see the module docstring)."""

    misconceptions: dict[str, Misconception]
    hidden_only: dict[str, Misconception] = field(default_factory=dict)
    unusual: dict[str, Misconception] = field(default_factory=dict)

    def all(self) -> dict[str, Misconception]:
        return {**self.misconceptions, **self.hidden_only, **self.unusual}


def available(assignment: str) -> bool:
    """Whether `planted/<assignment>/` exists (a new assignment may have none yet)."""
    return importlib.util.find_spec(f"{__name__}.{assignment}") is not None


def load(assignment: str) -> Planted:
    """The planted answers of `assignment`, from `course.authoring.planted.<assignment>`."""
    module = importlib.import_module(f"{__name__}.{assignment}")
    return Planted(
        module.MISCONCEPTIONS,
        getattr(module, "HIDDEN_ONLY", {}),
        getattr(module, "UNUSUAL", {}),
    )
