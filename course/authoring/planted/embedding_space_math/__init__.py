"""The planted answers of Embedding Space Math (see course.authoring.planted): misconceptions,
hidden-only mistakes, unusual correct answers. tests/test_misconceptions.py proves all three.
The entries live one module per group of exercises (exercises_1_5, exercises_6_10) and one for
the quiet ones (hidden_only_and_variants), so each stays a readable length.
"""

from __future__ import annotations

from .. import Misconception
from .exercises_1_5 import MISCONCEPTIONS_1_5
from .exercises_6_10 import MISCONCEPTIONS_6_10
from .hidden_only_and_variants import HIDDEN_ONLY, UNUSUAL

MISCONCEPTIONS: dict[str, Misconception] = {**MISCONCEPTIONS_1_5, **MISCONCEPTIONS_6_10}

__all__ = ["HIDDEN_ONLY", "MISCONCEPTIONS", "UNUSUAL"]
