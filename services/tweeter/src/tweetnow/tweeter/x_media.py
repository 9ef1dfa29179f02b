"""Uploading an image to X with X's v2 media upload, over the same OAuth 1.0a user
context the tweets are posted with (tweepy has no v2 media upload).

One image is: ``POST /2/media/upload/initialize`` (type, size, category),
``POST /2/media/upload/{id}/append`` once per chunk of at most 1 MB
(multipart: ``media``, ``segment_index``), ``POST /2/media/upload/{id}/finalize``,
then ``GET /2/media/upload?command=STATUS`` while X is still processing it,
and ``POST /2/media/metadata`` for its alt text. X's answers become tweepy's
exceptions, so ``x_client.classify`` reads them as it reads a post's.

A media id expires on X, so nothing here is kept between attempts: an attempt
that is interrupted uploads again, and a part is posted only with every one of
its images.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
import tweepy

from tweetnow.shared.logs import get_logger

from .x_api import X_DEFAULT_HOST

log = get_logger(__name__)

#: X's recommended chunk size (larger chunks have been seen to be refused).
CHUNK_BYTES = 1024 * 1024
#: How long to wait for X to process one image, in all, before giving up this attempt.
PROCESSING_DEADLINE_S = 60.0
#: The longest pause between two status checks, whatever X suggests.
MAX_CHECK_PAUSE_S = 5.0

CATEGORY = {"image/gif": "tweet_gif"}
DEFAULT_CATEGORY = "tweet_image"


class MediaProcessingFailed(Exception):
    """X could not process the image (e.g. it found it damaged); trying again cannot help."""


@dataclass(frozen=True)
class ImageToUpload:
    media_id: int  # tweetnow's own id, for logs
    kind: str  # MIME type
    data: bytes
    alt_text: str


def raise_for_x(response: requests.Response) -> None:
    """tweepy's exception for X's non-2xx answer, the same a tweepy call would raise."""
    status = response.status_code
    if status == 400:
        raise tweepy.BadRequest(response)
    if status == 401:
        raise tweepy.Unauthorized(response)
    if status == 403:
        raise tweepy.Forbidden(response)
    if status == 404:
        raise tweepy.NotFound(response)
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(
            response, reset_time=int(reset) if reset and reset.isdigit() else None
        )
    if status >= 500:
        raise tweepy.TwitterServerError(response)
    if not 200 <= status < 300:
        raise tweepy.HTTPException(response)


class XMediaClient:
    """One user's media uploads, through ``session`` (an ``XApiSession``) signed with
    ``auth`` (their OAuth 1.0a user context)."""

    def __init__(
        self,
        session: requests.Session,
        auth: Any,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.auth = auth
        self.sleep = sleep
        self.clock = clock

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.session.request(method, X_DEFAULT_HOST + path, auth=self.auth, **kwargs)
        with response:
            raise_for_x(response)
            document = response.json() if response.content else {}
        return document.get("data") or {}

    def upload(self, image: ImageToUpload) -> str:
        """Upload one image with its alt text; X's media id for it."""
        started = self.clock()
        created = self._call(
            "POST",
            "/2/media/upload/initialize",
            json={
                "media_type": image.kind,
                "total_bytes": len(image.data),
                "media_category": CATEGORY.get(image.kind, DEFAULT_CATEGORY),
            },
        )
        x_media_id = str(created["id"])
        for index, start in enumerate(range(0, len(image.data), CHUNK_BYTES)):
            self._call(
                "POST",
                f"/2/media/upload/{x_media_id}/append",
                files={"media": ("blob", image.data[start : start + CHUNK_BYTES])},
                data={"segment_index": str(index)},
            )
        finished = self._call("POST", f"/2/media/upload/{x_media_id}/finalize")
        self._wait_until_processed(x_media_id, finished.get("processing_info"), started)
        if image.alt_text:
            self._call(
                "POST",
                "/2/media/metadata",
                json={"id": x_media_id, "metadata": {"alt_text": {"text": image.alt_text}}},
            )
        log.info("x_media_uploaded", media_id=image.media_id, x_media_id=x_media_id)
        return x_media_id

    def _wait_until_processed(
        self, x_media_id: str, info: dict[str, Any] | None, started: float
    ) -> None:
        while info and info.get("state") in ("pending", "in_progress"):
            if self.clock() - started > PROCESSING_DEADLINE_S:
                raise TimeoutError(f"X was still processing image {x_media_id}")
            self.sleep(min(float(info.get("check_after_secs") or 1), MAX_CHECK_PAUSE_S))
            status = self._call(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": x_media_id}
            )
            info = status.get("processing_info")
        if info and info.get("state") == "failed":
            raise MediaProcessingFailed(f"X could not process image {x_media_id}")
