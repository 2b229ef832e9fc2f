"""Tooling for the "Math for LLMs" nbgrader course: `python -m course <verb>`."""
