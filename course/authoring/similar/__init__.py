"""A class with planted copies among honest answers, for the similarity report's tests, benchmark
and demo (course.similarity).

Honest answers to Embedding Space Math are written in varied styles (styles_1_5, styles_6_10):
each function's body is assembled from independent choices the way students differ (loops or
vectorised, which numpy call, temporaries or one expression, casts, guards), and `habits` adds
a student's own touches (extra checks and casts, a temporary before the return, how they write
10000, the order of operands), so two honest students rarely write the same multi-line body
while the obvious one-liners (`return c + b - a`) recur across the class, as in real classes.
Most bodies are correct; correctness is not what the similarity report looks at. `planted`
builds the class and its four kinds of copies.

Runs in: tests, bench/bench_similarity.py and the demo (never in a grade run).
"""

from .planted import build

__all__ = ["build"]
