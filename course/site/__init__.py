"""The course website: `python -m course site [--serve]` (course/site/build.py).

Why nbconvert's HTML exporter with a template of our own, not Jupyter Book or Sphinx:
- It builds offline. nbconvert is already installed with nbgrader (pinned); Jupyter Book 2 /
  mystmd downloads its theme at build time, and Jupyter Book 1 would add Sphinx, myst-nb and
  sphinx-book-theme with their dependencies for pages that are one notebook each. MathJax 2.7 is served from the site itself, copied from
  the `jupyter-server-mathjax` wheel (Jupyter's own offline MathJax), so formulas typeset with no
  network at build or view time.
- The leak gate stays simple: every page is rendered from one in-memory notebook that started as
  the release file, so there is no toctree, cache or execution directory through which source/
  could slip in; the finished HTML and the downloads are then checked line by line with the
  release's own leak check (course.authoring.release.find_leaks).
- It is fast. Measured with `/usr/bin/time python -m course site` (first assignment, 2 cores):
  4.0 s CPU when the figures are cached, 7.8 s CPU on the first build, which also runs the
  instructor notebook for its figures (cached in .cache/site-figures/ until that notebook or the
  plotting libraries change). Cost of the choice: no search box (Jupyter Book has one); a course
  of a few assignments does not need it.

Modules, all run in the builder's process: meta (what was released, course.toml), figures (the
reference solution's images, nothing else), render (notebook -> HTML cells), gate (leaks, links),
build (pages, downloads, settings from site.toml), serve (preview on 127.0.0.1).
"""

from ..errors import SiteRefused
from .build import Built, Settings, build, load_settings

__all__ = ["Built", "Settings", "SiteRefused", "build", "load_settings"]
