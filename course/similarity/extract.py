"""What each student wrote: the answer cells of a submission, with the release's lines blanked.

Runs in: the CLI process. A *part* is what one student wrote for one exercise, of one kind:
"code" (the exercise's answer cells, nbgrader solution code cells) or "text" (its written
answers, solution markdown cells). Cells are matched to the release by nbgrader's grade_id, so
moved or duplicated cells change nothing.

Only the student's own lines count. Every line that is also in the release's version of the
cell (the `def` line, the docstring, `# YOUR CODE HERE`, the stub's raise, "YOUR ANSWER HERE")
is blanked, and so are docstrings the student added (Pygments' String.Doc). Blanking replaces
characters with spaces instead of deleting them, so an offset in `own` is the same offset in
`text`: the report highlights the submitted cell itself. The course's helper cells are not
answer cells and so never enter a part; a student who pastes them into an answer is caught by
the boilerplate fingerprints (course.similarity.fingerprint), which hold every release cell.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from pygments import lexers, token

from course.nb import exercise_key, grade_id, is_answer_cell, is_written_answer

from .nofollow import list_dirs, read_bytes

CODE, TEXT = "code", "text"
_CELL_GAP = "\n\n"  # between two cells of one part (several notebooks, duplicated ids)


@dataclass(frozen=True)
class ReleaseCell:
    notebook: str
    gid: str
    kind: str  # CODE or TEXT
    source: str

    @property
    def part(self) -> tuple[str, str]:
        return (exercise_key(self.gid) or self.gid, self.kind)


@dataclass
class Part:
    """One student's answer to one exercise: the cells as submitted, and their own characters."""

    text: str = ""
    own: str = ""

    def add(self, source: str, own: str) -> None:
        if self.text:
            self.text, self.own = self.text + _CELL_GAP, self.own + " " * len(_CELL_GAP)
        self.text, self.own = self.text + source, self.own + own


@dataclass
class Subject:
    """A submission: a student of this term, or of a past one (name "term/student")."""

    name: str
    past: bool = False
    parts: dict[tuple[str, str], Part] = field(default_factory=dict)


def release_cells(release_dir: Path, notebooks: tuple[str, ...]) -> list[ReleaseCell]:
    """The answer cells of the release (the instructor's files, trusted), in notebook order."""
    cells = []
    for name in notebooks:
        nb = nbformat.read(release_dir / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            kind = CODE if is_answer_cell(cell) else TEXT if is_written_answer(cell) else None
            if kind and grade_id(cell):
                cells.append(ReleaseCell(name, str(grade_id(cell)), kind, cell.source))
    return cells


def own_lines(source: str, release: str, kind: str) -> str:
    """`source` with the release's lines (and code docstrings) blanked; same length."""
    stub = Counter(ln.strip() for ln in release.split("\n") if ln.strip())
    kept = []
    for line in source.split("\n"):
        key = line.strip()
        if key and stub[key] > 0:
            stub[key] -= 1
            kept.append(" " * len(line))
        else:
            kept.append(line)
    own = "\n".join(kept)
    return _blank_docstrings(own) if kind == CODE else own


_PYTHON = lexers.get_lexer_by_name("python")


def _blank_docstrings(code: str) -> str:
    chars = list(code)
    for start, kind, value in _PYTHON.get_tokens_unprocessed(code):
        if kind in token.String.Doc:
            for i in range(start, start + len(value)):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


def read_subject(
    base: Path, folder: tuple[str, ...], name: str, cells: list[ReleaseCell], past: bool = False
) -> Subject:
    """The parts of one submission folder base/folder/<notebook>.ipynb...

    Raises OSError (a link, a FIFO, too large) or ValueError (not a notebook) naming the file."""
    subject = Subject(name, past)
    by_id: dict[tuple[str, str], ReleaseCell] = {(c.notebook, c.gid): c for c in cells}
    for notebook in sorted({c.notebook for c in cells}):
        try:
            raw = read_bytes(base, *folder, f"{notebook}.ipynb")
        except FileNotFoundError:
            continue  # a notebook left out of a multi-notebook assignment
        try:
            nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
            first = (str(exc).strip().splitlines() or [""])[0][:160]
            raise ValueError(f"not a readable notebook: {type(exc).__name__}: {first}") from None
        for cell in nb.get("cells", []):
            gid = _grade_id(cell)
            rc = by_id.get((notebook, gid)) if gid else None
            source = cell.get("source", "")
            if rc is None or not isinstance(source, str):
                continue
            if cell.get("cell_type") != ("code" if rc.kind == CODE else "markdown"):
                continue
            subject.parts.setdefault(rc.part, Part()).add(
                source, own_lines(source, rc.source, rc.kind)
            )
    return subject


def _grade_id(cell) -> str | None:
    """The cell's grade_id if its metadata has the expected shape (a student can write any JSON)."""
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
    return gid if isinstance(gid, str) else None


def term_folders(against: Path) -> list[tuple[str, Path]]:
    """(term, its submitted/ folder) under `against`: a term folder (with submitted/), a folder
    of them (what `python -m course archive` writes), or a bare submitted/ folder."""
    if "submitted" in list_dirs(against):
        return [(against.resolve().name, against / "submitted")]
    terms = [(t, against / t / "submitted") for t in list_dirs(against)]
    terms = [(t, s) for t, s in terms if "submitted" in list_dirs(s.parent)]
    return terms or [(against.resolve().name, against)]
