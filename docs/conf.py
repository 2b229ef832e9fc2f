"""Sphinx configuration of the course's documentation site (`make docs`; docs/ is the source).

Everything the site needs comes from PyPI packages pinned in requirements-docs.txt (Sphinx, MyST,
the Furo theme), so it builds with no network: Jupyter Book 2 / mystmd fetch their theme at build
time and cannot build here. `make docs` runs `sphinx-build -W --keep-going` (a warning, such as a
MyST link to a page or heading that does not exist, fails the build) and then the check below:
every href/src of every built page must resolve to a file of the site, and nothing a page loads
(script, style, image, font) may come from the web. That is the course site's own gate
(course/site/gate.py), reused; Sphinx's linkcheck builder would need the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the course package, for the check helpers' API page
sys.path.insert(0, str(Path(__file__).resolve().parent))  # _ext/: this site's two hooks

project = "Math for LLMs"
author = "the Math for LLMs course"
copyright = "2026, " + author

extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
nitpicky = True  # every cross-reference must resolve
myst_heading_anchors = 3  # [text](page.md#a-heading) links are checked against the headings
myst_enable_extensions = ["colon_fence", "deflist"]
suppress_warnings = ["myst.header"]  # pages may start at any heading level they had as files

html_theme = "furo"
html_title = "Math for LLMs — course documentation"
html_static_path: list[str] = []
html_show_sourcelink = False
html_permalinks_icon = "#"

autodoc_member_order = "bysource"
add_module_names = False  # check_close(...), as students call it


def setup(app):
    from _ext import api_docstrings, local_links

    app.connect("autodoc-process-docstring", api_docstrings.process)
    app.connect("build-finished", local_links.check)
    return {"parallel_read_safe": True}
