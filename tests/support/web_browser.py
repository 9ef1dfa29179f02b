"""A signed-in browser against the in-process web app, and what every page must hold to."""

from __future__ import annotations

import re
from collections.abc import Mapping

import falcon
import falcon.testing

from tweetnow.shared.models import User
from tweetnow.web.deps import WebDeps
from tweetnow.web.sessions import CSRF_COOKIE, SessionManager

#: The Cache-Control of a static file under its content-hashed name.
IMMUTABLE = "public, max-age=31536000, immutable"


class _StartSession:
    def __init__(self, sessions: SessionManager, user: User) -> None:
        self.sessions, self.user = sessions, user

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.sessions.start(resp, self.user)


def session_cookies(deps: WebDeps, user: User) -> dict[str, str]:
    """A signed-in browser's cookies, made by the real session manager."""
    app = falcon.App()
    app.add_route("/start", _StartSession(SessionManager(deps.settings), user))
    result = falcon.testing.TestClient(app).simulate_get("/start")
    return {name: cookie.value for name, cookie in result.cookies.items()}


class Browser:
    """A signed-in browser: its cookies go along, and its CSRF token when asked."""

    def __init__(self, client: falcon.testing.TestClient, cookies: dict[str, str]) -> None:
        self.client, self.cookies = client, cookies

    @property
    def csrf(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.cookies[CSRF_COOKIE]}

    def get(self, path: str, **kwargs: object) -> falcon.testing.Result:
        return self.client.simulate_get(path, cookies=self.cookies, **kwargs)

    def post(self, path: str, **kwargs: object) -> falcon.testing.Result:
        return self.client.simulate_post(path, cookies=self.cookies, **kwargs)

    def patch(self, path: str, **kwargs: object) -> falcon.testing.Result:
        return self.client.simulate_patch(path, cookies=self.cookies, **kwargs)


def assert_security_headers(headers: Mapping[str, str]) -> None:
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def assert_no_inline_script_or_style(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.search(r'\bsrc="/static/[^"]+\.js"', tag), tag
    assert not re.search(r"<script\b[^>]*>[^<]+</script>", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
