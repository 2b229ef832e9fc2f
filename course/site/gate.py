"""The site's gates, run on the finished output folder before a build counts as done.

Runs in the site builder. Two checks, each on what a visitor actually gets:
- leaks: every HTML page (tags stripped, entities decoded, line by line, so a refusal names the
  page and its line) and every downloadable notebook (cell by cell) goes through the release's
  own leak check, `course.authoring.release.find_leaks`, against the instructor notebook it came
  from. A solutions page may show solutions, but never hidden tests or mark schemes.
- links: every href/src of every page resolves to a file in the site, so a renamed notebook
  cannot leave a dead link behind, and nothing a page loads (script, style, image, font) comes
  from the web: there is no network where this course is built and tested, and a student's
  phone on a train has little. Only <a> may point outside (hub, references).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat

from ..authoring.release import HIDDEN_KINDS, find_leaks
from ..errors import SiteRefused
from ..nb import Delimiters

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"""<(\w+)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']*)["']""")


@dataclass(frozen=True)
class Checked:
    """One published file and the instructor notebook whose hidden material it must not hold."""

    path: Path
    source_nb: Path
    kinds: tuple[str, ...] = HIDDEN_KINDS  # a solutions page: ("hidden tests", "mark scheme")


def page_lines(page: Path) -> list[str]:
    """The text of an HTML page as a reader sees it, one entry per line of the file."""
    return [html.unescape(_TAG.sub("", line)) for line in page.read_text().splitlines()]


def leaks(checked: list[Checked], site: Path, delimiters: Delimiters = Delimiters()) -> list[str]:
    problems = []
    for item in checked:
        if item.path.suffix == ".ipynb":
            nb = nbformat.read(item.path, as_version=4)
            cell_of = [i for i, c in enumerate(nb.cells, start=1) for _ in c.source.splitlines()]
            lines = [line for c in nb.cells for line in c.source.splitlines()]
            for n, problem in find_leaks(item.source_nb, lines, item.kinds, delimiters):
                problems.append(f"{item.path.relative_to(site)} cell {cell_of[n - 1]}: {problem}")
        else:
            # The text a reader sees, and the raw line too: attributes (alt, title) are stripped
            # with the tags but still published.
            raw = item.path.read_text().splitlines()
            found = find_leaks(item.source_nb, page_lines(item.path), item.kinds, delimiters)
            found += find_leaks(
                item.source_nb, [html.unescape(x) for x in raw], item.kinds, delimiters
            )
            for n, problem in sorted(set(found)):
                problems.append(f"{item.path.relative_to(site)}:{n}: {problem}")
    return problems


def broken_links(site: Path) -> list[str]:
    problems = []
    for page in sorted(site.rglob("*.html")):
        for n, line in enumerate(page.read_text().splitlines(), start=1):
            for tag, target in _LINK.findall(line):
                if target.startswith(("#", "data:", "mailto:")):
                    continue
                parts = urlsplit(target)
                if parts.scheme or parts.netloc:
                    if tag.lower() != "a":
                        problems.append(
                            f"{page.relative_to(site)}:{n}: loads {target} from the web"
                        )
                    continue
                path = (page.parent / unquote(parts.path)).resolve()
                if path.is_dir():
                    path = path / "index.html"
                if not path.is_file() or site.resolve() not in path.parents:
                    problems.append(f"{page.relative_to(site)}:{n}: broken link {target}")
    return problems


def check(site: Path, checked: list[Checked], delimiters: Delimiters = Delimiters()) -> None:
    """Raise SiteRefused listing every leak and broken link; return quietly when there are none."""
    problems = leaks(checked, site, delimiters)
    if problems:
        raise SiteRefused("hidden material would be published:\n  - " + "\n  - ".join(problems))
    links = broken_links(site)
    if links:
        raise SiteRefused("broken links:\n  - " + "\n  - ".join(links))
