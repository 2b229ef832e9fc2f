"""`python -m course grade`, the grader side: everything here runs in the grader process.

- run.py          the run loop: what to grade, scheduling, recording results; `grade()`
- pools.py        where submissions execute: local sandboxed workers or a Dask cluster
- writer.py       the single gradebook writer (nbgrader's own Autograde, fed executed outputs)
- fastschema.py   nbgrader's cell-metadata validation, made cheap for the writer
- deduplicate.py  a fix for nbgrader's DeduplicateIds (also used by plain `nbgrader autograde`)

The code that executes a submission runs in another process, inside the sandbox:
course.worker. The two speak the protocol in course.grading.protocol.
"""
