"""A short constructor for this catalog's entries (one line per entry reads better here)."""

from __future__ import annotations

from .. import Misconception


def _m(exercise, function, body, why, hint):
    return Misconception(exercise, function, body, why, hint)
