"""The written-grading web app (tornado, Jinja2 templates, our own script; no CDN).

Runs in: `python -m course written --serve`, locally for one instructor (a random token in the
printed URL, bound to 127.0.0.1), or under the course hub as a managed service for the
formgrader role (`--hub`: JupyterHub's HubOAuth; the hub admits only users whose roles grant
access:services!service=<this service>, so students get 403).

Every page is sent with a Content-Security-Policy that allows scripts from this app only (no
inline script), and answers reach the page as JSON put into text nodes (never as HTML), so a
student's HTML, Markdown link or math is shown as the text it is. The instructor's prompt and
mark scheme are Markdown rendered through the course's sanitiser (course.hub.sanitize).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from tornado import web

from course.paths import CourseDir
from course.written import api

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
)
MAX_COMMENT = 5000  # characters of a free comment
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())


def markdown(text: str) -> str:
    """Instructor Markdown through nbconvert's renderer and the course's HTML allowlist."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    from course.hub.sanitize import clean_html

    return clean_html(MarkdownWithMath(renderer=IPythonRenderer(escape=True)).render(text or ""))


class Base(web.RequestHandler):
    @property
    def course(self) -> CourseDir:
        return self.settings["course"]

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("Cache-Control", "no-store")

    def user(self) -> str:
        u = self.current_user
        return u["name"] if isinstance(u, dict) else str(u)

    def render_page(self, name: str, **kw) -> None:
        page = _env.get_template(name).render(
            prefix=self.settings["prefix"], xsrf=self.xsrf_token.decode(), user=self.user(), **kw
        )
        self.write(page)

    def body(self) -> dict:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            raise web.HTTPError(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise web.HTTPError(400, "the body is not a JSON object")
        return data

    def reply(self, fn, *args, **kw) -> None:
        try:
            self.write(json.dumps(fn(*args, **kw)))
        except (KeyError, ValueError) as exc:
            self.set_status(400)
            self.write(json.dumps({"error": str(exc).strip("'\"")}))


class Index(Base):
    @web.authenticated
    def get(self) -> None:
        rows = []
        for a in sorted(p.name for p in self.course.source.iterdir() if p.is_dir()):
            for q in api.questions(self.course, a):
                rows.append({"assignment": a, "grade_id": q.grade_id, "points": q.points})
        self.render_page("written_index.html", rows=rows)


class Question(Base):
    @web.authenticated
    def get(self, assignment: str, gid: str) -> None:
        try:
            q = api.ans.question(self.course, assignment, gid)
        except (KeyError, FileNotFoundError):
            raise web.HTTPError(404) from None
        self.render_page("written_question.html", q=q, prompt=markdown(q.prompt),
                         scheme=markdown(q.scheme), solution=markdown(q.solution))  # fmt: skip


class State(Base):
    @web.authenticated
    def get(self, assignment: str, gid: str) -> None:
        self.reply(api.open_question, self.course, assignment, gid)


class Apply(Base):
    @web.authenticated
    def post(self, assignment: str, gid: str) -> None:
        b = self.body()
        try:
            score = None if b.get("score") is None else float(b["score"])
            students = [str(s) for s in b.get("students", [])]
            expect, restore = dict(b.get("expect") or {}), b.get("restore")
            free = None if b.get("free") is None else str(b["free"])[:MAX_COMMENT]
            item = None if b.get("item") is None else str(b["item"])
            if restore is not None and not all(isinstance(v, dict) for v in dict(restore).values()):
                raise ValueError
        except (TypeError, ValueError):
            raise web.HTTPError(400, "malformed change") from None
        self.reply(api.apply, self.course, assignment, gid, self.user(), students, expect,
                   item=item, free=free, score=score, clear=bool(b.get("clear")),
                   restore=restore)  # fmt: skip


class Groups(Base):
    @web.authenticated
    def post(self, assignment: str, gid: str) -> None:
        b = self.body()
        self.reply(api.edit_groups, self.course, assignment, gid, str(b.get("op")),
                   list(b.get("students", [])), b.get("target"))  # fmt: skip


class Rubric(Base):
    @web.authenticated
    def post(self, assignment: str, gid: str) -> None:
        self.reply(
            api.edit_rubric, self.course, assignment, gid, list(self.body().get("items", []))
        )


class Share(Base):
    @web.authenticated
    def post(self, assignment: str, gid: str) -> None:
        b = self.body()
        graders = [g.strip() for g in b.get("graders", []) if str(g).strip()]
        self.reply(api.share, self.course, assignment, gid, graders, str(b.get("by", "groups")))


class LocalAuth(Base):
    """One instructor on this machine: the token from the printed URL, then a signed cookie."""

    def get_current_user(self):
        token = self.get_argument("token", None)
        if token and secrets.compare_digest(token, self.settings["token"]):
            self.set_signed_cookie("written-user", self.settings["local_user"], httponly=True)
            return self.settings["local_user"]
        raw = self.get_signed_cookie("written-user")
        return raw.decode() if raw else None

    def get_login_url(self) -> str:
        raise web.HTTPError(403, "open the URL printed by `python -m course written --serve`")


def _handlers(prefix: str, mixin: type) -> list:
    q = r"([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)"  # ids as nbgrader names them; no dots, no ".."

    def h(cls):
        return type(cls.__name__, (mixin, cls), {})

    return [
        (prefix, h(Index)),
        (prefix + rf"q/{q}", h(Question)),
        (prefix + rf"api/q/{q}", h(State)),
        (prefix + rf"api/q/{q}/apply", h(Apply)),
        (prefix + rf"api/q/{q}/groups", h(Groups)),
        (prefix + rf"api/q/{q}/rubric", h(Rubric)),
        (prefix + rf"api/q/{q}/share", h(Share)),
    ]


def make_app(
    course: CourseDir, hub: bool = False, token: str = "", user: str = ""
) -> web.Application:
    settings: dict[str, Any] = dict(
        course=course,
        cookie_secret=secrets.token_bytes(32),
        xsrf_cookies=True,
        static_path=str(HERE / "static"),
    )
    if hub:
        from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated

        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/written/")
        settings["static_url_prefix"] = prefix + "static/"
        handlers = _handlers(prefix, HubOAuthenticated)
        handlers.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    else:
        prefix = "/"
        settings.update(token=token, local_user=user)
        handlers = _handlers(prefix, LocalAuth)
    settings["prefix"] = prefix
    return web.Application(handlers, **settings)
