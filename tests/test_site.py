"""The course site (course/site): pages from the release only, the leak gate, links, solutions.

The gate and settings tests are fast (no kernel). The build tests share one scratch course and
build it a few times; the reference run that draws the figures (~4 s CPU) is cached after the first.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import nbformat
import pytest

from course.paths import CourseDir, new_course
from course.site import Settings, SiteRefused, build, gate, load_settings, meta

ASSIGNMENT = "embedding_space_math"
SOLUTION_LINE = "return np.asarray(E)[np.asarray(ids)]"  # ex01_embed's solution
HIDDEN_TEST_LINE = "E_h = rng.normal(size=(7, 5))"  # ex01_embed_tests' hidden tests
MARK_SCHEME_WORDS = "0 points: only restates the shape."  # ex01_explain's mark scheme


def _gid(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


# --- the gate on its own (fast) -------------------------------------------------------------


def _page(tmp_path, body: str):
    site = tmp_path / "site"
    (site / ASSIGNMENT).mkdir(parents=True)
    page = site / ASSIGNMENT / "exercises.html"
    page.write_text(f"<html>\n<body>\n{body}\n</body>\n</html>\n")
    return site, page


def test_gate_names_the_page_and_line_of_a_solution_line(tmp_path):
    # As the highlighter writes code: spans around every token, entities for quotes.
    site, page = _page(
        tmp_path,
        '<pre><span class="k">return</span> <span class="n">np</span>.asarray(E)[np.asarray(ids)]</pre>',
    )
    with pytest.raises(SiteRefused, match=rf"{ASSIGNMENT}/exercises.html:3: ex01_embed:"):
        gate.check(site, [gate.Checked(page, CourseDir().source_notebook())])


def test_gate_finds_hidden_tests_and_mark_schemes_in_rendered_markdown(tmp_path):
    site, page = _page(
        tmp_path,
        "<p>intro</p>\n<p>1 point: says the lookup is a gather/indexing (no multiply, cost "
        "independent of V) <strong>and</strong> relates the (B, T, d) activation size to "
        "batch/context length (memory grows with B·T·d). 0 points: only restates the shape.</p>",
    )
    with pytest.raises(SiteRefused, match=r"exercises.html:4: ex01_explain:"):
        gate.check(site, [gate.Checked(page, CourseDir().source_notebook())])
    page.write_text(
        f'<img alt="{HIDDEN_TEST_LINE}" src="x.png">\n'
    )  # an attribute is published too
    with pytest.raises(SiteRefused, match=r"exercises.html:1: ex01_embed_tests:"):
        gate.check(site, [gate.Checked(page, CourseDir().source_notebook(), ("hidden tests",))])


def test_gate_passes_a_page_of_student_material(tmp_path):
    release = nbformat.read(CourseDir().release_notebook(), as_version=4)
    body = "\n".join(f"<pre>{c.source}</pre>" for c in release.cells)
    site, page = _page(tmp_path, body)
    gate.check(site, [gate.Checked(page, CourseDir().source_notebook())])


def test_gate_refuses_broken_links_and_anything_loaded_from_the_web(tmp_path):
    site, page = _page(tmp_path, '<a href="../index.html">home</a>')
    with pytest.raises(SiteRefused, match=r"exercises.html:3: broken link ../index.html"):
        gate.check(site, [])
    (site / "index.html").write_text('<a href="https://nbgrader.readthedocs.io">docs</a>\n')
    gate.check(site, [])  # an outside link a reader may follow is fine
    page.write_text('<script src="https://cdn.example.org/mathjax.js"></script>\n')
    with pytest.raises(SiteRefused, match=r"exercises.html:1: loads https://cdn"):
        gate.check(site, [])


# --- settings (fast) -------------------------------------------------------------------------


def test_settings_from_site_toml_and_one_line_errors(tmp_path):
    course = CourseDir(tmp_path)
    assert load_settings(course) == Settings()
    (tmp_path / "site.toml").write_text(
        'hub_url = "http://127.0.0.1:8000/"\nsolutions = ["a"]\nabout = "One.\\n\\nTwo\\nlines."\n'
    )
    s = load_settings(course)
    assert (s.hub_url, s.solutions, s.about) == (
        "http://127.0.0.1:8000/",
        ("a",),
        ("One.", "Two lines."),
    )
    assert s.run_link("a b", "exercises", "../") == (
        "http://127.0.0.1:8000/hub/user-redirect/lab/tree/a%20b/exercises.ipynb"
    )
    assert Settings().run_link("a", "exercises", "../") == "../a/exercises.ipynb"
    for text, reason in [
        ('hub_url = "127.0.0.1:8000"', "hub_url must be an http"),
        ("solutions = 'a'", "solutions must be a list"),
        ("theme = 1", "unknown key 'theme'"),
        ("hub_url = ", "site.toml: "),
    ]:
        (tmp_path / "site.toml").write_text(text + "\n")
        with pytest.raises(SiteRefused, match=reason) as err:
            load_settings(course)
        assert "\n" not in str(err.value)


def test_the_committed_site_toml_loads():
    load_settings(CourseDir())


# --- whole builds (one scratch course) -------------------------------------------------------


# Builds below run the instructor notebook once for its figures (cached afterwards).
slow = pytest.mark.slow


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course with three assignments: the second has two notebooks, the third has no
    source/ any more (its page is built, without figures, and the build says so)."""
    c = new_course(tmp_path_factory.mktemp("site") / "course")
    for step in (c.source, c.release):
        shutil.copytree(step / ASSIGNMENT, step / "second_assignment")
        shutil.copy(
            step / "second_assignment" / "exercises.ipynb",
            step / "second_assignment" / "practice.ipynb",
        )
    shutil.copytree(c.release / ASSIGNMENT, c.release / "release_only")  # its source/ is gone
    return c


