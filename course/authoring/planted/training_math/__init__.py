"""The planted answers of Training Math: MISCONCEPTIONS (wrong_1_5, wrong_6_10) and UNUSUAL.

Runs in: the instructor's process (tests/test_training_math.py plants each one into the real
notebook and proves that every misconception fails a visible check of its own exercise, and only
that exercise, with its own hint, and that every unusual answer keeps full points).
"""

from __future__ import annotations

from .unusual import UNUSUAL
from .wrong_1_5 import WRONG_1_5
from .wrong_6_10 import WRONG_6_10

MISCONCEPTIONS = {**WRONG_1_5, **WRONG_6_10}

__all__ = ["MISCONCEPTIONS", "UNUSUAL"]
