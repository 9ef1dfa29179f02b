"""Every error leaves as JSON a person can act on: {"status", "title", "description"}."""

from __future__ import annotations

import falcon

from tweetnow.shared.logs import get_logger

log = get_logger(__name__)


def serialize_error(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
    body = exc.to_dict()
    body["status"] = exc.status_code
    resp.media = body
    resp.content_type = falcon.MEDIA_JSON
    resp.append_header("Vary", "Accept")


def handle_unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params) -> None:
    log.exception("unhandled_error", path=req.path, method=req.method)
    raise falcon.HTTPInternalServerError(
        description="Something went wrong on our side; the request id is in X-Request-ID."
    )


def unprocessable(description: str, *, field: str | None = None) -> falcon.HTTPError:
    return falcon.HTTPUnprocessableEntity(
        title="Invalid request", description=description, code=field
    )


def not_found(what: str) -> falcon.HTTPNotFound:
    return falcon.HTTPNotFound(description=f"No such {what}.")


def handle_database_unavailable(
    req: falcon.Request, resp: falcon.Response, exc: Exception, params
) -> None:
    log.error("database_unavailable", path=req.path, error=str(exc))
    raise falcon.HTTPServiceUnavailable(
        title="Database unavailable",
        description="The database is busy or cannot be reached; nothing was changed. Try again.",
        retry_after=5,
    )
