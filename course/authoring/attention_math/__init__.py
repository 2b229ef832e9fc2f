"""The second assignment, Attention Math, as data: its exercises (text, solutions, visible and
hidden tests, figures, mark schemes), the script that writes its source notebook, and its planted
misconceptions.

Runs in: the author's process and the test/demo processes (never in a student's kernel).
"""
