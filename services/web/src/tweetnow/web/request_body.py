"""Reading a JSON request body into a schema, with the right 4xx for each problem."""

from __future__ import annotations

from typing import TypeVar

import falcon
import msgspec

from .errors import unprocessable

T = TypeVar("T")


def read_json(req: falcon.Request, schema: type[T], *, max_bytes: int) -> T:
    media_type = (req.content_type or "").split(";")[0].strip().lower()
    if media_type != falcon.MEDIA_JSON:
        raise falcon.HTTPUnsupportedMediaType(
            description="Send the body as JSON with 'Content-Type: application/json'."
        )
    if req.content_length is not None and req.content_length > max_bytes:
        raise falcon.HTTPContentTooLarge(
            description=f"The body is {req.content_length} bytes; the limit is {max_bytes}."
        )
    body = req.bounded_stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise falcon.HTTPContentTooLarge(description=f"The body is over {max_bytes} bytes.")
    if not body.strip():
        raise falcon.HTTPBadRequest(title="Empty body", description="Send a JSON object.")
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise falcon.HTTPBadRequest(
            title="Malformed JSON", description=f"Malformed JSON: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise unprocessable("The body must be a JSON object.")
    try:
        return msgspec.convert(data, type=schema)
    except msgspec.ValidationError as exc:
        raise unprocessable(str(exc)) from None
