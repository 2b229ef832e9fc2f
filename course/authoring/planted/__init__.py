"""Planted answers, one package per assignment (course/authoring/planted/<assignment_id>/): each
exports MISCONCEPTIONS (realistic wrong bodies, every one failing a visible check of its own
exercise with a hint of its own) and UNUSUAL (correct bodies written unusually, every one keeping
full points). Runs in the instructor's process (tests, demo, benchmarks), never in a kernel.
"""
