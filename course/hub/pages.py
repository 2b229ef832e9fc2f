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
        f'<div id="grade-on-submit" style="{_STYLE}"><b>Graded on submit.</b> Received '
        f"{html.escape(_hm(a.received))}. Graded feedback {used} of {per_hour} this hour for "
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
        f"<p>Received {html.escape(_hm(a.received))}. It is kept and counts as your newest "
        f"submission.</p><p>Graded feedback is limited to {per_hour} submissions per hour per "
        f"assignment, and you have used {per_hour}. Submit again after "
        f"{html.escape(_hm(next_iso))} to see your score.</p>",
    )


def failed_page(a: Arrival, why: str) -> str:
    return _page(
        "Your submission could not be graded",
        f"<p>Received {html.escape(_hm(a.received))}.</p><p><b>What is wrong:</b> "
        f"<code>{html.escape(why)}</code></p><p>Open the notebook in JupyterLab (if it does not "
        "open, fetch the assignment again into a new folder and copy your answers over), save "
        "it, and submit again.</p>",
    )


def superseded_page(a: Arrival) -> str:
    return _page(
        "A newer submission counts",
        f"<p>Received {html.escape(_hm(a.received))}. You submitted again right after this; "
        "your newest submission is the one graded, and its feedback is under it.</p>",
    )
