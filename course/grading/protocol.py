"""The grader <-> worker protocol: one JSON object a line each way.

Runs in: both ends. The grader (course.grading.pools) writes a `Request` to a sandboxed
worker's stdin; the worker (course.worker.execute) answers with a `Result` on its stdout. The
notebooks travel in the message, so a worker inside bubblewrap needs no view of the course
directory. Imports nothing heavy (the worker imports it before its fork server is warm).

  aborted: the kernel died or hit a limit; cells from that point carry an error output, so
           they score 0 and the points earned before stand. The submission is graded.
  error:   nothing could be executed; the submission is not graded, `error` says why.
  retryable: the error came from the worker process (it crashed or hung), not from the
           submission; the pool retries once on a fresh worker.
"""

from __future__ import annotations

from typing import Any, TypedDict

from course.integrity.flags import Flag


class Request(TypedDict, total=False):
    id: str | None  # the student
    notebooks: dict[str, str]  # notebook name -> sanitized text; absent: a ping (warm-up)
    files: dict[str, str]  # other files of the submission: relative path -> base64
    execute: dict[str, Any]  # nbgrader Execute traits (timeout, allow_errors, ...)
    limits: dict[str, Any]  # course.sandbox.limits.Limits fields
    hidden_tests: list[str]  # nbgrader's hidden-test delimiters [begin, end] (output scan)
    # course.worker.autograde's context: key, assignment, and (until the worker has them, see
    # pools.WorkerProcess) config and snapshot. Present: notebooks are as submitted, and the
    # result carries autograded text + rows. labels: notebook name -> its path in the course.
    autograde: dict[str, Any]
    labels: dict[str, str]


class Result(TypedDict, total=False):
    id: str | None
    notebooks: dict[str, Any]  # name -> executed notebook (nbformat JSON), or with an
    # autograde context the autograded notebook's text
    contexts: list[str]  # the autograde contexts (keys) the worker holds after this request
    rows: dict[str, dict]  # name -> {"grades": {grade_id: auto_score}, "comments": {...}}
    aborted: str | None
    error: str | None
    retryable: bool
    integrity: dict[str, list[Flag]]  # notebook name -> flags (course.integrity)
    seconds: float
    stages: dict[str, list[float]]  # course.grading.stages: [wall, cpu] per worker-side stage
    started_at: float  # time.time() when the worker began / finished this request
    sent_at: float
    received_at: float  # grader: when the answer arrived, and CPU seconds parsing it
    parse_cpu: float


def new_result(request: Request) -> Result:
    """An empty successful result for `request`, to be filled in."""
    return {
        "id": request.get("id"),
        "notebooks": {},
        "aborted": None,
        "error": None,
        "retryable": False,
        "integrity": {},
        "seconds": 0.0,
    }


def error_result(request: Request, reason: str, *, retryable: bool = False) -> Result:
    """A result that grades nothing and says why; retryable if the worker, not the
    submission, failed."""
    result = new_result(request)
    result["error"], result["retryable"] = reason, retryable
    return result
