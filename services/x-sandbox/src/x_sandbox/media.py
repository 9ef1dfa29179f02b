"""Images uploaded with X's v2 media upload, kept in memory, with X's rules: the types
and sizes X takes per category, chunks of at most 5 MB numbered 0 to 999, the
whole checked at finalize (its size, and that its bytes are the type declared),
alt text up to 1,000 characters, and media ids that expire.

Not thread-safe: the caller holds the sandbox's lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from x_sandbox.tweets import TweetIds

MB = 1024 * 1024
#: What each category takes: MIME type → the most bytes.
CATEGORIES: dict[str, dict[str, int]] = {
    "tweet_image": {"image/jpeg": 5 * MB, "image/png": 5 * MB, "image/webp": 5 * MB},
    "tweet_gif": {"image/gif": 15 * MB},
}
#: The category X assumes when none is named.
DEFAULT_CATEGORY = {"image/gif": "tweet_gif"}
MAX_SEGMENT_BYTES = 5 * MB
MAX_SEGMENT_INDEX = 999
MAX_ALT_TEXT = 1000
#: How long an uploaded media id can be used, as X says in ``expires_after_secs``.
EXPIRES_AFTER_S = 86_400
#: X's media key prefix per type: 3 for photos, 16 for animated GIFs.
KEY_PREFIX = {"tweet_gif": "16"}


def _looks_like(media_type: str, data: bytes) -> bool:
    """Whether the bytes start the way files of ``media_type`` do."""
    if media_type == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if media_type == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if media_type == "image/gif":
        return data[:6] in (b"GIF87a", b"GIF89a")
    if media_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return False


class MediaRefused(ValueError):
    """An upload step X would refuse; ``parameter`` names the input at fault, and
    ``status`` is the status X answers with."""

    def __init__(self, parameter: str, value: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value
        self.status = status


@dataclass
class SandboxMedia:
    id: int
    owner_id: str
    media_type: str
    category: str
    total_bytes: int
    created_at: float
    expires_at: float
    segments: dict[int, bytes] = field(default_factory=dict)
    finalized: bool = False
    #: "pending" after a GIF's finalize, until its status is asked; then "succeeded".
    processing: str | None = None
    alt_text: str | None = None

    @property
    def media_key(self) -> str:
        return f"{KEY_PREFIX.get(self.category, '3')}_{self.id}"

    def content(self) -> bytes:
        return b"".join(self.segments[i] for i in sorted(self.segments))

    def summary(self) -> dict[str, object]:
        """What ``/_sandbox/tweets`` shows of an image on a tweet."""
        data = self.content()
        return {
            "id": str(self.id),
            "type": self.media_type,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "alt_text": self.alt_text,
        }


class MediaLibrary:
    def __init__(self) -> None:
        self._ids = TweetIds()
        self._media: dict[int, SandboxMedia] = {}
        self.expires_after_s: float = EXPIRES_AFTER_S

    def initialize(
        self, owner_id: str, media_type: object, total_bytes: object, category: object, now: float
    ) -> SandboxMedia:
        if not isinstance(media_type, str) or not any(media_type in t for t in CATEGORIES.values()):
            raise MediaRefused(
                "media_type", str(media_type), f"The media type [{media_type}] is not supported."
            )
        if category is None:
            category = DEFAULT_CATEGORY.get(media_type, "tweet_image")
        if not isinstance(category, str) or category not in CATEGORIES:
            raise MediaRefused(
                "media_category", str(category), f"The media category [{category}] is not valid."
            )
        limit = CATEGORIES[category].get(media_type)
        if limit is None:
            raise MediaRefused(
                "media_type",
                media_type,
                f"The media type [{media_type}] is not valid for category [{category}].",
            )
        if isinstance(total_bytes, bool) or not isinstance(total_bytes, int) or total_bytes <= 0:
            raise MediaRefused("total_bytes", str(total_bytes), "total_bytes must be positive.")
        if total_bytes > limit:
            raise MediaRefused(
                "total_bytes",
                str(total_bytes),
                f"File size exceeds {limit} bytes for [{media_type}] in [{category}].",
            )
        media = SandboxMedia(
            id=self._ids.next(now),
            owner_id=owner_id,
            media_type=media_type,
            category=category,
            total_bytes=total_bytes,
            created_at=now,
            expires_at=now + self.expires_after_s,
        )
        self._media[media.id] = media
        return media

    def get(self, owner_id: str, media_id: str, now: float) -> SandboxMedia:
        """The owner's live upload ``media_id``; MediaRefused if none (or it expired)."""
        media = self._media.get(int(media_id)) if media_id.isdigit() else None
        if media is None or media.owner_id != owner_id or media.expires_at <= now:
            raise MediaRefused("media_id", media_id, f"Invalid media id [{media_id}].")
        return media

    def append(self, media: SandboxMedia, segment_index: object, data: bytes) -> None:
        if media.finalized:
            raise MediaRefused("id", str(media.id), "The upload is already finalized.")
        index = segment_index
        if isinstance(index, str) and index.isdigit() and len(index) <= 3:
            index = int(index)
        if isinstance(index, bool) or not isinstance(index, int):
            raise MediaRefused("segment_index", str(segment_index), "segment_index is invalid.")
        if not 0 <= index <= MAX_SEGMENT_INDEX:
            raise MediaRefused(
                "segment_index", str(index), f"segment_index must be 0 to {MAX_SEGMENT_INDEX}."
            )
        if not data:
            raise MediaRefused("media", "", "The media segment is empty.")
        if len(data) > MAX_SEGMENT_BYTES:
            raise MediaRefused(
                "media", "", f"A segment is at most {MAX_SEGMENT_BYTES} bytes.", status=413
            )
        media.segments[index] = data
        if sum(len(s) for s in media.segments.values()) > media.total_bytes:
            del media.segments[index]
            raise MediaRefused("media", "", "The segments exceed total_bytes.")

    def finalize(self, media: SandboxMedia) -> None:
        data = media.content()
        if len(data) != media.total_bytes:
            raise MediaRefused(
                "id",
                str(media.id),
                f"File size mismatch: {len(data)} bytes received, {media.total_bytes} declared.",
            )
        if not _looks_like(media.media_type, data):
            raise MediaRefused(
                "id", str(media.id), f"The media is not a valid [{media.media_type}] file."
            )
        media.finalized = True
        media.processing = "pending" if media.category == "tweet_gif" else None

    def postable(self, owner_id: str, media_ids: list[str], now: float) -> list[SandboxMedia]:
        """The finalized, live uploads of the owner a post may carry (4 images, or 1 GIF)."""
        found = []
        for media_id in media_ids:
            try:
                media = self.get(owner_id, media_id, now)
            except MediaRefused:
                media = None
            if media is None or not media.finalized or media.processing == "pending":
                raise MediaRefused("media.media_ids", media_id, "Your media IDs are invalid.")
            found.append(media)
        gifs = sum(1 for m in found if m.category == "tweet_gif")
        if len(found) > 4 or (gifs and len(found) > 1):
            raise MediaRefused(
                "media.media_ids",
                ",".join(media_ids),
                "A post takes up to 4 images, or 1 GIF.",
            )
        return found

    def clear(self) -> None:
        self._media.clear()
        self.expires_after_s = EXPIRES_AFTER_S
