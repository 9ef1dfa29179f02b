"""X's v2 media upload, in the signed-in user's name: ``POST /2/media/upload/initialize``,
``/2/media/upload/{id}/append`` (multipart: ``media``, ``segment_index``),
``/2/media/upload/{id}/finalize``, ``GET /2/media/upload?command=STATUS&media_id=``
and ``POST /2/media/metadata`` (alt text)."""

from __future__ import annotations

import base64
import binascii
import io
import logging
import math
from typing import Any

import falcon
from falcon.media.multipart import MultipartFormHandler, MultipartParseOptions

from x_sandbox.clock import Clock
from x_sandbox.media import MAX_ALT_TEXT, MAX_SEGMENT_BYTES, MediaRefused, SandboxMedia
from x_sandbox.posting import scripted_problem
from x_sandbox.request_body import json_body, raw_body
from x_sandbox.state import SandboxState
from x_sandbox.x_problems import XProblem, invalid_request, problem

log = logging.getLogger(__name__)


def _refused(error: MediaRefused) -> XProblem:
    if error.status != 400:
        return problem(error.status, str(error))
    return invalid_request({error.parameter: [error.value]}, str(error))


def _json_object(req: falcon.Request) -> dict[str, Any]:
    try:
        document = json_body(req)
    except ValueError:
        raise invalid_request({}, "The request body is not valid JSON.") from None
    if not isinstance(document, dict):
        raise invalid_request({}, "The request body must be a JSON object.")
    return document


def _processing_info(media: SandboxMedia) -> dict[str, object] | None:
    if media.processing == "pending":
        return {"state": "pending", "check_after_secs": 1}
    if media.processing is not None:
        return {"state": media.processing, "progress_percent": 100}
    return None


class _MediaResource:
    def __init__(self, state: SandboxState, clock: Clock) -> None:
        self._state = state
        self._clock = clock

    def _scripted_error(self, req: falcon.Request) -> None:
        """The faults' scripted error for this media request, if one is next."""
        with self._state.lock:
            scripted = self._state.faults.take_next_media_error()
            reset_after_s = self._state.faults.reset_after_s
        if scripted is not None:
            log.info("media_refused_by_fault path=%s fault=%s", req.path, scripted)
            raise scripted_problem(scripted, reset_after_s, self._clock.now())

    def _media(self, req: falcon.Request, media_id: str) -> SandboxMedia:
        try:
            return self._state.media.get(req.context.user.id, media_id, self._clock.now())
        except MediaRefused as error:
            raise _refused(error) from None


class MediaInitializeResource(_MediaResource):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._scripted_error(req)
        document = _json_object(req)
        with self._state.lock:
            try:
                media = self._state.media.initialize(
                    req.context.user.id,
                    document.get("media_type"),
                    document.get("total_bytes"),
                    document.get("media_category"),
                    self._clock.now(),
                )
            except MediaRefused as error:
                raise _refused(error) from None
            expires_after = self._state.media.expires_after_s
        log.info(
            "media_initialized id=%s type=%s bytes=%s",
            media.id,
            media.media_type,
            media.total_bytes,
        )
        resp.media = {
            "data": {
                "id": str(media.id),
                "media_key": media.media_key,
                "expires_after_secs": math.ceil(expires_after),
            }
        }


class MediaAppendResource(_MediaResource):
    def __init__(self, state: SandboxState, clock: Clock) -> None:
        super().__init__(state, clock)
        options = MultipartParseOptions()
        options.max_body_part_buffer_size = MAX_SEGMENT_BYTES * 2
        self._parser = MultipartFormHandler(options)

    def _segment(self, req: falcon.Request) -> tuple[object, bytes]:
        """The segment index and bytes: multipart, or JSON with the bytes in base64."""
        content_type = req.content_type or ""
        if content_type.startswith("multipart/form-data"):
            body = raw_body(req)
            index: object = None
            data = b""
            try:
                form = self._parser.deserialize(io.BytesIO(body), content_type, len(body))
                for part in form:
                    if part.name == "media":
                        data = part.stream.read()
                    elif part.name == "segment_index":
                        index = part.stream.read().decode("ascii", errors="replace").strip()
            except falcon.MediaMalformedError:
                raise invalid_request({}, "The multipart body is malformed.") from None
            return index, data
        document = _json_object(req)
        try:
            data = base64.b64decode(str(document.get("media", "")), validate=True)
        except (binascii.Error, ValueError):
            raise invalid_request({"media": []}, "media must be base64.") from None
        return document.get("segment_index"), data

    def on_post(self, req: falcon.Request, resp: falcon.Response, media_id: str) -> None:
        self._scripted_error(req)
        index, data = self._segment(req)
        with self._state.lock:
            media = self._media(req, media_id)
            try:
                self._state.media.append(media, index, data)
            except MediaRefused as error:
                raise _refused(error) from None
        resp.media = {"data": {"expires_at": int(media.expires_at)}}


class MediaFinalizeResource(_MediaResource):
    def on_post(self, req: falcon.Request, resp: falcon.Response, media_id: str) -> None:
        self._scripted_error(req)
        with self._state.lock:
            media = self._media(req, media_id)
            try:
                self._state.media.finalize(media)
            except MediaRefused as error:
                raise _refused(error) from None
            remaining = max(math.ceil(media.expires_at - self._clock.now()), 0)
        log.info("media_finalized id=%s size=%s", media.id, media.total_bytes)
        data: dict[str, object] = {
            "id": str(media.id),
            "media_key": media.media_key,
            "size": media.total_bytes,
            "expires_after_secs": remaining,
        }
        info = _processing_info(media)
        if info is not None:
            data["processing_info"] = info
        resp.media = {"data": data}


class MediaStatusResource(_MediaResource):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._scripted_error(req)
        media_id = req.get_param("media_id") or ""
        command = req.get_param("command")
        if command not in (None, "STATUS"):
            raise invalid_request({"command": [command]}, "command must be STATUS.")
        with self._state.lock:
            media = self._media(req, media_id)
            if not media.finalized:
                raise invalid_request({"media_id": [media_id]}, "The upload is not finalized.")
            if media.processing == "pending":
                media.processing = "succeeded"
            info = _processing_info(media) or {"state": "succeeded", "progress_percent": 100}
        resp.media = {
            "data": {"id": str(media.id), "media_key": media.media_key, "processing_info": info}
        }


class MediaMetadataResource(_MediaResource):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._scripted_error(req)
        document = _json_object(req)
        media_id = document.get("id")
        if not isinstance(media_id, str):
            raise invalid_request({"id": [str(media_id)]}, "id must be a media id string.")
        metadata = document.get("metadata") or {}
        alt = metadata.get("alt_text") if isinstance(metadata, dict) else None
        text = alt.get("text") if isinstance(alt, dict) else None
        if not isinstance(text, str):
            raise invalid_request({"metadata.alt_text.text": []}, "alt_text needs a text.")
        if len(text) > MAX_ALT_TEXT:
            raise invalid_request(
                {"metadata.alt_text.text": [text[:20]]},
                f"alt_text is at most {MAX_ALT_TEXT} characters.",
            )
        with self._state.lock:
            media = self._media(req, media_id)
            media.alt_text = text
        resp.media = {
            "data": {"id": str(media.id), "associated_metadata": {"alt_text": {"text": text}}}
        }
