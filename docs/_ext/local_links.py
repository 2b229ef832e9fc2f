"""After an HTML build: every local href/src resolves, and no page loads anything from the web.

Sphinx's linkcheck builder fetches every URL, and there is no network where the course is built
and tested; internal links are what can break here (a renamed page or picture). The course
site's gate (course/site/gate.py) already checks exactly this for its own pages, so the docs
reuse it: each problem becomes a Sphinx warning, which `-W` turns into a failed build.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def check(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    from course.site.gate import broken_links

    problems = broken_links(Path(app.outdir))
    for problem in problems:
        logger.warning("built site: %s", problem)
    if not problems:
        logger.info("built site: every local link resolves, nothing is loaded from the web")
