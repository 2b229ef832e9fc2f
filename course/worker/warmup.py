"""What the fork server loads before it forks kernels, so each kernel starts warm.

Runs in: the fork server process, once, before it serves requests (its children inherit all of
it). Everything here is only a speed-up: a failure is ignored and the child does the work.
"""

from __future__ import annotations

import os
import sys
import threading

# The kernel sets this itself when unset; setting it before matplotlib is imported makes the
# warm parent resolve the same backend a fresh kernel would.
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
# jupyter_client sets this for every kernel it launches; importing debugpy warns without it.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

# What a notebook of this course imports at the top. Importing matplotlib_inline's backend is
# left to the child: its import-time hook wires figures to the child's own shell.
WARM_MODULES = (
    "numpy",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "pandas",
    "IPython",
    "IPython.core.interactiveshell",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.iostream",
    "jupyter_client.session",
    "zmq",
    "tornado.ioloop",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "PIL.Image",
    "PIL.PngImagePlugin",
    "ipykernel.debugger",
    "sqlite3",
    "pdb",
    "IPython.extensions",
    "http.server",
    "xmlrpc.client",
    "faulthandler",
    "encodings.idna",
    "psutil",
    "runpy",
    "resource",
    # Imported while IPKernelApp builds its shell, before any student code: ~15 ms of every
    # kernel's start when left to the child (cProfile of forked kernels).
    "IPython.core.oinspect",
    "IPython.core.debugger",
    "IPython.core.debugger_backport",
    "IPython.core.completerlib",
    "IPython.core.logger",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
)


def warm_up() -> None:
    import importlib

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    _draw_one_figure()
    _format_one_traceback()
    try:
        from course.worker import sourcecache

        sourcecache.install()
    except ImportError:
        pass
    assert threading.active_count() == 1, "warm-up started a thread; forking would be unsafe"


def _draw_one_figure() -> None:
    """Render a throwaway figure so font files, glyph caches and the PNG writer are loaded
    once here rather than in every child. Agg canvas directly: pyplot's backend stays
    unresolved, for the child's own kernel to pick as a fresh one would."""
    try:
        import io

        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(4, 3), dpi=72)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], label="line")
        ax.scatter([0.5], [0.5])
        ax.imshow([[0, 1], [1, 0]])
        ax.set(title="warm-up $x^2$", xlabel="x", ylabel="y")
        ax.legend()
        fig.colorbar(ax.images[0])
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    except Exception:  # noqa: BLE001 - only a speed-up
        pass


def _format_one_traceback() -> None:
    """Format one traceback the way a kernel does, so every child inherits the work.

    Most graded notebooks raise (stubs, failed checks). The first traceback a process formats
    costs ~40 ms more than later ones: stack_data highlights source with a pygments lexer class
    it rebuilds per call, whose ~90 regexes only hit `re`'s cache once compiled somewhere.
    The source must be in linecache, or nothing gets highlighted and nothing is warmed."""
    try:
        import linecache

        from IPython.core import ultratb
        from IPython.core.interactiveshell import InteractiveShell

        name, src = (
            "<course-warm-up>",
            "def _warm_up():\n    raise ValueError('warm-up')\n_warm_up()\n",
        )
        linecache.cache[name] = (len(src), None, src.splitlines(True), name)
        try:
            exec(compile(src, name, "exec"), {})  # noqa: S102 - our own constant source
        except ValueError:
            ultratb.AutoFormattedTB(
                mode="Context", theme_name=InteractiveShell.colors.default_value
            ).structured_traceback(*sys.exc_info())
        finally:
            linecache.cache.pop(name, None)
    except Exception:  # noqa: BLE001 - only a speed-up
        pass
