"""Memo tables for the work IPython and ipykernel do on a cell's *source text* before running
it, filled once in the fork server so that every forked kernel inherits the answers.

Runs in: the fork server (`install` at warm-up, `warm` for each new notebook's instructor
cells) and, inherited through fork(), every kernel it forks.

Why: every graded notebook repeats the same instructor cells (the shared setup and check
cells, ~600 lines, and one test cell per exercise). Before running a cell a kernel tokenizes
it for IPython's input transformers (`TransformerManager.transform_cell`), compiles it once
more only to learn whether it needs an event loop (`_should_be_async`), hashes it in pure
Python for its file name (`ipykernel.compiler.murmur2_x86`) and parses it to an AST
(`CachingCompiler.ast_parse`). Profiled with py-spy over a class of 40 (2026-11-28), the first
three were 5.5 of the kernels' 13.5 CPU seconds, against 2.4 s for running the code itself;
parsing was another ~25 ms of each kernel.

All four are pure functions of the text (given IPython's default transformers and the
compiler's current `__future__` flags, part of the key), so an answer computed in the fork
server is the answer the kernel would compute; nothing a kernel sees or runs changes. A kernel
whose transformers were changed (a notebook may register its own, and then later cells must go
through them) bypasses the table. An AST is handed out once per kernel (IPython's AST
transformers may edit it in place; a second cell with the same text parses afresh) and has no
file name in it; code objects, which carry the kernel's own file names, are never cached.
Student answer cells are not sent here: they differ per student, so an entry would never be
used twice. A notebook can still put text of its own here (a cell given nbgrader metadata), so
whatever fails on a text (a syntax error, a RecursionError on absurdly nested code) leaves that
text out, for its kernel to meet and report as it would anyway.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

# Bounded so that a course with many assignments cannot grow the fork server without limit.
MAX_ENTRIES = 4096
MAX_CHARS = 8 * 2**20

_transformed: dict[str, str] = {}
_needs_loop: dict[str, bool] = {}
_hashes: dict[tuple[str, int], int] = {}
_asts: dict[tuple[str, int], ast.Module] = {}  # (transformed text, compiler flags) -> AST
_chars = [0]
_defaults: tuple | None = None  # IPython's default transformer lists, as object identities
_originals: list = []  # the four functions as IPython and ipykernel define them


def _transforms(manager) -> tuple:
    return (
        tuple(manager.cleanup_transforms),
        tuple(manager.line_transforms),
        tuple(manager.token_transformers),
    )


def install() -> None:
    """Route the four functions through the tables (idempotent; before any kernel exists)."""
    global _defaults
    import ipykernel.compiler as compiler
    from IPython.core import interactiveshell
    from IPython.core.compilerop import CachingCompiler
    from IPython.core.inputtransformer2 import TransformerManager

    if getattr(TransformerManager.transform_cell, "_course_cached", False):
        return
    _defaults = _transforms(TransformerManager())
    transform, needs_loop, murmur, parse = (
        TransformerManager.transform_cell,
        interactiveshell._should_be_async,
        compiler.murmur2_x86,
        CachingCompiler.ast_parse,
    )

    def cached_transform(self, cell: str) -> str:
        hit = _transformed.get(cell)
        if hit is not None and _transforms(self) == _defaults:
            return hit
        return transform(self, cell)

    def cached_needs_loop(cell: str) -> bool:
        hit = _needs_loop.get(cell)
        return needs_loop(cell) if hit is None else hit

    def cached_murmur(data: str, seed: int) -> int:
        hit = _hashes.get((data, seed))
        return murmur(data, seed) if hit is None else hit

    def cached_parse(self, source: str, filename: str = "<unknown>", symbol: str = "exec"):
        hit = _asts.pop((source, self.flags), None) if symbol == "exec" else None
        return parse(self, source, filename, symbol) if hit is None else hit

    cached_transform._course_cached = True  # type: ignore[attr-defined]
    TransformerManager.transform_cell = cached_transform  # type: ignore[method-assign]
    interactiveshell._should_be_async = cached_needs_loop
    compiler.murmur2_x86 = cached_murmur
    CachingCompiler.ast_parse = cached_parse  # type: ignore[method-assign]
    _originals[:] = [transform, needs_loop, murmur, parse]


def warm(sources: Iterable[str]) -> int:
    """Compute and keep the answers for `sources`; returns how many were new."""
    if not _originals:
        return 0
    import ipykernel.compiler as compiler
    from IPython.core.compilerop import CachingCompiler
    from IPython.core.inputtransformer2 import TransformerManager

    transform, needs_loop, murmur, parse = _originals
    manager, seed, added = TransformerManager(), compiler.get_tmp_hash_seed(), 0
    parser = CachingCompiler()  # a fresh kernel's flags: no __future__ imports yet
    for source in sources:
        if source in _transformed or len(_transformed) >= MAX_ENTRIES:
            continue
        if _chars[0] + 2 * len(source) > MAX_CHARS:
            break
        # Any failure (a syntax error, a RecursionError on absurdly nested code) is the
        # kernel's to report when it runs the cell; here the text is only left out.
        try:
            text = transform(manager, source)
            loop, name = needs_loop(text), murmur(source, seed)
        except Exception:  # noqa: BLE001
            continue
        _transformed[source], _needs_loop[text], _hashes[(source, seed)] = text, loop, name
        try:
            _asts[(text, parser.flags)] = parse(parser, text)
        except Exception:  # noqa: BLE001 - SyntaxError, RecursionError, MemoryError...
            pass
        _chars[0] += len(source) + len(text)
        added += 1
    return added
