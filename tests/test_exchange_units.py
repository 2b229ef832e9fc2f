"""course.exchange's own functions (the nbgrader commands run in tests/test_nbgrader_cycle.py
and the browser test): a student's configuration and the exchange directory."""

from __future__ import annotations

import json
import runpy
import stat

from course.exchange import ensure_exchange, write_student_config
from course.paths import COURSE_ID


def test_student_config_points_at_the_exchange_and_hides_instructor_tools(tmp_path):
    path = write_student_config(tmp_path / "jupyter", tmp_path / "exchange", "ada")
    config = runpy.run_path(str(path), init_globals={"get_config": _Config})["c"]
    assert config.Exchange.root == str((tmp_path / "exchange").resolve())
    assert config.CourseDirectory.course_id == COURSE_ID
    assert config.CourseDirectory.student_id == "ada"
    server = json.loads((tmp_path / "jupyter" / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.formgrader": False
    }
    page = json.loads((tmp_path / "jupyter" / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True


def test_without_a_student_id_nbgrader_uses_the_login_name(tmp_path):
    path = write_student_config(tmp_path, tmp_path / "exchange")
    assert "CourseDirectory.student_id" not in path.read_text()


def test_exchange_is_created_writable_by_everyone(tmp_path):
    root = ensure_exchange(tmp_path / "exchange")
    assert root.is_dir() and stat.S_IMODE(root.stat().st_mode) == 0o1777  # sticky


class _Section(dict):
    def __getattr__(self, name):
        return self.setdefault(name, _Section())

    def __setattr__(self, name, value):
        self[name] = value


def _Config():  # noqa: N802 - stands in for traitlets' get_config() in the written file
    return _Section()
