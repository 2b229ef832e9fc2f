"""Planted answers of Attention Math (see course.authoring.planted): misconceptions.py holds the
wrong answers, unusual.py the correct answers written unusually."""

from .misconceptions import MISCONCEPTIONS
from .unusual import UNUSUAL

HIDDEN_ONLY: dict = {}

__all__ = ["HIDDEN_ONLY", "MISCONCEPTIONS", "UNUSUAL"]
