"""The page a person sees when signing in with X cannot go on: what happened, and a way on.

Sign-in is a browser's trip to X and back; a JSON error there would leave a
person on a page of braces. A client that ranks JSON above HTML (or asks for
anything) still gets the JSON error every other route gives, with the same status.
"""

from __future__ import annotations

from typing import Any

import falcon

from .page_context import base_context, send_html
from .templating import PageTemplates


def wants_a_page(req: falcon.Request) -> bool:
    """A browser: it ranks HTML above JSON (API clients ask for JSON, or for anything)."""
    return req.client_prefers((falcon.MEDIA_JSON, "text/html")) == "text/html"


class SignInProblemPage:
    def __init__(self, templates: PageTemplates) -> None:
        self.templates = templates

    def handle(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        exc: falcon.HTTPError,
        params: dict[str, Any],
    ) -> None:
        """Error handler for sign-in problems: the page for a browser, else JSON as usual."""
        if not wants_a_page(req):
            raise exc
        html = self.templates.render(
            "signin_problem.html",
            title=exc.title,
            description=exc.description,
            **base_context(req, "signin"),
        )
        send_html(resp, html)
        resp.status = exc.status
