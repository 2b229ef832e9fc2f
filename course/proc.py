"""Process-group helpers shared by the grader (workers) and the worker (kernels).

Runs in: the grader and the sandboxed worker. Every process this tool starts for a submission
leads its own process group (start_new_session / setsid), so whatever student code spawned goes
with it.
"""

from __future__ import annotations

import os
import signal


def kill_group(pid: int | None) -> bool:
    """SIGKILL the process group led by `pid`. False when it is already gone (or not ours):
    a group that no longer exists is the outcome wanted, so that is not an error."""
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGKILL)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def left_by_dead_run(name: str, prefix: str) -> bool:
    """True for a scratch name `<prefix><pid>-...` whose grading process no longer exists.

    Scratch folders and memory cgroups carry the pid of the run that made them, so a later run
    removes only what killed runs left behind, never what a live concurrent run is using."""
    try:
        pid = int(name[len(prefix) :].split("-", 1)[0]) if name.startswith(prefix) else None
    except ValueError:
        pid = None
    if pid is None:
        return False  # not ours
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, someone else's
    return False
