"""X's error responses, shaped as the real API sends them, and the Falcon handlers for them."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import falcon

INVALID_REQUEST_TYPE = "https://api.twitter.com/2/problems/invalid-request"
NOT_FOUND_TYPE = "https://api.twitter.com/2/problems/resource-not-found"
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."


class XProblem(Exception):
    """An error response: ``body`` is JSON (a mapping) or plain text (a string)."""

    def __init__(
        self, status: int, body: Mapping[str, Any] | str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def problem(status: int, detail: str | None = None, title: str | None = None) -> XProblem:
    """The RFC 7807 shape X's v2 API uses for most errors."""
    phrase = HTTPStatus(status).phrase
    body = {
        "title": title or phrase,
        "detail": detail or phrase,
        "type": "about:blank",
        "status": status,
    }
    return XProblem(status, body)


def unauthorized() -> XProblem:
    return problem(401)


def duplicate_content() -> XProblem:
    return problem(403, DUPLICATE_DETAIL)


def too_many_requests(headers: Mapping[str, str]) -> XProblem:
    error = problem(429)
    error.headers.update(headers)
    return error


def invalid_request(parameters: Mapping[str, list[str]], message: str) -> XProblem:
    body = {
        "errors": [{"parameters": dict(parameters), "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID_REQUEST_TYPE,
    }
    return XProblem(400, body)


def tweet_not_found(tweet_id: str) -> XProblem:
    detail = f"Could not find tweet with id: [{tweet_id}]."
    error = {
        "value": tweet_id,
        "detail": detail,
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "id",
        "resource_id": tweet_id,
        "type": NOT_FOUND_TYPE,
    }
    body = {
        "errors": [error],
        "title": "Not Found Error",
        "detail": detail,
        "type": NOT_FOUND_TYPE,
        "status": 404,
    }
    return XProblem(404, body)


def oauth_not_authenticated() -> XProblem:
    """What X's ``/oauth/*`` endpoints answer to a bad consumer key or signature."""
    return XProblem(401, {"errors": [{"code": 32, "message": "Could not authenticate you."}]})


def oauth_refused(message: str) -> XProblem:
    """X's plain-text refusals on ``/oauth/access_token``."""
    return XProblem(401, f"Error processing your OAuth request: {message}")


def handle_x_problem(
    req: falcon.Request, resp: falcon.Response, ex: XProblem, params: dict[str, Any]
) -> None:
    resp.status = ex.status
    if isinstance(ex.body, str):
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = ex.body
    else:
        resp.media = ex.body
    for name, value in ex.headers.items():
        resp.set_header(name, value)


def handle_http_error(
    req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError, params: dict[str, Any]
) -> None:
    """Falcon's own errors (unknown route, wrong method, bad input) in X's problem shape."""
    status = ex.status_code
    handle_x_problem(req, resp, problem(status, ex.description), params)
    for name, value in dict(ex.headers or {}).items():
        resp.set_header(name, value)
