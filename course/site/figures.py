"""Figures for the site: run the instructor notebook once, keep only the images of figure cells.

Runs in the site builder. The release's figure cells call functions the student has not written
yet, so the reference solution has to draw them: the source notebook is executed by nbclient in
a temporary directory (never in source/, which stays untouched), and of its outputs only the
`image/png` data of read-only, ungraded, non-solution code cells is kept, keyed by grade_id. No
solution code, no text output (a test cell prints values that give answers away) and no
hidden-test output ever reaches a page: the pages are rendered from the release, and these
images are attached to its matching figure cells only when the cell's code is identical in both.

Cost: one run of the embedding notebook takes ~4 s of CPU (kernel start, numpy/matplotlib/
seaborn imports, five figures). The images are cached under .cache/site-figures/ keyed by the hash of the
source notebook and the plotting libraries' versions, so rebuilding an unchanged course costs
nothing here.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from importlib.metadata import version
from pathlib import Path

import nbformat

from ..errors import SiteRefused
from ..paths import REPO

CACHE = REPO / ".cache" / "site-figures"
IMAGE = "image/png"


def _is_figure_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return (
        cell.cell_type == "code"
        and bool(meta.get("grade_id"))
        and not meta.get("solution")
        and not meta.get("grade")
    )


def _key(source_nb: Path) -> str:
    h = hashlib.sha256(source_nb.read_bytes())
    for package in ("numpy", "matplotlib", "seaborn"):
        h.update(f"{package}={version(package)}".encode())
    return h.hexdigest()[:20]


def _run(source_nb: Path, timeout: int) -> dict[str, list[str]]:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(source_nb, as_version=4)
    with tempfile.TemporaryDirectory(prefix="site-figures-") as work:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": work}}
        )
        try:
            # The kernel's own stderr (a warning about TCP transport) is noise for the builder's
            # user; failures arrive as cell errors through the messages.
            client.execute(env=_env(work), stderr=subprocess.DEVNULL)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            raise SiteRefused(
                f"{source_nb}: the reference solution failed while drawing figures: "
                f"{str(exc).strip().splitlines()[-1]}"
            ) from None
    figures = {}
    for cell in nb.cells:
        if _is_figure_cell(cell):
            images = [
                o["data"][IMAGE] for o in cell.get("outputs", []) if IMAGE in o.get("data", {})
            ]
            if images:
                figures[cell.metadata["nbgrader"]["grade_id"]] = images
    return figures


def _env(work: str) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["MPLCONFIGDIR"] = work
    return env


def solution_figures(
    source_nb: Path, timeout: int = 120, cache: Path = CACHE
) -> dict[str, list[str]]:
    """{grade_id: [base64 PNG, ...]} for every figure cell of `source_nb` that drew something."""
    key = _key(source_nb)
    same = sorted(cache.glob(f"*-{key}.json"))  # also a copy of this notebook elsewhere
    if same:
        return json.loads(same[0].read_text())
    figures = _run(source_nb, timeout)
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"{source_nb.parent.name}-{source_nb.stem}-*.json"):
        old.unlink()  # this notebook's figures before its last edit
    (cache / f"{source_nb.parent.name}-{source_nb.stem}-{key}.json").write_text(json.dumps(figures))
    return figures


def attach(release_nb, source_nb, figures: dict[str, list[str]]) -> int:
    """Give each figure cell of the release notebook (in memory) the solution's images, as
    display_data outputs holding nothing but the PNG; returns how many cells got one. A cell is
    matched by grade_id and must carry the same code in both notebooks."""
    source_code = {
        c.metadata.get("nbgrader", {}).get("grade_id"): c.source
        for c in nbformat.read(source_nb, as_version=4).cells
    }
    attached = 0
    for cell in release_nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if _is_figure_cell(cell) and gid in figures and source_code.get(gid) == cell.source:
            cell.outputs = [
                nbformat.v4.new_output("display_data", data={IMAGE: png}) for png in figures[gid]
            ]
            attached += 1
    return attached
