"""The request body, read once and kept: signature checks need it raw, handlers parsed."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import falcon

#: Room for a media segment of X's largest (5 MB) with its multipart framing.
MAX_BODY_BYTES = 6 * 1024 * 1024


def raw_body(req: falcon.Request) -> bytes:
    cached = req.context.get("raw_body")
    if cached is None:
        length = req.content_length or 0
        if length > MAX_BODY_BYTES:
            raise falcon.HTTPContentTooLarge(description="The request body is too large.")
        cached = req.bounded_stream.read(length) if length else b""
        req.context.raw_body = cached
    return cached


def json_body(req: falcon.Request) -> object:
    """The JSON document in the body; raises ValueError if there is none."""
    return json.loads(raw_body(req) or b"null")


def form_body(req: falcon.Request) -> dict[str, str]:
    """A form-encoded body as single values (the first of each name)."""
    fields = parse_qs(raw_body(req).decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}
