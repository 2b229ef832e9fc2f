"""The planted answers of Embedding Space Math: misconceptions, hidden-only mistakes, unusual
correct answers (runs in the instructor's process: tests, demo, benchmarks).

Each entry replaces one function's solution region (see misconceptions.student_notebook).
MISCONCEPTIONS must each fail a *visible* check of their own exercise, and no other exercise,
with a hint of their own (`hint` is a piece of it); HIDDEN_ONLY pass every visible check and
fail a hidden one; CORRECT_VARIANTS must earn full points. tests/test_misconceptions.py proves
all three. The entries live one module per group of exercises (exercises_1_5, exercises_6_10)
and one for the quiet ones (hidden_only_and_variants), so each stays a readable length.
"""

from __future__ import annotations

from .entry import Misconception
from .exercises_1_5 import MISCONCEPTIONS_1_5
from .exercises_6_10 import MISCONCEPTIONS_6_10
from .hidden_only_and_variants import CORRECT_VARIANTS, HIDDEN_ONLY

MISCONCEPTIONS: dict[str, Misconception] = {**MISCONCEPTIONS_1_5, **MISCONCEPTIONS_6_10}

__all__ = ["CORRECT_VARIANTS", "HIDDEN_ONLY", "MISCONCEPTIONS", "Misconception"]
