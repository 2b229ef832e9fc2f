"""Kernel side of the sandbox: runs in each forked kernel, before any student code.

Runs in: the student's kernel process (forked by course.worker.forkserver), as root inside the
worker's bubblewrap until `drop_to_kernel_uid`. `confine_child` sets rlimits (address space,
file size, CPU, processes), then, once IPKernelApp has read its connection file and bound its
sockets, kills whatever the previous submission left running under the kernel uid, hands the
working directory to that uid and drops to it for good; then it installs the integrity guard
(course.integrity.guard), whose snapshot therefore predates any student code. A kernel under
another uid than the worker cannot write the worker's result pipe, read its memory or signal
it; RLIMIT_NPROC, counted per uid, then bounds a fork bomb without starving other workers.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
from pathlib import Path

from course.sandbox.limits import SCRATCH_ENV, UID_ENV, Limits


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _set_rlimit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))


def _kill_uid(uid: int) -> None:
    """SIGKILL every process of `uid` (leftovers of the previous submission), as that uid."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)  # all processes this uid may signal, except itself
        except OSError:
            pass
        os._exit(0)
    os.waitpid(pid, 0)


def _chown_tree(path: Path, uid: int) -> None:
    # Bottom-up: once a 0700 directory is the kernel's, this (capability-less) root cannot
    # enter it any more.
    for dirpath, dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames + dirnames:
            os.lchown(os.path.join(dirpath, name), uid, uid)
    os.lchown(path, uid, uid)


def drop_to_kernel_uid() -> None:
    """Become the kernel uid for good: no way back, no capabilities, no new privileges."""
    uid = int(os.environ[UID_ENV])
    _kill_uid(uid)
    cwd = Path(os.getcwd())
    scratch = Path(os.environ.get(SCRATCH_ENV, "/nonexistent"))
    if scratch in cwd.parents:  # only the submission's own run directory, never scratch itself
        _chown_tree(cwd, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    libc = _libc()
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS (bwrap sets it too; cheap to be sure)
    libc.prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: setuid cleared it; /proc/self must stay usable
    os.environ.pop(UID_ENV, None)
    # The worker's temp directory is not writable for this uid; the run directory is.
    os.environ["TMPDIR"] = str(cwd)
    import tempfile

    tempfile.tempdir = None


def confine_child(limits: Limits) -> None:
    """In a freshly forked kernel, before any student code runs."""
    mb = 1024 * 1024
    _set_rlimit(resource.RLIMIT_AS, limits.memory_mb * mb)
    _set_rlimit(resource.RLIMIT_FSIZE, limits.max_file_mb * mb)
    _set_rlimit(resource.RLIMIT_CPU, limits.notebook_timeout_s + 30)
    _set_rlimit(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write raises instead of killing
    try:  # the kernel, not the worker, is what the OOM killer should pick
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError:
        pass
    confined = UID_ENV in os.environ and os.geteuid() == 0
    if confined:  # unconfined, NPROC would count every process of the grading user
        _set_rlimit(resource.RLIMIT_NPROC, limits.max_procs)
    # The uid drop and the integrity snapshot wait until IPKernelApp has read its (0600)
    # connection file, bound its sockets and built its shell; student code runs only once
    # start() serves requests. (course.* leaves sys.modules after this call; the closure
    # keeps what it needs.)
    from ipykernel.kernelapp import IPKernelApp

    from course.integrity import guard

    original = IPKernelApp.start

    def start(self, *args, **kwargs):
        if confined:
            drop_to_kernel_uid()
        guard.install(self.shell, self.kernel)
        return original(self, *args, **kwargs)

    IPKernelApp.start = start  # type: ignore[method-assign]  # one kernel per process