@pytest.fixture(scope="module")
def site(course):
    return build(course=course, out=course.root / "site", settings=Settings())


@slow
def test_pages_for_every_assignment_and_notebook(course, site):
    out = site.out
    released = {f"{p.parent.name}/{p.stem}.html" for p in course.release.glob("*/*.ipynb")}
    assert {"second_assignment/practice.html", "release_only/exercises.html"} <= released
    assert sorted(p.relative_to(out).as_posix() for p in site.pages) == sorted(
        ["index.html", *released]
    )
    home = (out / "index.html").read_text()
    assert "Embedding Space Math" in home and "20 autograded + 10 written points" in home
    assert "Cosine similarity · Analogy arithmetic" in home
    for nb in ("exercises", "practice"):
        assert f'href="second_assignment/{nb}.html"' in home
    assert "warning: no instructor notebook" in site.summary() and "release_only" in site.summary()
    assert "site-figure" not in (out / "release_only" / "exercises.html").read_text()


@slow
def test_assignment_page_reads_like_the_web_export(site):
    page = (site.out / ASSIGNMENT / "exercises.html").read_text()
    assert 'Math for LLMs</a> <span aria-hidden="true">/</span>' in page
    assert '<span aria-current="page">Embedding Space Math</span>' in page
    assert "Converted from exercises.ipynb for web reading." in page
    assert "Code cell 2" in page and "Exercise 10: Parameter count" in page
    # the worked example of a test cell, as students get it
    assert "B x T ids become B x T x d vectors" in page
    assert page.count('<figure class="site-figure">') == 5
    assert 'id="run-notebook" href="../embedding_space_math/exercises.ipynb" download' in page
    assert "MathJax.js" in page and "cdn" not in page.lower()


@slow
def test_no_solution_text_and_the_download_is_the_release_itself(course, site):
    source = course.source_notebook(ASSIGNMENT).read_text()
    for hidden in (SOLUTION_LINE, HIDDEN_TEST_LINE, MARK_SCHEME_WORDS):  # not vacuous
        assert hidden in source, hidden
    for page in site.pages:
        text = page.read_text()
        for hidden in (SOLUTION_LINE, HIDDEN_TEST_LINE, MARK_SCHEME_WORDS, "BEGIN SOLUTION"):
            assert hidden not in text, (page, hidden)
    for assignment, nb in [(ASSIGNMENT, "exercises"), ("second_assignment", "practice")]:
        download = site.out / assignment / f"{nb}.ipynb"
        assert download.read_bytes() == course.release_notebook(assignment, nb).read_bytes()
    figures = sorted((site.out / ASSIGNMENT / "exercises_files").glob("*.png"))
    assert len(figures) == 5 and all(f.read_bytes()[:4] == b"\x89PNG" for f in figures)


