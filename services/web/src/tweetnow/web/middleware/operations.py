"""Middleware: what the route table declares of an operation holds before its responder runs.

An operation names who may call it and the body it takes; the same
declaration documents it in /openapi.json. Here the caller is checked (401
without credentials, 403 for an API token where a browser session is needed)
and then the body is read into its struct as ``req.context.body``, in that
order, so a stranger learns nothing from a body's problems. Routes without
declared operations (the pages, sign-in, admin) guard themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

import falcon

from ..api.bodies import read_json
from ..routes import Operation, Route


class DeclaredOperations:
    def __init__(self, routes: Iterable[Route], *, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes
        self.operations: dict[tuple[str, str], Operation] = {
            (route.path, method.upper()): operation
            for route in routes
            for method, operation in route.operations.items()
        }

    def process_resource(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        resource: object,
        params: dict[str, object],
    ) -> None:
        operation = self.operations.get((req.uri_template or "", req.method))
        if operation is None:
            return
        if operation.caller != "anyone" and req.context.user is None:
            raise falcon.HTTPUnauthorized(
                title="Sign in required",
                description="Sign in with X, or send 'Authorization: Bearer <API token>'.",
                challenges=["Bearer"],
            )
        if operation.caller == "session" and req.context.auth != "session":
            raise falcon.HTTPForbidden(
                title="Session required",
                description="API tokens are managed from a signed-in browser session.",
            )
        if operation.body is not None:
            req.context.body = read_json(req, operation.body, max_bytes=self.max_body_bytes)
