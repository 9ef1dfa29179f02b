"""The ``Idempotency-Key`` request header and the answer a retried request gets again."""

from __future__ import annotations

from typing import Any

import falcon

from ..domain.idempotency import AlreadyAnswered, IdempotentRequest

#: The request header naming one request, so that sending it again does it once.
HEADER = "Idempotency-Key"
#: Set on an answer given again for a retried key.
REPLAYED_HEADER = "Idempotent-Replayed"
#: How the header is documented in the route table (and so in /openapi.json).
HEADER_DOC = (
    "Any string of 1 to 255 visible ASCII characters (a UUID) naming this request. "
    "Sent again within 24 hours with the same body, the request creates nothing new "
    "and gets the first answer again (with `Idempotent-Replayed: true`); with another "
    "body, 422. A second request with the same key while the first is in flight waits "
    "for it, then gets its answer."
)


def idempotent_request(req: falcon.Request) -> IdempotentRequest | None:
    """The request as an idempotent one if it carries the header, else None."""
    key = req.get_header(HEADER)
    if key is None:
        return None
    ctx = req.context
    return IdempotentRequest.of(ctx.user, f"{req.method} {req.uri_template}", key, ctx.body)


def answer_again(
    req: falcon.Request, resp: falcon.Response, exc: AlreadyAnswered, params: dict[str, Any]
) -> None:
    """Give the first answer to a request with the same key, as it was."""
    resp.status = exc.status
    resp.content_type = falcon.MEDIA_JSON
    resp.data = exc.answer
    if exc.location:
        resp.location = exc.location
    resp.set_header(REPLAYED_HEADER, "true")
