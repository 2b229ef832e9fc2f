"""The grading sandbox, in two halves named for the process they run in.

- host.py    [grader / Dask worker]  bubblewrap command line, memory cgroup, availability probe
- kernel.py  [student's kernel]      rlimits, the drop to a uid of its own, installs the guard
- limits.py  [all three]             the Limits every submission runs under
"""
