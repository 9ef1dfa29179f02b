"""Every error leaves as JSON a person can act on: {"status", "title", "description"}.

Domain errors become their HTTP answer here, and only here: the status, the
title, the description and headers such as Retry-After.
"""

from __future__ import annotations

from typing import Any

import falcon

from tweetnow.shared.logs import get_logger

from .domain.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotAuthenticated,
    NotFound,
    TooLarge,
    TooMany,
    Unsupported,
)

log = get_logger(__name__)


def serialize_error(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
    body = exc.to_dict()
    body["status"] = exc.status_code
    resp.media = body
    resp.content_type = falcon.MEDIA_JSON
    resp.append_header("Vary", "Accept")


def http_error(exc: DomainError) -> falcon.HTTPError:
    """The HTTP answer to a domain error."""
    match exc:
        case Invalid():
            return falcon.HTTPUnprocessableEntity(
                title="Invalid request", description=exc.description, code=exc.field
            )
        case NotAuthenticated():
            return falcon.HTTPUnauthorized(
                title="Bad credentials", description=exc.description, challenges=["Bearer"]
            )
        case NotFound():
            return falcon.HTTPNotFound(description=exc.description)
        case Conflict():
            return falcon.HTTPConflict(title=exc.title, description=exc.description)
        case TooLarge():
            return falcon.HTTPContentTooLarge(title="Too large", description=exc.description)
        case Unsupported():
            return falcon.HTTPUnsupportedMediaType(
                title="Unsupported type", description=exc.description
            )
        case TooMany():
            return falcon.HTTPTooManyRequests(
                title=exc.title, description=exc.description, retry_after=exc.retry_after
            )
    raise TypeError(f"no HTTP answer for {type(exc).__name__}")


def handle_domain_error(
    req: falcon.Request, resp: falcon.Response, exc: DomainError, params: dict[str, Any]
) -> None:
    raise http_error(exc)


def handle_unexpected(
    req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict[str, Any]
) -> None:
    log.exception("unhandled_error", path=req.path, method=req.method)
    raise falcon.HTTPInternalServerError(
        description="Something went wrong on our side; the request id is in X-Request-ID."
    )


def handle_database_unavailable(
    req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict[str, Any]
) -> None:
    log.error("database_unavailable", path=req.path, error=str(exc))
    raise falcon.HTTPServiceUnavailable(
        title="Database unavailable",
        description="The database is busy or cannot be reached; nothing was changed. Try again.",
        retry_after=5,
    )
