"""The pages grade-on-submit adds to what a student sees on "Fetch Feedback" (runs in the
grade-on-submit service). Everything from a student or the grader is HTML-escaped."""

from __future__ import annotations

import html
from datetime import datetime

from course.hub.ledger import Arrival


def _hm(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S UTC")


_STYLE = (
    "font-family:sans-serif;border:2px solid #31708f;background:#d9edf7;color:#31708f;"
    "padding:10px 14px;margin:10px 0"
)


def banner(a: Arrival, used: int, per_hour: int) -> str:
    return (
        f'<div id="grade-on-submit" style="{_STYLE}"><b>Graded on submit.</b> '
        f"{_received(a)} Graded feedback {used} of {per_hour} this hour for "
        "this assignment. Written answers are awaiting the instructor.</div>"
    )


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><div id='grade-on-submit' style='{_STYLE}'><h2>{html.escape(title)}</h2>"
        f"{body}</div></body></html>"
    )


def limited_page(a: Arrival, per_hour: int, next_iso: str) -> str:
    return _page(
        "Submission recorded; not scored now",
        f"<p>{_received(a)} It is kept and counts as your newest "
        f"submission.</p><p>Graded feedback is limited to {per_hour} submissions per hour per "
        f"assignment, and you have used {per_hour}. Submit again after "
        f"{html.escape(_hm(next_iso))} to see your score.</p>",
    )


# Why a notebook could not be graded, as the student may read it. The detail (in the ledger and
# the grading log, for staff) can quote the file: nbformat's "does not appear to be JSON"
# message carries its first bytes, which were a root-only file's before issue 18.
_KINDS = (
    ("NotJSONError", "the notebook file is not valid notebook JSON"),
    ("ValidationError", "the notebook file does not follow the notebook format"),
    ("Timeout", "running the notebook took longer than allowed"),
    ("memory", "running the notebook used more memory than allowed"),
)


def public_reason(why: str) -> str:
    """A fixed sentence (with the error's class name when known), never the detail's text."""
    for key, sentence in _KINDS:
        if key.lower() in why.lower():
            return f"{key}: {sentence}" if key[0].isupper() else sentence
    return "the grader could not run it (your instructor can see the details)"


def failed_page(a: Arrival, why: str) -> str:
    return _page(
        "Your submission could not be graded",
        f"<p>{_received(a)}</p><p><b>What is wrong:</b> {html.escape(public_reason(why))}</p>"
        "<p>Open the notebook in JupyterLab (if it does not "
        "open, fetch the assignment again into a new folder and copy your answers over), save "
        "it, and submit again.</p>",
    )


def refused_page(a: Arrival, reason: str) -> str:
    """An entry root would not read (course.hub.inbound): the rule and the path, no content."""
    return _page(
        "Your submission was refused",
        f"<p>{_received(a)}</p><p><b>Rule:</b> {html.escape(reason)}.</p><p>Submissions are "
        "checked before they are read: only your own ordinary files and folders, no links, no "
        "special files, within the size limits. Submit again from the Assignments tab.</p>",
    )


def _received(a: Arrival) -> str:
    """The one submission time (what lateness uses) and, beside it, the student's claim."""
    text = f"Received {html.escape(_hm(a.received))}"
    if a.claimed:
        text += f" (your submission says {html.escape(a.claimed[:40])})"
    return text + "."


def superseded_page(a: Arrival) -> str:
    return _page(
        "A newer submission counts",
        f"<p>{_received(a)} You submitted again right after this; "
        "your newest submission is the one graded, and its feedback is under it.</p>",
    )