@slow
def test_never_replaces_a_folder_that_is_not_a_site(course, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    with pytest.raises(SiteRefused, match="notes: not empty and not a course site"):
        build(course=course, out=tmp_path / "notes", settings=Settings())
    assert (tmp_path / "notes" / "mine.txt").read_text() == "keep me"


@slow
def test_hub_mode_links_into_the_students_jupyterlab(course, tmp_path):
    built = build(
        course=course, out=tmp_path / "hub-site", settings=Settings(hub_url="http://127.0.0.1:8000")
    )
    page = (built.out / ASSIGNMENT / "exercises.html").read_text()
    assert (
        'id="run-notebook" href="http://127.0.0.1:8000/hub/user-redirect/lab/tree/'
        f'{ASSIGNMENT}/exercises.ipynb"'
    ) in page
    assert 'href="http://127.0.0.1:8000/hub/user-redirect/lab"' in page


@slow
def test_a_planted_solution_line_refuses_the_build_and_keeps_the_old_site(course, site):
    before = (site.out / "index.html").read_text()
    release_nb = course.release_notebook(ASSIGNMENT)
    original = release_nb.read_bytes()
    nb = nbformat.read(release_nb, as_version=4)
    nb.cells[3].source += f"\n\nHint: `{SOLUTION_LINE}`"
    nbformat.write(nb, release_nb)
    try:
        with pytest.raises(SiteRefused) as err:
            build(course=course, out=site.out, settings=Settings())
    finally:
        release_nb.write_bytes(original)
    message = str(err.value)
    assert f"{ASSIGNMENT}/exercises.html:" in message and "ex01_embed:" in message
    assert f"{ASSIGNMENT}/exercises.ipynb cell 4: ex01_embed:" in message
    assert (site.out / "index.html").read_text() == before
    assert not list(site.out.parent.glob(".site-*"))


@slow
def test_solutions_page_only_when_turned_on_and_past_due(course, tmp_path, monkeypatch):
    due = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)
    real = meta._course_toml
    monkeypatch.setattr(
        meta,
        "_course_toml",
        lambda c: ("Math for LLMs", {ASSIGNMENT: ("Embedding Space Math", due)}),
    )
    with pytest.raises(SiteRefused, match="solutions names 'embeding_space_math', which is not"):
        build(
            course=course,
            out=tmp_path / "typo",
            settings=Settings(solutions=("embeding_space_math",)),
        )
    on = Settings(solutions=(ASSIGNMENT,))
    early = build(
        course=course, out=tmp_path / "early", settings=on, now=due - timedelta(minutes=1)
    )
    assert early.withheld == [ASSIGNMENT] and not early.solutions
    assert not (early.out / ASSIGNMENT / "exercises-solutions.html").exists()
    off = build(
        course=course, out=tmp_path / "off", settings=Settings(), now=due + timedelta(days=1)
    )
    assert not off.solutions and not off.withheld

    late = build(course=course, out=tmp_path / "late", settings=on, now=due + timedelta(minutes=1))
    assert late.solutions == [ASSIGNMENT]
    page = (late.out / ASSIGNMENT / "exercises-solutions.html").read_text()
    assert "np.asarray(E)[np.asarray(ids)]" in page.replace('<span class="p">', "").replace(
        "</span>", ""
    ).replace('<span class="n">', "").replace('<span class="o">', "")
    assert "<strong>Model answer.</strong> The embedding layer does no arithmetic" in page
    source = nbformat.read(course.source_notebook(ASSIGNMENT), as_version=4)
    n = 1 + next(i for i, c in enumerate(source.cells) if _gid(c) == "ex01_embed")
    assert f'Code cell {n} <span class="cell-role">· reference solution</span>' in page
    assert "rng.normal" not in page and "0 points:" not in page and "SOLUTION" not in page
    assert (
        'href="embedding_space_math/exercises-solutions.html"'
        in (late.out / "index.html").read_text()
    )
    assert "due <time" in (late.out / "index.html").read_text()
    monkeypatch.setattr(meta, "_course_toml", real)


@slow
def test_a_reference_run_that_fails_refuses_the_build_in_one_line(tmp_path):
    course = new_course(tmp_path / "course")
    path = course.source_notebook(ASSIGNMENT)
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if _gid(c) == "ex03_figure")
    cell.source = 'raise ValueError("the figure broke")'
    nbformat.write(nb, path)
    with pytest.raises(SiteRefused, match=r"exercises.ipynb: the reference solution failed") as err:
        build(course=course, out=tmp_path / "site", settings=Settings())
    assert str(err.value).endswith("ValueError: the figure broke") or "the figure broke" in str(
        err.value
    )
    assert not (tmp_path / "site").exists()


@slow
def test_backprop_math_has_its_page_with_figures_and_nothing_hidden(course, site):
    """Issue 20: the third assignment's page, its six figures drawn by the reference solution."""
    home = (site.out / "index.html").read_text()
    assert 'href="backprop_math/exercises.html"' in home and "Backprop Math" in home
    page = (site.out / "backprop_math" / "exercises.html").read_text()
    assert "Exercise 9: Attention backward" in page and "grad_check(" in page
    assert page.count('<figure class="site-figure">') == 6
    source = course.source_notebook("backprop_math").read_text()
    for hidden in ("np.add.at(dE, ids.reshape(-1), dX.reshape(-1, d))", "=== BEGIN MARK SCHEME"):
        assert hidden in source and hidden not in page, hidden
