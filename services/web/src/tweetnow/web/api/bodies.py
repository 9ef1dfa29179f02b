"""JSON bodies: reading a request's into a struct (the right 4xx for each problem), and
answering "accepted, poll the job"."""

from __future__ import annotations

from typing import TypeVar

import falcon
import msgspec

from ..domain.errors import Invalid
from ..schemas import ThoughtAccepted, TweetAccepted

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
        raise Invalid("The body must be a JSON object.")
    try:
        return msgspec.convert(data, type=schema)
    except msgspec.ValidationError as exc:
        raise Invalid(str(exc)) from None


def send_accepted(resp: falcon.Response, accepted: TweetAccepted | ThoughtAccepted) -> None:
    """202: the work is in the outbox; the Location is its job, for the client to poll."""
    resp.status = falcon.HTTP_202
    resp.location = accepted.job.url
    resp.media = accepted
