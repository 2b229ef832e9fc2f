"""Planted answers of backprop_math (see the parent package): misconceptions of exercises 1-5 and
6-10, and correct answers written unusually. tests/test_backprop_math.py proves that each
misconception fails a visible check of its own exercise only, printing its own hint, and that each
unusual answer earns full points.
"""

from __future__ import annotations

from .unusual import UNUSUAL
from .wrong_1_5 import WRONG_1_5
from .wrong_6_10 import WRONG_6_10

MISCONCEPTIONS = {**WRONG_1_5, **WRONG_6_10}

__all__ = ["MISCONCEPTIONS", "UNUSUAL"]
