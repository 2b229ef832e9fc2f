"""Student content rendered without scripts: nbconvert configuration for formgrader and feedback.

Runs inside whatever renders a notebook to HTML with nbconvert's HTMLExporter: the formgrader
(a Jupyter server run by the grader account, on Debian's Python) and `generate_feedback` (the
grade-on-submit service, `python -m course feedback`). Both build their HTMLExporter from the
course's nbgrader_config.py, so the three settings at the end of the repository's nbgrader_config.py
protect both.

Why each piece (measured with hostile answers, tests/hub/test_sanitize.py):
- nbgrader's formgrade and feedback templates render markdown cells as
  ``cell.source | markdown2html`` with no cleaning, so a written answer
  ``<img src=x onerror=...>`` runs in the grader's origin. `markdown2html` below replaces that
  filter: nbconvert's own renderer, then an allowlist cleaner.
- ``HTMLExporter.sanitize_html`` cleans text/html and text/markdown outputs and drops
  application/javascript and widget outputs, but its cleaner (`clean_html`) allows only 19 tags
  and escapes the rest as text, so tables, paragraphs, headings and images became unreadable;
  `clean_html` below is the same bleach call with a readable allowlist.
- The templates put image metadata into unquoted attributes (``width={{ w | escape_html }}``),
  so ``width="1 onerror=alert(1)"`` from a student's display() call is a script;
  `SanitizeOutputs` keeps only numeric sizes, base64 image data and known output types.
"""

from __future__ import annotations

import re

import bleach
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import pass_context
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor

TAGS = {
    *bleach.ALLOWED_TAGS,
    *"p br hr div span pre code kbd samp sub sup del ins s u mark small q cite dfn".split(),
    *"h1 h2 h3 h4 h5 h6 dl dt dd details summary figure figcaption img".split(),
    *"table thead tbody tfoot tr th td caption colgroup col".split(),
}
ATTRIBUTES = {
    "*": ["class", "title"],
    "a": ["href", "title", "class"],
    "img": ["src", "alt", "title", "width", "height", "class"],
    "th": ["colspan", "rowspan", "align", "class", "style"],
    "td": ["colspan", "rowspan", "align", "class", "style"],
    "span": ["class", "style"],
    "div": ["class", "style"],
    **{f"h{n}": ["id", "class"] for n in range(1, 7)},  # nbconvert's heading anchors
}
# Images may be inline (data:image/...) or links; links may not be javascript: or data:.
PROTOCOLS = {"http", "https", "mailto", "data"}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp|svg\+xml)[;,]", re.I)
_CSS = CSSSanitizer(allowed_css_properties=["text-align", "color", "background-color"])


def clean_html(html) -> str:
    """Student HTML with every script, handler, iframe, form and javascript: link removed."""
    html = html.decode() if isinstance(html, bytes) else str(html)
    return bleach.clean(
        html,
        tags=TAGS,
        attributes=_attribute_filter,
        protocols=PROTOCOLS,
        css_sanitizer=_CSS,
        strip=True,
        strip_comments=True,
    )


def _attribute_filter(tag: str, name: str, value: str) -> bool:
    allowed = ATTRIBUTES.get(tag, ATTRIBUTES["*"])
    if name not in allowed:
        return False
    if name in ("href", "src") and value.strip().lower().startswith("data:"):
        return tag == "img" and bool(_DATA_IMAGE.match(value.strip()))
    if name in ("width", "height"):
        return value.strip().rstrip("%").replace(".", "", 1).isdigit()
    return True


@pass_context
def markdown2html(context, source: str) -> str:
    """nbconvert's markdown rendering (math kept for MathJax, cell attachments inlined), cleaned."""
    cell = context.get("cell", {})
    renderer = IPythonRenderer(escape=False, attachments=cell.get("attachments", {}))
    return clean_html(MarkdownWithMath(renderer=renderer).render(source))


# Output types nbconvert can render safely once cleaned; everything else (javascript, widget
# state, unknown types) is dropped from the rendered copy (the notebook file is untouched).
SAFE_MIMETYPES = {
    "text/plain",
    "text/html",
    "text/markdown",
    "text/latex",
    "image/png",
    "image/jpeg",
    "image/svg+xml",
}
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def sanitize_output(out) -> None:
    """Make one rich output safe for nbconvert's HTML templates (in place)."""
    if "data" not in out:
        return
    data = {k: v for k, v in out["data"].items() if k in SAFE_MIMETYPES}
    for key in ("image/png", "image/jpeg"):
        if key in data and not (isinstance(data[key], str) and _BASE64.match(data[key])):
            del data[key]
    out["data"] = data
    meta = out.get("metadata") or {}
    safe_meta = {}
    for key in ("image/png", "image/jpeg", "image/svg+xml"):
        sizes = meta.get(key)
        if isinstance(sizes, dict):
            kept = {k: v for k, v in sizes.items() if k in ("width", "height") and _number(v)}
            if kept:
                safe_meta[key] = kept
    out["metadata"] = safe_meta  # no filenames (local paths), no isolated iframes, no alt tricks


class SanitizeOutputs(Preprocessor):
    """HTMLExporter preprocessor: sanitize_output on every output of every code cell."""

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            sanitize_output(out)
        return cell, resources
