"""`python -m course site`: build the course website into one folder, then gate it.

Runs in the instructor's (or CI's) process. Steps: read what was released (meta), draw the
figures with the reference solution (figures), render each release notebook (render), write the
pages with the course's Jinja templates, copy the release .ipynb as the download and MathJax for
the math, then refuse the whole site (gate) if any page or download holds hidden material or a
broken link. The site is written into a fresh temporary folder and moved into place only after
the gates pass, so a refused build never leaves a leaking site behind.
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import jinja2
import nbformat

from ..errors import SiteRefused
from ..nb import Delimiters, load_config
from ..paths import CourseDir
from . import gate, guide
from .figures import attach, solution_figures
from .meta import AssignmentInfo, Notebook, assignments
from .render import TEMPLATES, render_cells, solution_notebook

SETTINGS_FILE = "site.toml"
MARKER = ".course-site"  # in every built site: the only kind of folder a build replaces
FIGURE_CAPTION = (
    "Drawn by the reference solution. In your notebook this figure is drawn with your function."
)


@dataclass(frozen=True)
class Settings:
    hub_url: str | None = None  # JupyterHub base URL; None: Run notebook downloads the .ipynb
    solutions: tuple[str, ...] = ()  # assignments whose solutions page goes up after the due date
    about: tuple[str, ...] = ()  # the home page's paragraphs: what the course teaches, for whom

    def run_link(self, assignment: str, notebook: str, root: str) -> str:
        if self.hub_url:
            return f"{self.hub_url.rstrip('/')}/hub/user-redirect/lab/tree/{quote(assignment)}/{quote(notebook)}.ipynb"
        return f"{root}{quote(assignment)}/{quote(notebook)}.ipynb"

    def lab_link(self) -> str | None:
        return f"{self.hub_url.rstrip('/')}/hub/user-redirect/lab" if self.hub_url else None


def load_settings(course: CourseDir) -> Settings:
    """site.toml beside the course (all keys optional): hub_url = "...", solutions = ["id", ...]."""
    path = course.root / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SiteRefused(f"{path}: {exc}") from None
    unknown = sorted(set(data) - {"hub_url", "solutions", "about"})
    if unknown:
        raise SiteRefused(
            f"{path}: unknown key {unknown[0]!r} (allowed: hub_url, solutions, about)"
        )
    hub = data.get("hub_url") or None
    if hub is not None and not (isinstance(hub, str) and hub.startswith(("http://", "https://"))):
        raise SiteRefused(f"{path}: hub_url must be an http(s) URL, not {hub!r}")
    solutions = data.get("solutions", [])
    if not isinstance(solutions, list) or not all(isinstance(s, str) for s in solutions):
        raise SiteRefused(f"{path}: solutions must be a list of assignment ids")
    about = data.get("about", "")
    if not isinstance(about, str):
        raise SiteRefused(f"{path}: about must be a string (paragraphs between blank lines)")
    paragraphs = tuple(" ".join(p.split()) for p in about.split("\n\n") if p.strip())
    return Settings(hub, tuple(solutions), paragraphs)


@dataclass
class Built:
    out: Path
    pages: list[Path] = field(default_factory=list)
    downloads: list[Path] = field(default_factory=list)
    solutions: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # solutions turned on but not yet due
    no_source: list[str] = field(default_factory=list)  # released, but source/ is gone
    guide: Path | None = None  # the student guide page (docs/student.md), linked from every page

    def summary(self) -> str:
        lines = [
            f"built {self.out / 'index.html'}: {len(self.pages)} page(s), "
            f"{len(self.downloads)} notebook download(s); no hidden material, no broken links"
        ]
        lines += [f"student guide {self.guide.name} (docs/student.md)"] if self.guide else []
        lines += [f"solutions page published for {a} (past its due date)" for a in self.solutions]
        lines += [f"solutions of {a} withheld: not past its due date" for a in self.withheld]
        lines += [
            f"warning: no instructor notebook {p}: its page has no figures, and only the "
            "release's own gate vouches for it"
            for p in self.no_source
        ]
        return "\n".join(lines)


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _solutions_due(info: AssignmentInfo, settings: Settings, now: datetime) -> bool | None:
    """True: publish; False: turned on but not yet due (or no due date known); None: off."""
    if info.id not in settings.solutions:
        return None
    return info.due is not None and now >= info.due


def _notebook_page(env, tmp: Path, info, nb_info: Notebook, nb, ctx: dict, kind: str) -> Path:
    folder = tmp / info.id
    stem = nb_info.name if kind == "notebook" else f"{nb_info.name}-solutions"
    body, files = render_cells(nb, f"{stem}_files", FIGURE_CAPTION)
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    page = folder / f"{stem}.html"
    page.write_text(
        env.get_template("notebook.html.j2").render(
            **ctx, root="../", info=info, nb=nb_info, body=body, kind=kind
        )
    )
    return page


def _guide_page(env, tmp: Path, student_guide: guide.Guide, ctx: dict) -> Path:
    for rel, data in student_guide.files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_bytes(data)
    page = tmp / guide.PAGE
    page.write_text(
        env.get_template("guide.html.j2").render(
            **ctx, root="", guide=student_guide, body=student_guide.body
        )
    )
    return page


def build(
    *,
    course: CourseDir | None = None,
    out: Path | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> Built:
    """Build the site into `out` (default: <course>/site/); raise gate.SiteRefused, leaving any
    previous site in place, if a page or download would publish hidden material."""
    course = course or CourseDir()
    out = Path(out) if out else course.root / "site"
    settings = settings or load_settings(course)
    now = now or datetime.now(UTC)
    course_title, infos = assignments(course)
    unknown = sorted(set(settings.solutions) - {i.id for i in infos})
    if unknown:  # a typo would otherwise keep solutions off forever, silently
        raise SiteRefused(
            f"{course.root / SETTINGS_FILE}: solutions names {unknown[0]!r}, which is not a "
            f"released assignment (released: {', '.join(i.id for i in infos)})"
        )
    config = load_config(course.root)  # the course's nbgrader delimiters, as the release uses
    delimiters = Delimiters.from_config(config)
    env = _env()
    student_guide = guide.render(course)
    ctx = dict(
        course_title=course_title or "Math for LLMs",
        settings=settings,
        built_at=now,
        has_guide=student_guide is not None,
    )
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SiteRefused(f"{out}: not empty and not a course site; the build will not replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".site-", dir=out.parent))
    built, checked = Built(out), []
    try:
        shutil.copytree(TEMPLATES / "static", tmp / "_static")
        (tmp / "_static" / "pygments.css").write_text(_pygments_css())
        _copy_mathjax(tmp / "_static" / "mathjax")
        for info in infos:
            (tmp / info.id).mkdir()
            publish = _solutions_due(info, settings, now)
            if publish is False:
                built.withheld.append(info.id)
            for nb_info in info.notebooks:
                source_nb = course.source_notebook(info.id, nb_info.name)
                solve = publish and source_nb.exists()
                figures = solution_figures(source_nb) if source_nb.exists() else {}
                release = nbformat.read(nb_info.path, as_version=4)
                if figures:
                    attach(release, source_nb, figures)
                page = _notebook_page(env, tmp, info, nb_info, release, ctx, "notebook")
                download = tmp / info.id / nb_info.path.name
                shutil.copyfile(nb_info.path, download)  # the release file itself
                built.pages.append(page)
                built.downloads.append(download)
                checked += [gate.Checked(page, source_nb), gate.Checked(download, source_nb)]
                if solve:  # (the home page links solutions only when every notebook has them)
                    solved = solution_notebook(source_nb, config)
                    attach(solved, source_nb, figures)
                    page = _notebook_page(env, tmp, info, nb_info, solved, ctx, "solutions")
                    built.pages.append(page)
                    checked.append(gate.Checked(page, source_nb, ("hidden tests", "mark scheme")))
            if publish and all(
                course.source_notebook(info.id, n.name).exists() for n in info.notebooks
            ):
                built.solutions.append(info.id)
        home = tmp / "index.html"
        home.write_text(
            env.get_template("home.html.j2").render(
                **ctx, root="", infos=infos, published=set(built.solutions)
            )
        )
        built.pages.insert(0, home)
        if student_guide is not None:
            built.guide = _guide_page(env, tmp, student_guide, ctx)
        # The home page names assignments and topics: check it against every source notebook.
        for info in infos:
            for nb_info in info.notebooks:
                checked.append(gate.Checked(home, course.source_notebook(info.id, nb_info.name)))
        built.no_source = sorted({str(c.source_nb) for c in checked if not c.source_nb.exists()})
        gate.check(tmp, [c for c in checked if c.source_nb.exists()], delimiters)
        (tmp / MARKER).write_text("built by python -m course site; replaced by the next build\n")
        tmp.chmod(0o755)  # mkdtemp makes it private; a static host serves it to everyone
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    built.pages = [out / p.relative_to(tmp) for p in built.pages]
    built.guide = built.guide and out / built.guide.relative_to(tmp)
    built.downloads = [out / p.relative_to(tmp) for p in built.downloads]
    return built


def _pygments_css() -> str:
    """Code colours for light and dark readers, from Pygments' own styles."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark").get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def _copy_mathjax(dest: Path) -> None:
    """MathJax 2.7 from the jupyter-server-mathjax wheel (the copy Jupyter's own tools serve),
    without its 2 MB of translations: math renders with no network at build or view time."""
    import jupyter_server_mathjax

    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(static, dest, ignore=shutil.ignore_patterns("localization"))
