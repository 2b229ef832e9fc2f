"""The course site carries the student guide (docs/student.md) and links it from every page."""

import shutil

import pytest

from course.paths import REPO, CourseDir, new_course
from course.site import build
from course.site.build import Settings
from course.site.guide import render


def test_guide_rendered_with_links_into_the_docs_dropped_and_pictures_copied(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "shot.png").write_bytes(b"\x89PNG picture")
    (tmp_path / "secret.png").write_bytes(b"outside docs/")
    (docs / "student.md").write_text(
        "# Student guide\n\nSee the [API reference](api.md#numeric-checks) and [Work](#work).\n\n"
        "![a shot](shot.png) ![outside](../secret.png)\n\n## Work\n\nText.\n"
    )
    guide = render(CourseDir(tmp_path))
    assert guide is not None and guide.title == "Student guide"
    assert "See the API reference and" in guide.body and "api.md" not in guide.body
    assert 'href="#Work"' in guide.body and 'id="Work"' in guide.body
    assert 'src="_static/guide/shot.png"' in guide.body
    assert guide.files == {"_static/guide/shot.png": b"\x89PNG picture"}
    assert 'src="../secret.png"' in guide.body  # not copied: the link gate refuses it


def test_no_guide_without_docs(tmp_path):
    assert render(CourseDir(tmp_path)) is None


@pytest.mark.slow
def test_every_page_of_the_built_site_links_the_guide(tmp_path):
    course = new_course(tmp_path / "course")
    (course.root / "docs").mkdir()
    for name in ("student.md", "student-notebook.png"):
        shutil.copy(REPO / "docs" / name, course.root / "docs" / name)
    site = build(course=course, out=course.root / "site", settings=Settings())
    assert site.guide == site.out / "guide.html"
    text = site.guide.read_text()
    assert "Nbgrader → Assignment List" in text and "_static/guide/student-notebook.png" in text
    assert (site.out / "_static/guide/student-notebook.png").read_bytes()[:4] == b"\x89PNG"
    for page in site.pages:
        root = "../" if page.parent != site.out else ""
        assert f'href="{root}guide.html">Student guide</a>' in page.read_text(), page
    assert "student guide guide.html" in site.summary()
