"""Request bodies: reading one within the size limit (JSON into a struct, or a form), with
the right 4xx for each problem; and answering "accepted, poll the job"."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import parse_qsl

import falcon
import msgspec

from ..domain.errors import Invalid
from ..schemas import ThoughtAccepted, TweetAccepted

T = TypeVar("T")

#: Arrays and objects nested deeper than this are refused before decoding: no body of
#: ours nests more than a few levels, and a decoder recursing into thousands would fail.
MAX_JSON_DEPTH = 32

_OPENING, _CLOSING, _QUOTE, _BACKSLASH = b"[{", b"]}", ord('"'), ord("\\")


def read_body(req: falcon.Request, *, max_bytes: int) -> bytes:
    """The request's body, or 413 once it is over ``max_bytes``.

    A body sent with ``Transfer-Encoding: chunked`` has no Content-Length;
    falcon's bounded stream would read it as empty. gunicorn ends such a body
    itself (``wsgi.input_terminated``), so it is read from the stream, still
    no further than one byte past the limit.
    """
    length = req.content_length
    if length is not None and length > max_bytes:
        raise falcon.HTTPContentTooLarge(
            description=f"The body is {length} bytes; the limit is {max_bytes}."
        )
    chunked = length is None and req.env.get("wsgi.input_terminated", False)
    stream = req.stream if chunked else req.bounded_stream
    body = stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise falcon.HTTPContentTooLarge(description=f"The body is over {max_bytes} bytes.")
    return body


def read_form(req: falcon.Request, *, max_bytes: int) -> dict[str, str]:
    """A form-encoded body's fields (the last of repeated ones), read within the limit."""
    body = read_body(req, max_bytes=max_bytes)
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise falcon.HTTPBadRequest(
            title="Malformed form", description="A form-encoded body is ASCII only."
        ) from None
    return dict(parse_qsl(text, keep_blank_values=True))


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether arrays and objects in the JSON text ``body`` nest deeper than ``limit``.

    Brackets inside strings do not count. A body with no more opening brackets
    than the limit cannot nest deeper, so most bodies are never scanned.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSING:
            depth -= 1
    return False


def read_json(req: falcon.Request, schema: type[T], *, max_bytes: int) -> T:
    media_type = (req.content_type or "").split(";")[0].strip().lower()
    if media_type != falcon.MEDIA_JSON:
        raise falcon.HTTPUnsupportedMediaType(
            description="Send the body as JSON with 'Content-Type: application/json'."
        )
    body = read_body(req, max_bytes=max_bytes)
    if not body.strip():
        raise falcon.HTTPBadRequest(title="Empty body", description="Send a JSON object.")
    if nested_deeper_than(body, MAX_JSON_DEPTH):
        raise falcon.HTTPBadRequest(
            title="JSON nested too deeply",
            description=f"Arrays and objects may nest at most {MAX_JSON_DEPTH} levels deep.",
        )
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
