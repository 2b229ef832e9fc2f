"""Notebook -> HTML: nbconvert's HTML exporter with the course's template, one notebook at a time.

Runs in the site builder. The exporter gets an in-memory copy of a release notebook (plus the
reference figures) or, for a published solutions page, of the source notebook with hidden tests
and mark schemes removed by nbgrader's own ClearHiddenTests/ClearMarkScheme preprocessors. It
returns the cells as an HTML fragment and the figures as separate PNG files (a phone loads a page
of text first, figures lazily).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme
from traitlets.config import Config

from ..nb import Delimiters, drop_delimiter_lines

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"
_ANSWER_PLACEHOLDER = "YOUR ANSWER HERE"


def _role(cell) -> str:
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("solution"):
        return "reference solution" if cell.metadata.get("site_solution") else "your answer"
    if meta.get("grade"):
        points = meta.get("points", 0)
        return f"tests, {points:g} point{'s' if points != 1 else ''}"
    if cell.get("outputs"):
        return "figure"
    return ""


def _label(nb, figure_caption: str) -> None:
    """Number cells as the notebook does and describe each for the template."""
    for number, cell in enumerate(nb.cells, start=1):
        site = {"number": number, "role": _role(cell) if cell.cell_type == "code" else ""}
        if cell.cell_type == "code" and cell.get("outputs"):
            first = cell.source.splitlines()[0] if cell.source else ""
            site["alt"] = first.lstrip("# ").strip() or "Figure"
            site["caption"] = figure_caption
        if cell.cell_type == "markdown" and cell.source.strip() == _ANSWER_PLACEHOLDER:
            cell.source = "*Your written answer goes here, in the notebook.*"
        cell.metadata["site"] = site


def _exporter() -> HTMLExporter:
    c = Config()
    c.HTMLExporter.template_name = "lab"  # cells.html.j2 extends lab's base.html.j2
    c.HTMLExporter.extra_template_paths = [str(TEMPLATES)]
    c.HTMLExporter.template_file = "cells.html.j2"
    c.HTMLExporter.exclude_input_prompt = False
    c.HTMLExporter.exclude_output_prompt = True
    c.ExtractOutputPreprocessor.enabled = True
    return HTMLExporter(config=c)


def render_cells(nb, files_dir: str, figure_caption: str) -> tuple[str, dict[str, bytes]]:
    """(HTML fragment of all cells, {relative path: PNG bytes}) for a notebook in memory, which is
    not modified. Figures are written as `files_dir/<name>.png` next to the page."""
    nb = copy.deepcopy(nb)
    _label(nb, figure_caption)
    body, resources = _exporter().from_notebook_node(
        nb, resources={"output_files_dir": files_dir, "unique_key": "figure"}
    )
    return body, dict(resources.get("outputs", {}))


def solution_notebook(source_nb: Path, config: Config):
    """The instructor notebook as a solutions page may show it: solution code and model written
    answers kept (delimiters dropped), hidden tests and mark schemes removed by nbgrader."""
    nb = nbformat.read(source_nb, as_version=4)
    nb, _ = ClearHiddenTests(config=config).preprocess(nb, {})
    # generate_assignment never meets a mark scheme here (ClearSolutions has already replaced the
    # written answer); keeping the model answer means ClearMarkScheme must accept a grade cell.
    nb, _ = ClearMarkScheme(config=config, enforce_metadata=False).preprocess(nb, {})
    solution = Delimiters.from_config(config).solution
    for cell in nb.cells:
        cell.source = drop_delimiter_lines(cell.source, solution).rstrip()
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.metadata["site_solution"] = True
            if cell.cell_type == "markdown":
                cell.source = f"**Model answer.** {cell.source}"
        cell.outputs = [] if cell.cell_type == "code" else cell.get("outputs")
        if cell.cell_type != "code":
            cell.pop("outputs", None)
    return nb
