"""Images: ``POST /api/media`` takes one (multipart/form-data: ``file``, optional
``alt_text``) and answers ``201`` with what it is."""

from __future__ import annotations

import io

import falcon
from falcon.media.multipart import MultipartFormHandler, MultipartParseOptions

from ..domain.errors import Invalid
from ..domain.media import MAX_ALT_TEXT, MAX_FILE_BYTES, MediaService
from .bodies import read_body

#: The form's own parts (boundaries, headers, the alt text) beside the largest file.
FORM_OVERHEAD = 64 * 1024
MAX_FORM_BYTES = MAX_FILE_BYTES + FORM_OVERHEAD


#: The form, as /openapi.json documents it.
UPLOAD_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "contentMediaType": "application/octet-stream",
            "description": "The image: JPEG, PNG or WebP up to 5 MB, GIF up to 15 MB; its "
            "type is read from its bytes, not its name",
        },
        "alt_text": {
            "type": "string",
            "maxLength": MAX_ALT_TEXT,
            "description": "What the image shows, for people who cannot see it",
        },
    },
}


def _form_parser() -> MultipartFormHandler:
    options = MultipartParseOptions()
    options.max_body_part_buffer_size = MAX_FILE_BYTES + 1
    options.max_body_part_count = 8
    return MultipartFormHandler(options)


class MediaUploads:
    def __init__(self, media: MediaService) -> None:
        self.media = media
        self.parser = _form_parser()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        media_type = (req.content_type or "").split(";")[0].strip().lower()
        if media_type != falcon.MEDIA_MULTIPART:
            raise falcon.HTTPUnsupportedMediaType(
                description="Send the image as multipart/form-data: a `file` part, and "
                "optionally `alt_text`."
            )
        body = read_body(req, max_bytes=MAX_FORM_BYTES)
        data: bytes | None = None
        alt_text = ""
        try:
            form = self.parser.deserialize(io.BytesIO(body), req.content_type, len(body))
            for part in form:
                if part.name == "file":
                    data = part.stream.read(MAX_FILE_BYTES + 1)
                elif part.name == "alt_text":
                    alt_text = part.stream.read(4 * MAX_ALT_TEXT + 1).decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("`alt_text` is not UTF-8 text.", field="alt_text") from None
        except falcon.MediaMalformedError as exc:
            raise falcon.HTTPBadRequest(
                title="Malformed form", description=f"The multipart form is malformed: {exc}"
            ) from None
        if data is None:
            raise Invalid("Send the image in a part named `file`.", field="file")
        resp.status = falcon.HTTP_201
        resp.media = self.media.upload(req.context.user, data, alt_text)
