"""`python -m course grade`, the grader side: everything here runs in the grader process.

- run.py          the run loop: what to grade, scheduling, recording results; `grade()`
- pools.py        where submissions execute: local sandboxed workers or a Dask cluster
- writer.py       the single gradebook writer (nbgrader's own Autograde, fed executed outputs)
- gradebook.py    the writer's Gradebook: one connection, commits in batches
- stages.py       per-stage wall/CPU costs of each submission (also filled in by the worker)
- protocol.py     the Request/Result messages between the grader and a worker
- state.py, submissions.py, summary.py   resume state and lock; pre-checks; the printed summary
- fastschema.py   nbgrader's cell-metadata validation, made cheap for the writer
- deduplicate.py  a fix for nbgrader's DeduplicateIds (also used by plain `nbgrader autograde`)

The code that executes a submission runs in another process, inside the sandbox:
course.worker. The two speak the protocol in course.grading.protocol.
"""

import sys

# jsonschema (under nbformat and nbgrader) imports rfc3987_syntax when it is installed (an extra
# of jupyter_events) and that builds 38 lark parsers at import: 1 to 3 s of every grader and
# worker start-up (python -X importtime). It only serves jsonschema's "iri" format check, and no
# validation in grading checks formats (nbformat, nbgrader and fastschema pass no
# format_checker). Grading processes only: the fork server and the kernels never import this.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "not importable"
