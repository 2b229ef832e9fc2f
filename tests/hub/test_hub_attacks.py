"""A student with a shell on the hub attacks the exchange and the grade-on-submit service
(issue 18). Every case runs as her real Unix account on the session's hub: each is refused or
contained with a reason in the ledger and on her feedback page, her classmate is unaffected,
nothing is lost (refused entries are moved aside, never deleted) and the service keeps running.

All attack entries are laid down first and judged in one sweep of the service (each refusal
costs it milliseconds), so the suite's time is mostly the two real submissions it grades."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from hubctl import FAY, LAB_VENV, MAL, run_as, submit
from nbgrader.utils import notebook_hash

from course.hub.layout import check_exchange
from course.paths import ASSIGNMENT, COURSE_ID

pytestmark = pytest.mark.hub

NB = f"~/{ASSIGNMENT}/exercises.ipynb"
LONG = "x" * 250
# tag -> (what she does inside her own inbound entry, the rule it must be refused under or
# "graded" when it is harmless and contained)
ATTACKS = {
    "classmate": (
        f"ln -s /home/{FAY}/{ASSIGNMENT}/exercises.ipynb exercises.ipynb",
        "symbolic link",
    ),  # fmt: skip
    "rootonly": ("ln -s /etc/shadow exercises.ipynb", "symbolic link"),
    "directory": (f"cp {NB} . && ln -s /home/{FAY} theirs", "symbolic link"),
    "hardlink": (f"cp {NB} . && ln exercises.ipynb again.ipynb", "hard link"),
    "fifo": ("mkfifo exercises.ipynb", "FIFO"),
    "sparse": ("truncate -s 10G exercises.ipynb", "larger than"),
    "tiny": (f"cp {NB} . && mkdir many && (cd many && seq 100000 | xargs touch)", "more files"),
    "newline": (f"cp {NB} . && touch $'odd\\nname'", "control character"),
    "longname": (f"cp {NB} . && touch {LONG} ..dots", "graded"),
}


def _entry(user: str, n: int, tag: str) -> str:
    return f"{user}+{ASSIGNMENT}+2026-12-04 10:00:00.{n:06d} UTC+{tag}"


def forge(hub, user: str, name: str, script: str) -> str:
    """As `user`, make the inbound entry `name` by hand (as a shell allows): `script` runs in it,
    then timestamp.txt and submission_secret.txt complete it. Returns the secret."""
    secret = f"secret-{name.rsplit('+', 1)[-1]}"
    path = hub.inbound / name
    run_as(user, f"mkdir '{path}' && cd '{path}' && {script} && echo '{name.split('+')[2]}' "
           f"> timestamp.txt && printf %s {secret} > submission_secret.txt", hub=hub)  # fmt: skip
    return secret


def done(hub, names: list[str], timeout: float = 180) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = {r["entry"]: r for r in hub.ledger() if r["event"] == "done" and r["entry"] in names}
        if len(out) == len(names):
            return out
        time.sleep(0.5)
    raise AssertionError(f"not processed in {timeout} s: {set(names) - set(out)}\n{hub.log()}")


def page(hub, secret: str) -> str:
    name = notebook_hash(secret=secret, notebook_id="exercises") + ".html"
    return (hub.exchange / COURSE_ID / "feedback" / name).read_text()


def test_entries_root_must_not_follow_are_refused_with_the_rule_and_no_content(hub):
    for user in (MAL, FAY):
        run_as(user, f"nbgrader fetch_assignment {ASSIGNMENT}", hub=hub)
    pid = hub.grader_pid()
    t0 = time.monotonic()
    secrets, names = {}, {}
    for n, (tag, (script, _)) in enumerate(ATTACKS.items()):
        names[tag] = _entry(MAL, n, tag)
        secrets[tag] = forge(hub, MAL, names[tag], script)
    # A name nbgrader never makes, and one in a classmate's name (she owns the folder).
    names["dots"], names["forged"] = _entry(MAL, 98, ".."), _entry(FAY, 99, "forged")
    forge(hub, MAL, names["dots"], f"cp {NB} .")
    secrets["forged"] = forge(hub, MAL, names["forged"], f"cp {NB} .")
    made = time.monotonic()
    outcomes = done(hub, list(names.values()))
    print(f"{len(names)} attack entries laid in {made - t0:.1f} s, judged in "
          f"{time.monotonic() - made:.1f} s")  # fmt: skip
    refused_dir = hub.course.root.parent / f"{COURSE_ID}-refused"
    fay_notebook = run_as(FAY, f"cat {NB}", hub=hub).stdout
    for tag, (_, rule) in ATTACKS.items():
        got = outcomes[names[tag]]
        text = page(hub, secrets[tag])
        if rule == "graded":  # odd but harmless names: graded like any submission
            assert got["outcome"] == "graded", got
            assert "Score:" in text
            continue
        assert got["outcome"] == "refused" and rule in got["detail"], (tag, got)
        assert "was refused" in text and rule in text, (tag, text[:400])
        assert "root:" not in text and fay_notebook[:200] not in text  # no content, ever
        assert not (hub.inbound / names[tag]).exists()  # out of every later collect ...
        assert (refused_dir / names[tag]).is_dir()  # ... and kept: nothing lost
    assert outcomes[names["dots"]]["outcome"] == "refused"
    assert "not one nbgrader makes" in outcomes[names["dots"]]["detail"]
    forged = outcomes[names["forged"]]
    assert forged["outcome"] == "refused" and "not owned by the student" in forged["detail"]
    # Nothing of hers reached the submissions, nor a classmate's: only the contained entry.
    submitted = hub.course.submission_dir(MAL)
    assert (submitted / "timestamp.txt").read_text().strip() == names["longname"].split("+")[2]
    assert not hub.course.submission_dir(FAY).exists()
    assert hub.grader_pid() == pid  # the service never stopped (a FIFO did not hang it)
    # Her classmate submits normally and is graded as always.
    submit(hub, FAY)  # (the entry forged in her name is already in her ledger, refused)
    got = hub.wait_done(FAY, 2)
    assert sorted(got.values()) == ["graded", "refused"], got
    assert "Score:" in page(hub, (hub.course.submission_dir(FAY) / "submission_secret.txt")
                            .read_text())  # fmt: skip


def test_the_exchange_cannot_be_rearranged(hub):
    course = hub.exchange / COURSE_ID
    fay = next(e for e, o in hub.outcomes(FAY).items() if o == "graded")  # suppose she knows it
    tries = {
        f"mv '{course}' '{hub.exchange}/taken'": "rename the course's folder",
        f"mv '{course}/outbound' '{course}/old'": "rename outbound",
        f"rm -rf '{course}/outbound/{ASSIGNMENT}'": "delete the released assignment",
        f"touch '{course}/outbound/{ASSIGNMENT}/exercises.ipynb'": "change it",
        f"mkdir '{course}/outbound/{ASSIGNMENT}2'": "add an assignment",
        f"mv '{hub.inbound}/{fay}' '{hub.inbound}/x'": "move a classmate's submission",
        f"ls '{hub.inbound}'": "list the submissions",
        f"touch '{course}/feedback/x.html'": "plant a feedback page",
    }
    for script, what in tries.items():
        got = run_as(MAL, script + " 2>&1", check=False, hub=hub)
        assert got.returncode != 0, f"a student could {what}: {got.stdout}"
    # She can still make folders of her own in the exchange root (nbgrader needs it writable),
    # which changes nothing: the hub's checks still pass.
    run_as(MAL, f"mkdir '{hub.exchange}/{COURSE_ID}-mine'", hub=hub)
    assert check_exchange(hub.exchange, COURSE_ID, hub.grader) == []
    assert (hub.inbound / fay).is_dir()


def test_a_submission_while_the_service_restarts_is_graded_after_it(hub):
    pid = hub.grader_pid()
    env = {"HOME": f"/home/{FAY}", "PATH": f"{LAB_VENV}/bin:/usr/bin:/bin",
           "JUPYTER_CONFIG_PATH": str(hub.state / "jupyter-student")}  # fmt: skip
    before = set(hub.outcomes(FAY))
    proc = subprocess.Popen(
        ["runuser", "-u", FAY, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
         "bash", "-c", f"cd ~ && nbgrader submit {ASSIGNMENT}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    os.kill(pid, signal.SIGKILL)  # mid-submit: the hub restarts its service
    assert "Submitted as:" in proc.communicate(timeout=120)[0]
    got = hub.wait_done(FAY, len(before) + 1, timeout=180)
    assert [o for e, o in got.items() if e not in before] == ["graded"], got


def test_the_gradebook_holds_the_arrival_not_the_claim_once_graded(hub):
    """One submission time: as soon as grade-on-submit has graded it, the gradebook (so
    formgrader and nbgrader's CSVs) holds the time the lateness rule uses, here the arrival
    because the claim is in the future; the claim stays beside it (arrivals, pages)."""
    from datetime import UTC

    from nbgrader.api import Gradebook

    from course.results.arrival import load_arrivals

    name = f"{MAL}+{ASSIGNMENT}+2030-01-01 00:00:00.000000 UTC+future"
    forge(hub, MAL, name, f"cp {NB} .")
    assert done(hub, [name])[name]["outcome"] == "graded"
    arrival = load_arrivals(hub.course, ASSIGNMENT)[MAL]
    assert arrival.entry == name and arrival.claimed.year == 2030
    assert arrival.effective == arrival.arrived
    with Gradebook(hub.course.db_url) as gb:
        stamp = gb.find_submission(ASSIGNMENT, MAL).timestamp
    assert stamp.replace(tzinfo=UTC) == arrival.arrived  # not 2030
    assert "your submission says 2030-01-01" in page(hub, "secret-future")
