"""What confines one submission, shared by both sides of the sandbox.

Runs in: the grader (which sends the limits), the sandboxed worker, and each forked kernel
(course.sandbox.kernel applies them). Imports nothing from the package.
"""

from __future__ import annotations

from dataclasses import dataclass

UID_ENV = "COURSE_SANDBOX_UID"  # set inside the sandbox: the uid kernels drop to
SCRATCH_ENV = "COURSE_SANDBOX_SCRATCH"  # the worker's scratch folder; kernels own one run dir in it


@dataclass(frozen=True)
class Limits:
    # Per cell: nbgrader's own Execute.timeout (nbgrader_config.py; 30 s by default).
    notebook_timeout_s: int = 300
    memory_mb: int = 2048  # address space of each kernel process (RLIMIT_AS)
    max_procs: int = 64  # processes + threads of the kernel uid (RLIMIT_NPROC)
    max_output_bytes: int = 10 * 1024 * 1024
    max_file_mb: int = 64  # largest file a kernel may write (RLIMIT_FSIZE)
    total_memory_mb: int = 4096  # the whole worker sandbox (memory cgroup, where available)
