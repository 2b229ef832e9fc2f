"""Fast checks of the hub's pieces without a hub: roster validation, the generated
configuration, the sanitising filters nbconvert uses, and the ledger's arrival times."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter

from course.hub.ledger import Arrival, Ledger, arrivals, received_at
from course.hub.roster import RosterError, read_roster
from course.hub.sanitize import clean_html
from course.hub.setup import DEMO_AUTH, HubSettings, hub_config
from course.nb import load_config
from course.paths import REPO


def roster(tmp_path, text: str):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return path


def test_roster_reads_people_and_rejects_bad_rows_with_file_and_line(tmp_path):
    ok = roster(tmp_path, "id,name,email,role\nada,Ada L,a@x,student\nian,Ian M,i@x,Instructor\n")
    assert [(p.id, p.role) for p in read_roster(ok)] == [("ada", "student"), ("ian", "instructor")]
    bad = {
        "id,name,email,role\nAda!,A,a@x,student\n": "line 2|not a valid login",
        "id,name,email,role\nada,A,a@x,teacher\n": "role 'teacher'",
        "id,name,email,role\nada,A,a@x,student\nada,B,b@x,ta\n": "3: id 'ada' appears twice",
        "id,name,role\nada,A,student\n": "missing column",
    }
    for text, why in bad.items():
        with pytest.raises(RosterError, match=why.split("|")[-1]) as err:
            read_roster(roster(tmp_path, text))
        assert str(tmp_path / "roster.csv") in str(err.value)
    with pytest.raises(RosterError, match="cannot read"):
        read_roster(tmp_path / "missing.csv")


def _config(**kw) -> dict:
    from course.hub.roster import Person

    people = [Person("ada", "Ada", "", "student"), Person("tia", "Tia", "", "ta"),
              Person("ian", "Ian", "", "instructor")]  # fmt: skip
    ns = {"get_config": lambda: type("C", (), {})()}
    text = hub_config(HubSettings(people=people, **kw))
    return text, ns


def test_hub_config_admits_only_the_roster_unless_demo_mode():
    text, _ = _config()
    assert "c.Authenticator.allowed_users = {" in text and "allow_all" not in text
    assert "'formgrade-math-for-llms': {'users': ['ian', 'tia']}" in text
    assert "'nbgrader-math-for-llms': {'users': ['ada']}" in text
    assert "access:services!service=math-for-llms" in text
    assert "c.JupyterHub.bind_url = 'http://127.0.0.1:8000/'" in text
    demo, _ = _config(auth=DEMO_AUTH)
    assert "c.Authenticator.allow_all = True" in demo and "DEMO MODE" in demo
    compile(text, "jupyterhub_config.py", "exec")


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<form action=/x><input></form>",
    "<a href='javascript:alert(1)'>x</a>",
    "<svg onload=alert(1)>",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "<img src='data:text/html;base64,PHNjcmlwdD4='>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
]


@pytest.mark.parametrize("html", HOSTILE)
def test_clean_html_removes_every_script_vector(html):
    out = clean_html(html)
    assert not re.search(r"<(script|iframe|form|input|svg)|on\w+=|javascript:|data:text", out), out


def test_clean_html_keeps_tables_images_math_code():
    html = (
        "<p>$x^2$</p><table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr>"
        "</tbody></table><img alt='d' src='data:image/png;base64,iVBO'><pre><code>x=1</code></pre>"
    )
    assert clean_html(html) == html.replace("'", '"')


def test_course_config_renders_hostile_notebook_without_scripts():
    config = load_config(REPO)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_markdown_cell("<img src=x onerror=alert(1)>\n\n| a |\n|---|\n| 1 |")
    )
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": "<img src=x onerror=alert(2)>",
                "application/javascript": "alert(3)",
            },
        ),  # fmt: skip
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": "iVBO"},
            metadata={"image/png": {"width": "1 onerror=alert(4)"}},
        ),  # fmt: skip
    ]
    nb.cells.append(cell)
    config.HTMLExporter.template_name = "classic"
    html, _ = HTMLExporter(config=config).from_notebook_node(nb)
    assert not re.search(r"onerror|alert\(3\)|alert\(4\)", html)
    assert "<table>" in html and 'src="data:image/png;base64,iVBO"' in html
    # Control: nbconvert's defaults let the markdown, HTML and javascript ones through.
    plain, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    assert len(re.findall(r"onerror=", plain)) == 2 and "alert(3)" in plain


def test_ledger_keeps_claimed_and_observed_arrival(tmp_path):
    ledger = Ledger(tmp_path)
    a = Arrival("s+a+t1+r", "s", "a", "2026-01-01 00:00:00 UTC", "2026-03-01T10:00:00+00:00",
                "2026-03-01T10:00:01+00:00")  # fmt: skip
    b = Arrival("s+a+t2+r", "s", "a", "2026-03-02 00:00:00 UTC", "2026-03-02T09:00:00+00:00",
                "2026-03-02T09:00:01+00:00")  # fmt: skip
    ledger.arrived(a)
    ledger.arrived(b)
    ledger.done(a.entry, "graded")
    with open(ledger.path, "a") as fh:
        fh.write('{"event": "done", "entry": "s+a+t2')  # a crash mid-line
    got = {x.entry: x.outcome for x in arrivals(tmp_path, "a", "s")}
    assert got == {a.entry: "graded", b.entry: ""}  # b is redone after a restart
    assert received_at(tmp_path, "s", "a").isoformat() == "2026-03-02T09:00:00+00:00"
    assert received_at(tmp_path, "nobody", "a") is None


def test_hub_services_include_the_idle_culler_and_root_ones_write_no_bytecode():
    from course.hub.services import IDLE_TIMEOUT_S, SERVICES

    text, ns = _config()
    exec(compile(text, "jupyterhub_config.py", "exec"), ns | {"get_config": lambda: _Any()})
    services = {s["name"]: s for s in _Any.seen["services"]}
    assert set(services) == {
        "math-for-llms",
        "grade-on-submit",
        "idle-culler",
        "written-math-for-llms",
    }
    assert len(SERVICES) == len(services)  # one function per service: a new one is one line
    culler = services["idle-culler"]
    assert culler["command"][1:] == ["-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT_S}"]
    roles = {r["name"]: r for r in _Any.seen["load_roles"]}
    assert roles["idle-culler"]["services"] == ["idle-culler"]
    assert "delete:servers" in roles["idle-culler"]["scopes"]
    for name in ("grade-on-submit", "idle-culler"):  # run as root, import from the checkout
        assert "user" not in services[name]
        assert services[name]["environment"]["PYTHONDONTWRITEBYTECODE"] == "1"
    import importlib.util

    assert importlib.util.find_spec("jupyterhub_idle_culler"), "pip install -r requirements.txt"


class _Any:
    """Stands in for traitlets' config object: records c.JupyterHub.<name> = value."""

    seen: dict = {}

    def __getattr__(self, name):
        return self

    def __setattr__(self, name, value):
        _Any.seen[name] = value


def test_pages_a_student_reads_never_quote_the_error_or_a_file():
    from course.hub.pages import failed_page, refused_page

    a = Arrival("s+a+t+r", "s", "a", "2026-03-01 09:59:00 UTC", "2026-03-01T10:00:00+00:00",
                "2026-03-01T10:00:01+00:00")  # fmt: skip
    secret = "root:$6$hash-of-root:19000:0:99999:7:::"
    why = f"exercises.ipynb: NotJSONError: Notebook does not appear to be JSON: '{secret}...'"
    page = failed_page(a, why)
    assert "NotJSONError" in page and "not valid notebook JSON" in page
    assert "root:" not in page and "does not appear" not in page
    assert "root:" not in failed_page(a, f"KeyError: {secret}")
    refused = refused_page(a, "it contains a symbolic link: 'exercises.ipynb'")
    assert "symbolic link" in refused and "exercises.ipynb" in refused
    # One submission time, and the student's claim beside it.
    assert "Received 2026-03-01 10:00:00 UTC (your submission says 2026-03-01 09:59:00 UTC)" in page
