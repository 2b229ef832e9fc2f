"""Fixtures for the hub tests: one course JupyterHub for the whole session (it takes ~40 s to
set up and start), real Unix accounts ``ht-*`` removed afterwards, Debian's Chromium."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

import hubctl  # noqa: E402


@pytest.fixture(scope="session")
def hub():
    if os.geteuid() != 0:
        pytest.skip("the course hub runs as root (it starts servers as students' accounts)")
    hub = hubctl.start_hub()
    try:
        yield hub
    finally:
        print(f"--- hub log (tail) ---\n{hub.log()}")
        hubctl.cleanup(hub)
