"""Planted answers, one subpackage per assignment (course/authoring/planted/<assignment_id>/):
MISCONCEPTIONS (realistic wrong bodies, each failing a visible check of its own exercise with a
hint of its own) and UNUSUAL (correct bodies written the way students do write them, each earning
full points). Used by the tests, the demo class and the benchmarks through
course.authoring.misconceptions.

Runs in: the instructor's process (tests, demo, benchmarks).
"""
