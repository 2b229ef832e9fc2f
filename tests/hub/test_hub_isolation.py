"""What a student account can and cannot reach on the course hub, and how grade-on-submit
handles faults: it is down, it is killed, two submissions in one second, the rate limit,
a submission forged in another student's name."""

from __future__ import annotations

import os
import signal
import time

import pytest
from hubctl import BEN, DAN, EVE, PER_HOUR, TIA, run_as, submit
from nbgrader.utils import notebook_hash

from course.hub.ledger import arrivals, received_at
from course.paths import ASSIGNMENT, COURSE_ID

pytestmark = pytest.mark.hub


def refused(user: str, script: str, hub) -> str:
    done = run_as(user, script + " 2>&1", check=False, hub=hub)
    assert done.returncode != 0, f"{user} could run: {script}\n{done.stdout}"
    return done.stdout


def test_students_cannot_read_others_or_the_course(hub):
    run_as(EVE, f"nbgrader fetch_assignment {ASSIGNMENT}", hub=hub)
    run_as(DAN, f"nbgrader fetch_assignment {ASSIGNMENT}", hub=hub)
    # Control: each reads their own fetched notebook.
    run_as(EVE, f"cat ~/{ASSIGNMENT}/exercises.ipynb > /dev/null", hub=hub)
    assert "Permission denied" in refused(EVE, f"ls /home/{DAN}/{ASSIGNMENT}", hub)
    course = hub.course
    for target in (course.root, course.gradebook, course.source_notebook(), course.submitted):
        assert "Permission denied" in refused(EVE, f"ls -d '{target}'", hub)
    # Hidden tests exist only in source/ and in the gradebook, both unreadable (above).
    # Others' submissions: inbound/ cannot be listed, so their folder names stay unknown.
    assert "Permission denied" in refused(EVE, f"ls '{hub.inbound}'", hub)
    assert "Permission denied" in refused(
        EVE, f"cat '{hub.state / 'hub' / 'jupyterhub.sqlite'}'", hub
    )


def test_students_cannot_reach_formgrader_or_other_servers(hub):
    student, ta = hub.login(EVE), hub.login(TIA)
    r = student.get(f"{hub.url}/services/{COURSE_ID}/formgrader", allow_redirects=True)
    assert r.status_code == 403, (r.status_code, r.url)
    r = ta.get(f"{hub.url}/services/{COURSE_ID}/formgrader/api/assignments")
    assert r.status_code == 200, r.text[:300]  # control: staff get in
    assert ASSIGNMENT in [a["name"] for a in r.json()]
    r = student.get(f"{hub.url}/user/{DAN}/api/contents", allow_redirects=True)
    assert r.status_code in (403, 404), (r.status_code, r.url)
    r = student.get(f"{hub.url}/hub/api/users", headers={"Referer": hub.url})
    assert r.status_code == 403


def test_service_down_then_killed_loses_nothing_and_same_second_pair_keeps_newest(hub):
    pid = hub.grader_pid()
    os.kill(pid, signal.SIGSTOP)  # the service is "down": alive to the hub, doing nothing
    try:
        run_as(DAN, f"nbgrader fetch_assignment {ASSIGNMENT} 2>&1 || true", hub=hub)
        # Two submissions in the same second (nbgrader's folder names differ in microseconds
        # and a random suffix).
        both = run_as(DAN, f"(nbgrader submit {ASSIGNMENT} & nbgrader submit {ASSIGNMENT};"
                      " wait) 2>&1", hub=hub).stdout  # fmt: skip
        assert both.count("Submitted as:") == 2, both
        # A second student in the same (down) window: the restarted service grades all three
        # entries as ONE batch, with one nbgrader feedback run for both students.
        run_as(EVE, f"nbgrader fetch_assignment {ASSIGNMENT} 2>&1 || true", hub=hub)
        submit(hub, EVE)
        time.sleep(2)
        assert hub.outcomes(DAN) == {} and hub.outcomes(EVE) == {}  # nothing graded while down
    finally:
        os.kill(pid, signal.SIGKILL)  # a crash; JupyterHub restarts its managed service
    done = hub.wait_done(DAN, 2)
    assert sorted(done.values()) == ["graded", "superseded"], done
    newest = max(done, key=lambda e: e.split("+")[2])
    assert done[newest] == "graded"
    secret = (hub.course.submission_dir(DAN) / "submission_secret.txt").read_text().strip()
    assert secret in {
        (hub.inbound / newest / "submission_secret.txt").read_text().strip()
    }  # the newest counts
    assert hub.grader_pid() not in (None, pid)
    assert list(hub.wait_done(EVE, 1).values()) == ["graded"]
    entries = set(done) | set(hub.outcomes(EVE))
    assert entries in [set(b["entries"]) for b in hub.ledger() if b["event"] == "batch"]
    for student in (DAN, EVE):  # each got their own released page, from the one batch
        secret = (hub.course.submission_dir(student) / "submission_secret.txt").read_text()
        page = hub.exchange / COURSE_ID / "feedback" / (
            notebook_hash(secret=secret.strip(), notebook_id="exercises") + ".html")  # fmt: skip
        assert "Graded on submit" in page.read_text() and "Score:" in page.read_text()
    # Observed arrival beside the claimed timestamp, for lateness rules.
    seen = arrivals(hub.course.root, ASSIGNMENT, DAN)
    assert len(seen) == 2 and all(a.received and a.claimed for a in seen)
    assert received_at(hub.course.root, DAN, ASSIGNMENT) is not None


def test_rate_limit_records_but_hides_the_score(hub):
    graded = sum(1 for o in hub.outcomes(DAN).values() if o == "graded")
    while graded < PER_HOUR:
        submit(hub, DAN)
        graded += 1
        hub.wait_done(DAN, len(hub.outcomes(DAN)) + 1)
    submit(hub, DAN)
    n = len(hub.outcomes(DAN)) + 1
    done = hub.wait_done(DAN, n)
    newest = max(done, key=lambda e: e.split("+")[2])
    assert done[newest] == "limited", done
    secret = (hub.inbound / newest / "submission_secret.txt").read_text().strip()
    page = (
        hub.exchange
        / COURSE_ID
        / "feedback"
        / (notebook_hash(secret=secret, notebook_id="exercises") + ".html")
    )
    text = page.read_text()
    assert f"limited to {PER_HOUR} submissions per hour" in text and "Score" not in text
    # ...and it still counts: the collected submission is this newest one.
    kept = (hub.course.submission_dir(DAN) / "submission_secret.txt").read_text().strip()
    assert kept == secret


def test_a_submission_forged_in_another_name_is_refused(hub):
    # ht-eve writes an inbound folder claiming to be ht-ben (inbound is writable by all).
    name = f"{BEN}+{ASSIGNMENT}+2026-01-01 00:00:00.000000 UTC+forgedforged"
    run_as(EVE, f"mkdir '{hub.inbound}/{name}' && cp ~/{ASSIGNMENT}/exercises.ipynb "
           f"'{hub.inbound}/{name}/' && echo x > '{hub.inbound}/{name}/timestamp.txt' && "
           f"echo s > '{hub.inbound}/{name}/submission_secret.txt'", hub=hub)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and name not in hub.outcomes(BEN):
        time.sleep(0.5)
    assert hub.outcomes(BEN).get(name) == "refused"
    assert not (hub.inbound / name).exists()
    assert not hub.course.submission_dir(BEN).exists() or name not in str(
        hub.course.submission_dir(BEN)
    )
