"""Images: taking one in (its type read from its bytes, never from its name), and
attaching images to a tweet's parts with X's rules (up to 4 images, or 1 GIF).

The bytes go into the database, so that any tweeter replica on any host can
read them when it posts; the tweeter deletes them some time after the tweet is
sent.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.db import database
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import Media, MediaBytes, MediaKind, Tweet, User

from ..schemas import MediaUploaded
from .errors import Conflict, Invalid, TooLarge, Unsupported

log = get_logger(__name__)

MB = 1024 * 1024
#: X's limits per image type, in bytes.
MAX_BYTES = {
    MediaKind.JPEG: 5 * MB,
    MediaKind.PNG: 5 * MB,
    MediaKind.WEBP: 5 * MB,
    MediaKind.GIF: 15 * MB,
}
#: The largest file of any type: more is refused before it is read further.
MAX_FILE_BYTES = max(MAX_BYTES.values())
#: Pillow's name of each format X takes.
FORMATS = {
    "JPEG": MediaKind.JPEG,
    "PNG": MediaKind.PNG,
    "WEBP": MediaKind.WEBP,
    "GIF": MediaKind.GIF,
}
ALLOWED = "JPEG, PNG or WebP up to 5 MB, or GIF up to 15 MB"
MAX_ALT_TEXT = 1000
#: Per tweet (or thread part), as X allows.
MAX_IMAGES = 4
MAX_GIFS = 1
#: Sides longer than this are refused: no post needs more, and it keeps an image's
#: pixels (and what checking it costs) bounded.
MAX_SIDE = 8192


@dataclass(frozen=True)
class ImageFacts:
    kind: MediaKind
    width: int
    height: int


def read_image(data: bytes) -> ImageFacts:
    """What the bytes are, read by pillow; Unsupported, TooLarge or Invalid saying why not."""
    if not data:
        raise Invalid("The file is empty.", field="file")
    found: str | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found = image.format
                width, height = image.size
                kind = FORMATS.get(found or "")
                if kind is None:
                    raise Unsupported(
                        f"This is a {found} image; X takes {ALLOWED}.", allowed=ALLOWED
                    )
                image.verify()
    except UnidentifiedImageError:
        raise Unsupported(
            f"The file is not an image X takes: {ALLOWED}.", allowed=ALLOWED
        ) from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Invalid("The image has too many pixels.", field="file") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise Invalid(f"The {found or 'image'} file is damaged: {exc}", field="file") from None
    if len(data) > MAX_BYTES[kind]:
        raise TooLarge(
            f"The {kind.removeprefix('image/').upper()} image is {len(data):,} bytes; "
            f"X takes {ALLOWED}."
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise Invalid(
            f"The image is {width} x {height}; X takes sides up to {MAX_SIDE}.", field="file"
        )
    return ImageFacts(kind=kind, width=width, height=height)


def check_alt_text(alt_text: str) -> str:
    if len(alt_text) > MAX_ALT_TEXT:
        raise Invalid(
            f"`alt_text` is {len(alt_text):,} characters; the limit is {MAX_ALT_TEXT:,}.",
            field="alt_text",
        )
    return alt_text


def answer(media: Media) -> MediaUploaded:
    return MediaUploaded(
        id=media.id,
        type=media.kind,
        size=media.size,
        width=media.width,
        height=media.height,
        alt_text=media.alt_text,
    )


class MediaService:
    def upload(self, user: User, data: bytes, alt_text: str) -> MediaUploaded:
        """Keep an image of the user's for a tweet to come."""
        alt = check_alt_text(alt_text)
        facts = read_image(data)
        with database.atomic():
            media = Media.create(
                user=user,
                kind=facts.kind,
                size=len(data),
                width=facts.width,
                height=facts.height,
                alt_text=alt,
                sha256=hashlib.sha256(data).hexdigest(),
                created_at=to_db(utcnow()),
            )
            MediaBytes.insert(media=media.id, data=data).execute()
        log.info("media_uploaded", media_id=media.id, kind=facts.kind, size=len(data))
        return answer(media)


def check_attachable(user: User, per_part: Sequence[Sequence[int]]) -> None:
    """Invalid unless every id names one of the user's images, not yet on a tweet, used
    once, with at most 4 images or 1 GIF per part."""
    wanted = [media_id for ids in per_part for media_id in ids]
    if len(set(wanted)) != len(wanted):
        raise Invalid("An image can be attached only once.", field="media_ids")
    if not wanted:
        return
    rows = {
        m.id: m
        for m in Media.select(Media.id, Media.kind, Media.tweet)
        .join(MediaBytes)
        .where(Media.id.in_(wanted) & (Media.user == user))
    }
    for media_id in wanted:
        media = rows.get(media_id)
        if media is None:
            raise Invalid(
                f"No image {media_id} of yours: upload it with POST /api/media.", field="media_ids"
            )
        if media.tweet_id is not None:
            raise Invalid(f"Image {media_id} is already on another tweet.", field="media_ids")
    for ids in per_part:
        kinds = [rows[i].kind for i in ids]
        gifs = kinds.count(MediaKind.GIF)
        if gifs > MAX_GIFS or (gifs and len(kinds) > gifs):
            raise Invalid("A GIF goes alone: one GIF, or up to 4 other images.", field="media_ids")
        if len(kinds) > MAX_IMAGES:
            raise Invalid(f"At most {MAX_IMAGES} images go with one post.", field="media_ids")


def attach(tweet: Tweet, per_part: Sequence[Sequence[int]]) -> None:
    """Put the checked images on ``tweet``'s parts, in the transaction that wrote it."""
    for position, ids in enumerate(per_part):
        for slot, media_id in enumerate(ids):
            taken = (
                Media.update(tweet=tweet, position=position, slot=slot)
                .where((Media.id == media_id) & Media.tweet.is_null())
                .execute()
            )
            if not taken:
                raise Conflict(
                    "Image already used", f"Image {media_id} was attached to another tweet."
                )
