"""Trusted checks around every test cell, driven from the worker (course.worker.execute).

Runs in: the sandboxed worker. `Monitor` runs course.integrity.guard's hook silently before and
after every test cell of one notebook. Tampering found *before* a test cell (a helper or numpy
function redefined, an IPython hook installed in an answer cell) is undone, so the test runs
against trusted code, and flagged. Tampering done *during* a test cell (by the student's
function the test calls), a value whose == is always true, or a kernel that no longer reports
errors, zeroes that test cell with an `IntegrityError` output that says why, and is flagged.
`check_executed` adds the static and output scans (course.integrity.scans).
"""

from __future__ import annotations

import json
import secrets

import nbformat

from course.integrity.flags import Flag, flag
from course.integrity.guard import helpers_key, hook_code
from course.integrity.helpers import helpers_source
from course.integrity.scans import scan_outputs, scan_source
from course.nb import Delimiters

ENAME = "IntegrityError"


class Monitor:
    """Drives course.guard around the test cells of one notebook; collects flags."""

    def __init__(self, nb):
        self.nonce = "course-guard-" + secrets.token_hex(16) + ":"
        self.helpers = helpers_source(nb)
        # The kernel's guard keeps the helper source under this key once it has answered.
        self.key = helpers_key(self.helpers)
        self.sent = False
        self.flags: list[Flag] = []
        self.pending_zero: list[str] = []

    def _hook(self, ex, phase: str) -> list[str] | None:
        """The guard's findings, or None when the kernel did not answer as the guard must."""
        msg_id = ex.kc.execute(
            hook_code(phase, self.nonce, "" if self.sent else self.helpers, self.key),
            silent=True,
            store_history=False,
            stop_on_error=False,
        )
        reply = ex.wait_for_reply(msg_id) or {}
        content = reply.get("content", {})
        evalue = content.get("evalue") or ""
        if content.get("status") != "error" or not evalue.startswith(self.nonce):
            return None
        self.sent = True  # a proper answer: the guard compiled and kept the helpers
        return json.loads(evalue[len(self.nonce) :])

    def before(self, ex, cell) -> None:
        found = self._hook(ex, "before")
        if found is None:
            self.pending_zero.append(
                "the kernel's error reporting was tampered with before "
                "this test (a deliberate check error was not reported)"
            )
            return
        for reason in dict.fromkeys(found):
            self.flag(
                cell, "restored", f"{reason}; the trusted version was put back before this test ran"
            )

    def after(self, ex, cell) -> None:
        found = self._hook(ex, "after")
        reasons = self.pending_zero + (
            ["the kernel's error reporting was tampered with during this test"]
            if found is None
            else [f"{r} during this test" for r in dict.fromkeys(found)]
        )
        self.pending_zero = []
        if reasons:
            for reason in reasons:
                self.flag(cell, "zeroed", reason)
            cell.setdefault("outputs", []).append(
                nbformat.v4.new_output(
                    "error",
                    ename=ENAME,
                    evalue="; ".join(reasons),
                    traceback=[f"{ENAME}: this test scores 0 because " + "; ".join(reasons)],
                )
            )

    def flag(self, cell, action: str, reason: str) -> None:
        self.flags.append(flag(cell, action, reason))


def check_executed(
    nb, monitor: Monitor | None = None, hidden_tests: tuple[str, str] = Delimiters().hidden_tests
) -> list[Flag]:
    """All flags of one executed notebook (redacting leaked hidden-test source in place)."""
    flags = list(monitor.flags) if monitor is not None else []
    if monitor is None:
        flags.append(flag(None, "review", "executed without the kernel guard (no trusted checks)"))
    return flags + scan_source(nb) + scan_outputs(nb, hidden_tests)
