"""The grading worker process: `python -m course.worker --scratch DIR`.

Started (sandboxed) by course.grading.pools; answers one JSON request a line on stdin with one JSON
result a line on stdout (protocol in course.grading.protocol). Its fork server warms up (numpy,
matplotlib, seaborn, ipykernel) while this process imports nbgrader, so start-up costs the
slower of the two, not their sum.

Runs in: the sandboxed worker process (inside bubblewrap where available).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

from course.sandbox.limits import Limits
from course.worker.forkserver import ForkServer


def serve(scratch: Path, limits: Limits) -> None:
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # prints from libraries must not corrupt the protocol
    server = ForkServer(limits)
    try:
        import course.grading  # noqa: F401 - first: it skips an import nothing here uses
        from course.worker import (
            execute,
        )  # heavy (nbgrader, nbclient): overlaps the server's warm-up
        from course.worker.forkkernel import ForkKernelManager

        ForkKernelManager.server = server
        server.ready()
        proto.write(json.dumps({"ready": True}) + "\n")
        proto.flush()
        for line in sys.stdin:
            proto.write(json.dumps(execute.handle(json.loads(line), scratch)) + "\n")
            proto.flush()
    finally:
        server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grade process stops workers itself
    args.scratch.mkdir(parents=True, exist_ok=True)
    serve(args.scratch, Limits())


if __name__ == "__main__":
    main()
