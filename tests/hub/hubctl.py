"""A course JupyterHub for the tests, started the way an administrator starts it.

`python -m course hub --roster ... --state DIR --port P` in a scratch state directory under /tmp
(world-traversable: students' servers read its exchange and config), with Unix accounts named
``ht<tag>-*`` that are removed afterwards. Helpers act as a student would: log in over HTTP, run
nbgrader as that Unix account with the students' environment.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from course.hub.roster import remove_account, set_password  # noqa: E402
from course.hub.setup import LAB_VENV  # noqa: E402
from course.paths import ASSIGNMENT, COURSE_ID, CourseDir  # noqa: E402

# Account names carry a per-run tag, so two runs on one machine (a developer's and CI's) never
# share or delete each other's accounts: ht<tag>-ada ...
RUN = secrets.token_hex(2)
ADA, BEN, CY, DAN, EVE, MAL, FAY, TIA, IAN, GRADER = (
    f"ht{RUN}-{n}" for n in ("ada", "ben", "cy", "dan", "eve", "mal", "fay", "tia", "ian", "grader")
)
PEOPLE = {  # id -> role; ada/ben/cy: the browser test; dan: faults; eve: isolation;
    # mal attacks and fay is her classmate (test_hub_attacks)
    ADA: "student",
    BEN: "student",
    CY: "student",
    DAN: "student",
    EVE: "student",
    MAL: "student",
    FAY: "student",
    TIA: "ta",
    IAN: "instructor",
}
PER_HOUR = 2


def password(user: str) -> str:
    return f"pw-{user}-Tz9"


def _free_base_port() -> int:
    for _ in range(50):
        base = random.randrange(20000, 40000, 10)
        ok = True
        for p in range(base, base + 4):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
        if ok:
            return base
    raise RuntimeError("no 4 free consecutive ports")


@dataclass
class Hub:
    state: Path
    port: int
    proc: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self):
        self.log_path = self.state.parent / "hub.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def course(self) -> CourseDir:
        return CourseDir(self.state / "grader" / COURSE_ID)

    @property
    def exchange(self) -> Path:
        return self.state / "exchange"

    @property
    def grader(self) -> str:
        return GRADER

    @property
    def inbound(self) -> Path:
        return self.exchange / COURSE_ID / "inbound"

    def log(self, tail: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""

    def start(self, roster: Path) -> Hub:
        cmd = [sys.executable, "-m", "course", "hub", "--roster", str(roster),
               "--state", str(self.state), "--port", str(self.port),
               "--grader-user", GRADER, "--per-hour", str(PER_HOUR)]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited {self.proc.returncode}:\n{self.log()}")
            if "JupyterHub is now running" in self.log(10**7) and self.grader_pid():
                return self
            time.sleep(1)
        raise RuntimeError(f"hub did not start in 300 s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc:
            # The hub, its proxy and its services share the process group of the command.
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    self.proc.poll()
                    os.killpg(self.proc.pid, 0)  # raises once the whole group is gone
                    time.sleep(0.5)
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        # Single-user servers run in sessions of their own; stop any left by the test users.
        for user in [*PEOPLE, GRADER]:
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)

    def grader_pid(self) -> int | None:
        """The grade-on-submit service's pid (a child of the hub, restarted by it on exit)."""
        out = subprocess.run(["pgrep", "-f", f"hub-grader --exchange {self.exchange}"],
                             capture_output=True, text=True).stdout.split()  # fmt: skip
        return int(out[0]) if out else None

    def ledger(self) -> list[dict]:
        path = self.course.root / "hub-ledger.jsonl"
        return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []

    def outcomes(self, student: str) -> dict[str, str]:
        """inbound entry -> outcome, for one student's finished submissions."""
        arrived = {r["entry"] for r in self.ledger() if r["event"] == "arrived"
                   and r["student"] == student}  # fmt: skip
        return {r["entry"]: r["outcome"] for r in self.ledger()
                if r["event"] == "done" and r["entry"] in arrived}  # fmt: skip

    def wait_done(self, student: str, n: int, timeout: float = 120) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.outcomes(student)
            if len(done) >= n:
                return done
            time.sleep(0.5)
        raise AssertionError(f"{student}: {n} submission(s) not processed in {timeout} s:\n"
                             f"{self.ledger()}\n{self.log()}")  # fmt: skip

    def login(self, user: str) -> requests.Session:
        s = requests.Session()
        s.get(f"{self.url}/hub/login")
        s.post(f"{self.url}/hub/login", data={"username": user, "password": password(user),
               "_xsrf": s.cookies.get("_xsrf")}, allow_redirects=False)  # fmt: skip
        assert "jupyterhub-hub-login" in s.cookies, f"{user} could not log in"
        return s


def run_as(user: str, script: str, check: bool = True, hub: Hub | None = None):
    """Run a shell script as a test account, with the students' environment and config."""
    env = {"HOME": f"/home/{user}", "USER": user, "PATH": f"{LAB_VENV}/bin:/usr/bin:/bin"}
    if hub:
        env["JUPYTER_CONFIG_PATH"] = str(hub.state / "jupyter-student")
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
         "bash", "-c", f"cd ~ && {script}"],
        capture_output=True, text=True, check=check, timeout=120,
    )  # fmt: skip


def submit(hub: Hub, user: str) -> str:
    """`nbgrader submit` as the student; returns the inbound entry's timestamp it printed."""
    out = run_as(user, f"nbgrader submit {ASSIGNMENT} 2>&1", hub=hub).stdout
    assert "Submitted as:" in out, out
    return out.split(f"{ASSIGNMENT} ")[-1].strip()


def start_hub() -> Hub:
    root = Path(tempfile.mkdtemp(prefix="course-hub-test-", dir="/tmp"))
    root.chmod(0o755)
    roster = root / "roster.csv"
    roster.write_text("id,name,email,role\n" + "".join(
        f"{u},{u.split('-')[1].title()} Test,{u}@example.org,{r}\n" for u, r in PEOPLE.items()))  # fmt: skip
    hub = Hub(root / "state", _free_base_port())
    try:
        hub.start(roster)
    except Exception:
        cleanup(hub)
        raise
    for user in PEOPLE:
        set_password(user, password(user))
    return hub


def cleanup(hub: Hub) -> None:
    import shutil

    hub.stop()
    for user in [*PEOPLE, GRADER]:
        remove_account(user)
    shutil.rmtree(hub.state.parent, ignore_errors=True)
