"""`python -m course site --serve`: preview the built site on http://127.0.0.1:PORT/.

Runs in the instructor's process until Ctrl-C. Python's own http.server, bound to 127.0.0.1 only
(a preview, not a deployment: any static host serves the folder as it is). `.ipynb` is served as
a download (application/x-ipynb+json), as a static host with Jupyter's MIME type would.
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".ipynb": "application/x-ipynb+json",
    }

    def log_message(self, format, *args):  # quiet: the preview is for looking, not logging
        pass


def server(site: Path, port: int = 8800) -> ThreadingHTTPServer:
    """A started-on-demand server for `site` (call serve_forever; port 0 picks a free one)."""
    handler = functools.partial(_Handler, directory=str(site))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)
