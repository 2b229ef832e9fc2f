"""A stand-in for nbgrader's Execute, for differential tests only: copies in what a kernel of
`python -m course grade` added to the same notebook (read from the autograded/ folder named by
$COURSE_REPLAY_FROM), so nbgrader's own, unsplit Autograde can convert hostile submissions
without running them outside the sandbox. Everything else of that run is nbgrader's."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor


class ReplayOutputs(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = (
            Path(os.environ["COURSE_REPLAY_FROM"])
            / info["student"]
            / info["assignment"]
            / f"{info['notebook']}.ipynb"
        )
        done = nbformat.read(path, as_version=4)
        assert [c.source for c in nb.cells] == [c.source for c in done.cells], path
        for cell, ran in zip(nb.cells, done.cells, strict=True):
            if cell.cell_type == "code":
                cell.outputs = ran.outputs
                cell.execution_count = ran.execution_count
                if "execution" in ran.metadata:
                    cell.metadata["execution"] = ran.metadata["execution"]
        for key in ("language_info", "widgets"):
            if key in done.metadata:
                nb.metadata[key] = done.metadata[key]
        return nb, resources
