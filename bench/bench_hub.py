"""Benchmark: submission-to-feedback latency of grade-on-submit, through the real exchange.

Sets up a course as `python -m course hub --setup-only` does (real Unix accounts bh-s01...),
starts the grade-on-submit service as the hub starts it (`python -m course hub-grader`), and
has students run `nbgrader submit` as their own accounts with the students' environment:
first ONE submission at a time (--single of them, p50), then a burst of N at once
(p50/p95/max). Latency = the service's own record of when the submission arrived (newest
ctime in the inbound folder) to the moment its feedback file is in the exchange, i.e. what a
student waits for after Submit. Targets (issue 10, 2 cores): one <= 10 s, all of a burst of
30 <= 60 s. Not a test: it prints the figures and the machine's cores. Needs root.

    python bench/bench_hub.py [--burst 30] [--single 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.utils import notebook_hash

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course.authoring.misconceptions import student_notebook  # noqa: E402
from course.hub.ledger import Ledger  # noqa: E402
from course.hub.roster import remove_account  # noqa: E402
from course.hub.setup import LAB_VENV, HubSettings, prepare  # noqa: E402
from course.nb import nbgrader_env  # noqa: E402
from course.paths import ASSIGNMENT, COURSE_ID  # noqa: E402

GRADER = "bh-grader"


def stage_answers(settings: HubSettings, user: str, nb_text: str) -> None:
    """The student's fetched and answered assignment folder (as fetch + typing would leave it)."""
    home = Path(f"/home/{user}") / ASSIGNMENT
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(settings.course.release / ASSIGNMENT, home)
    (home / "exercises.ipynb").write_text(nb_text)
    subprocess.run(["chown", "-R", f"{user}:{user}", str(home)], check=True)


def submit(settings: HubSettings, user: str) -> subprocess.Popen:
    env = [f"HOME=/home/{user}", f"PATH={LAB_VENV}/bin:/usr/bin:/bin",
           f"JUPYTER_CONFIG_PATH={settings.state / 'jupyter-student'}"]  # fmt: skip
    return subprocess.Popen(
        ["runuser", "-u", user, "--", "env", "-i", *env, "bash", "-c",
         f"cd ~ && nbgrader submit {ASSIGNMENT}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def latencies(settings: HubSettings, users: list[str], timeout: float = 600) -> list[float]:
    """Seconds from arrival to feedback file, for the newest submission of each user."""
    inbound = settings.exchange / COURSE_ID / "inbound"
    feedback = settings.exchange / COURSE_ID / "feedback"
    deadline, out = time.monotonic() + timeout, {}
    while time.monotonic() < deadline and len(out) < len(users):
        seen = Ledger(settings.course.root).arrivals()
        for user in users:
            if user in out:
                continue
            mine = sorted((a for a in seen.values() if a.student == user), key=lambda a: a.claimed)
            if not mine or not mine[-1].outcome:
                continue
            a = mine[-1]
            secret = (inbound / a.entry / "submission_secret.txt").read_text().strip()
            page = feedback / f"{notebook_hash(secret=secret, notebook_id='exercises')}.html"
            if page.exists():
                from datetime import datetime

                start = datetime.fromisoformat(a.received).timestamp()
                out[user] = page.stat().st_mtime - start
        time.sleep(0.2)
    if len(out) < len(users):
        sys.exit(f"only {len(out)} of {len(users)} got feedback in {timeout} s")
    return [out[u] for u in users]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


def print_stages(label: str, batches: list[dict]) -> None:
    """Where the service's time went (its own per-batch record in the ledger)."""
    stages = ("collect", "grade", "feedback", "release")
    total = {k: sum(b[k] for b in batches) for k in stages}
    print(f"  {label}: {len(batches)} batch(es) of {[b['size'] for b in batches]}; seconds "
          + ", ".join(f"{k} {total[k]:.1f}" for k in stages))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=30)
    parser.add_argument("--single", type=int, default=3, help="one-at-a-time submissions")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench_hub needs root (Unix accounts, the sandboxed grader)")
    users = [f"bh-s{i:02d}" for i in range(1, max(args.burst, args.single) + 1)]
    tmp = Path(tempfile.mkdtemp(prefix="bench-hub-", dir="/tmp"))
    tmp.chmod(0o755)
    (tmp / "roster.csv").write_text("id,name,email,role\n" + "".join(
        f"{u},Bench {u},{u}@example.org,student\n" for u in users))  # fmt: skip
    settings = HubSettings(state=tmp / "state", roster=tmp / "roster.csv",
                           grader_user=GRADER, per_hour=10_000)  # fmt: skip
    service = None
    try:
        print(f"setting up {len(users)} accounts and the course in {tmp} ...", flush=True)
        prepare(settings)
        nb_text = __import__("nbformat").writes(
            student_notebook({n: "correct" for n in range(1, 11)})
        )
        for u in users:
            stage_answers(settings, u, nb_text)
        service = subprocess.Popen(
            [sys.executable, "-m", "course", "--course", str(settings.course.root), "hub-grader",
             "--exchange", str(settings.exchange), "--grader-user", GRADER,
             "--per-hour", "10000", "--poll", "0.5"],
            cwd=REPO, env=nbgrader_env(), stdout=open(tmp / "service.log", "w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        time.sleep(3)
        ledger = Ledger(settings.course.root)
        single = []
        for u in users[: args.single]:
            submit(settings, u).wait()
            single += latencies(settings, [u])
        n_single = len(ledger.batches())
        burst_users = users[: args.burst]
        procs = [submit(settings, u) for u in burst_users]
        for p in procs:
            p.wait()
        burst = latencies(settings, burst_users)
        cores = os.cpu_count()
        print(f"\ngrade-on-submit latency (arrival in the exchange -> feedback released), "
              f"{cores} cores, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(f"  one submission: p50 {statistics.median(single):.1f} s over {len(single)} "
              f"(target <= 10 s)")  # fmt: skip
        print(f"  burst of {len(burst)} at once: p50 {pct(burst, 50):.1f} s, p95 {pct(burst, 95):.1f}"
              f" s, max {max(burst):.1f} s (target: max <= 60 s)")  # fmt: skip
        batches = ledger.batches()
        print_stages("one submission", batches[:n_single])
        print_stages(f"burst of {len(burst)}", batches[n_single:])
    finally:
        if service:
            service.terminate()
            service.wait(30)
        for u in [*users, GRADER]:
            remove_account(u)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
