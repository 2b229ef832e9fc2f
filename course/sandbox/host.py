"""Host side of the sandbox: bubblewrap around each worker (and a memory cgroup where allowed).

Runs in: the grader process (or a Dask worker), before a sandboxed worker starts.
Two layers, because the worker (nbclient, trusted) and the kernel (student code) need different
rights; this is the outer one, course.sandbox.kernel the inner one:
- ``wrap_command`` runs a worker inside bubblewrap: a whitelisted read-only view of the system
  (/usr, /etc, the Python installation, the ``course`` package and nothing else of the course
  directory or any home), no network (empty network namespace), own pid namespace, ``scratch_dir``
  as the only writable directory. The worker stays uid 0 but keeps only CAP_SETUID/CAP_SETGID/
  CAP_CHOWN/CAP_KILL so that it can hand each kernel a uid of its own.
- ``course.sandbox.kernel.confine_child`` runs in each forked kernel before any student code
  (rlimits, then a uid of its own; see there).

Where bubblewrap is missing or COURSE_SANDBOX=off, grading runs unconfined (rlimits only) and
``wrap_command`` says so loudly, once per process.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course.paths import REPO
from course.proc import left_by_dead_run
from course.sandbox.limits import SCRATCH_ENV, UID_ENV, Limits

KERNEL_UID_BASE = 200_000  # far above any real account; no passwd entry needed
WORKER_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_KILL")
# Environment a worker may inherit; everything else (tokens, proxies, paths) stays outside.
PASS_ENV = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "PYTHONHASHSEED",
    "MPLBACKEND",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VIRTUAL_ENV",
)


@functools.lru_cache(maxsize=1)
def _probe() -> str | None:
    """None when bubblewrap confines here; otherwise why not."""
    if os.environ.get("COURSE_SANDBOX", "").lower() in ("off", "0", "no"):
        return "COURSE_SANDBOX=off"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)"
    if os.geteuid() != 0:
        return "grading is not running as root, so kernels cannot get a uid of their own"
    probe = subprocess.run(
        [
            bwrap,
            *_fs_args(Path("/")),
            "--unshare-net",
            "--unshare-pid",
            "--cap-drop",
            "ALL",
            "true",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return f"bwrap does not work here: {probe.stderr.strip()[:200]}"
    return None


def available() -> bool:
    return _probe() is None


_warned = False


def warn_if_unavailable() -> None:
    global _warned
    if not _warned and not available():
        _warned = True
        bar = "!" * 78
        print(
            f"{bar}\nWARNING: submissions run WITHOUT a sandbox: {_probe()}.\n"
            "Student code can read and write everything this user can (course directory,\n"
            "gradebook, other submissions) and reach the network. Only rlimits apply.\n"
            f"{bar}",
            file=sys.stderr,
            flush=True,
        )


def _python_roots() -> list[Path]:
    """Directories a Python worker needs: the venv and the installation it points to."""
    roots = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(os.path.realpath(sys.executable)).parent.parent,
    }
    return sorted(r for r in roots if not str(r).startswith("/usr"))


def _fs_args(scratch: Path) -> list[str]:
    args: list[str] = []
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / top
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    # Only the package itself: not source/, release/, submitted/, gradebook.db next to it.
    binds = [("--ro-bind", root) for root in _python_roots()] + [("--ro-bind", REPO / "course")]
    if scratch != Path("/"):
        binds.append(("--bind", scratch))
    # bwrap would create the parents of a mount point 0700 (e.g. /root), hiding the Python
    # installation from the kernel uid; they are empty directories here, so 0755 shows nothing.
    parents = sorted(
        {p for _, path in binds for p in Path(path).parents if p != Path("/")},
        key=lambda p: len(p.parts),
    )
    for parent in parents:
        args += ["--perms", "0755", "--dir", str(parent)]
    for flag, path in binds:
        args += [flag, str(path), str(path)]
    return args + ["--proc", "/proc", "--dev", "/dev"]


def kernel_uids(pid: int | None = None) -> range:
    """The uids the kernels of grading process `pid` (default: this one) run under."""
    first = KERNEL_UID_BASE + ((os.getpid() if pid is None else pid) % 100_000) * 64
    return range(first, first + 64)


def _next_uid(_counter=[0]) -> int:  # noqa: B006 - a process-wide counter is the point
    # Distinct per worker of this grading run, and unlikely to collide with a concurrent run.
    _counter[0] += 1
    return kernel_uids()[_counter[0] % 64]


def _seed_matplotlib(config_dir: Path) -> None:
    """Copy this user's font cache in, or every worker rebuilds it (seconds) on first import."""
    config_dir.mkdir(parents=True, exist_ok=True)
    try:
        import matplotlib

        for cached in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy2(cached, config_dir / cached.name)
    except Exception:  # noqa: BLE001 - only a speed-up
        pass


