"""The student guide on the course site: docs/student.md as one more page, `guide.html`.

Runs in the site builder. The guide is written once, as a page of the documentation site
(`make docs`); the course site is where students are, so it carries its own copy, rendered with
nbconvert's Markdown filter (the one that renders the notebooks' text; no other dependency) and
linked from every page's top bar. A link into the rest of the documentation (another .md page)
has no target on the course site and keeps only its text; a picture is copied beside the page.
Without docs/student.md (a course directory that is not this repository) there is no guide page
and no link. The guide is the course's own text, never student content, and passes the same
link gate as every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..paths import CourseDir

PAGE = "guide.html"
ASSETS = "_static/guide"
_LINK = re.compile(r'<a href="([^"#]*\.md)(#[^"]*)?">(.*?)</a>', re.S)
_IMG = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')
_ID = re.compile(r'\bid="([^"]+)"')
_FRAGMENT = re.compile(r'href="#([^"]+)"')


@dataclass(frozen=True)
class Guide:
    title: str
    body: str  # HTML
    files: dict[str, bytes]  # path under the site -> bytes (the pictures)


def source(course: CourseDir) -> Path:
    return course.root / "docs" / "student.md"


def render(course: CourseDir) -> Guide | None:
    path = source(course)
    if not path.is_file():
        return None
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    text = path.read_text()
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "Guide")
    body = _LINK.sub(lambda m: m.group(3), markdown2html_mistune(text))
    files: dict[str, bytes] = {}

    def picture(m: re.Match) -> str:
        target = unquote(urlsplit(m.group(2)).path)
        found = (path.parent / target).resolve()
        if urlsplit(m.group(2)).scheme or not found.is_file() or path.parent not in found.parents:
            return m.group(0)  # left as it is: the site's link gate names it
        files[f"{ASSETS}/{found.name}"] = found.read_bytes()
        return f"{m.group(1)}{ASSETS}/{found.name}{m.group(3)}"

    body = _IMG.sub(picture, body)
    # MyST's heading anchors are lower case (#work), nbconvert's keep the heading's case (#Work).
    ids = {i.lower(): i for i in _ID.findall(body)}
    body = _FRAGMENT.sub(lambda m: f'href="#{ids.get(m.group(1).lower(), m.group(1))}"', body)
    return Guide(title, body, files)
