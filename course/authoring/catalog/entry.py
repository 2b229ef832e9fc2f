"""One planted answer (runs in the instructor's process): the record every catalog shares,
attention_math's included."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Misconception:
    exercise: int
    function: str
    body: str  # replaces the function's solution region (4-space indented by us)
    why: str  # what the student got wrong, as an instructor would say it
    hint: str = ""  # a piece of the hint the visible checks must print for exactly this mistake


def _m(exercise, function, body, why, hint):
    return Misconception(exercise, function, body, why, hint)