CGROUP_PREFIX = "course-grade-"


def _memory_cgroup(limit_mb: int) -> Path | None:
    """A child of this process's (v1) memory cgroup capped at limit_mb, or None if not allowed.

    RLIMIT_AS caps each process, but a fork bomb of memory hogs multiplies it; the cgroup caps
    the sum, and the kernels' oom_score_adj makes them, not the worker, the OOM killer's pick.
    """
    try:
        line = next(
            ln
            for ln in Path("/proc/self/cgroup").read_text().splitlines()
            if ln.split(":")[1] == "memory"
        )
        base = Path("/sys/fs/cgroup/memory") / line.split(":", 2)[2].lstrip("/")
        for stale in base.glob(CGROUP_PREFIX + "*"):
            # Only groups of runs that are gone: a live run's fresh group is empty until its
            # worker joins, and removing it then would leave that worker unable to join.
            if left_by_dead_run(stale.name, CGROUP_PREFIX):
                try:
                    stale.rmdir()  # fails while a process still runs in it
                except OSError:
                    pass
        group = base / f"{CGROUP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}"
        group.mkdir()
        if not (group / "cgroup.procs").exists():  # a plain directory, not a cgroup
            group.rmdir()
            return None
        (group / "memory.limit_in_bytes").write_text(str(limit_mb * 2**20))
        return group
    except (OSError, StopIteration, IndexError):
        return None


def wrap_command(argv: list[str], scratch_dir: Path, limits: Limits = Limits()) -> list[str]:
    """argv that runs a worker confined, `scratch_dir` its only writable directory."""
    if not available():
        warn_if_unavailable()
        return list(argv)
    scratch = Path(scratch_dir).resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    os.chmod(scratch, 0o755)  # kernels must traverse it to reach their own run directory
    home = scratch / "home"
    _seed_matplotlib(home / "mpl")
    env = {k: os.environ[k] for k in PASS_ENV if k in os.environ}
    # One BLAS thread per kernel: the workers already use every core, and a kernel that spent
    # its process quota (fork bomb) would otherwise hang starting BLAS threads after fork.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.update(
        HOME=str(home),
        MPLCONFIGDIR=str(home / "mpl"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        TMPDIR=str(home / "tmp"),
        USER="student",
        LOGNAME="student",
        PYTHONDONTWRITEBYTECODE="1",
        **{UID_ENV: str(_next_uid()), SCRATCH_ENV: str(scratch)},
    )
    (home / "tmp").mkdir(exist_ok=True)
    cmd = [
        shutil.which("bwrap") or "bwrap",  # available() found it
        "--die-with-parent",
        "--new-session",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
        *_fs_args(scratch),
        "--chdir",
        str(REPO),
        "--clearenv",
    ]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd += ["--cap-drop", "ALL"]
    for cap in WORKER_CAPS:
        cmd += ["--cap-add", cap]
    cmd += ["--", *argv]
    group = _memory_cgroup(limits.total_memory_mb)
    if group is not None:  # join the cgroup, then become bwrap: everything inside inherits it
        # Where the host refuses the join, the worker still runs, capped by its rlimits only
        # (as where no memory cgroup can be made at all); the shell's own error would only
        # confuse whoever reads the terminal.
        join = '{ echo $$ > "$0/cgroup.procs"; } 2>/dev/null; exec "$@"'
        cmd = ["/bin/sh", "-c", join, str(group), *cmd]
    return cmd
