"""Cheat detection around grading, in modules named for the process they run in.

- guard.py    [student's kernel]  snapshot + restore of the grading machinery; imports nothing
                                  from this package but kernel_checks (it runs next to student code)
- kernel_checks.py [student's kernel]  the guard's after-cell scans (helpers replaced, threads
                                  still running, always-equal values); imports nothing
- monitor.py  [sandboxed worker]  drives the guard around every test cell, zeroes tampered tests
- helpers.py  [sandboxed worker]  the trusted source of the notebook's check helpers
- scans.py    [sandboxed worker]  static scan of answer code, redaction of leaked hidden tests
- flags.py    [worker, grader]    the flag record: saved per submission, summarised, reported
"""
