"""What a tweet row posts: its parts in order (one, or a thread's), each with its
images; and the record that a part is on X.

A thread part's ``x_tweet_id`` is set the moment X has taken the part, guarded
on being still empty, so an attempt that comes after a failure or a dead
worker starts at the first part X does not have yet and never posts one twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import Media, MediaBytes, ThreadPart, Tweet

from .x_media import ImageToUpload


@dataclass(frozen=True)
class PartToPost:
    position: int  # 0 is the first
    text: str
    #: Set when X already has this part (an earlier attempt posted it).
    x_tweet_id: str | None
    #: Of how many parts; 1 for a single tweet.
    of: int

    @property
    def in_thread(self) -> bool:
        return self.of > 1

    def label(self) -> str:
        return f"part {self.position + 1} of {self.of}"


def parts_of(tweet: Tweet) -> list[PartToPost]:
    rows = list(
        ThreadPart.select().where(ThreadPart.tweet == tweet.id).order_by(ThreadPart.position)
    )
    if not rows:
        return [PartToPost(position=0, text=tweet.text, x_tweet_id=None, of=1)]
    return [
        PartToPost(position=r.position, text=r.text, x_tweet_id=r.x_tweet_id, of=len(rows))
        for r in rows
    ]


def images_of(tweet_id: int, position: int) -> list[ImageToUpload]:
    """The part's images, in order, with their bytes."""
    rows = list(
        Media.select()
        .where((Media.tweet == tweet_id) & (Media.position == position))
        .order_by(Media.slot)
    )
    if not rows:
        return []
    content = {
        kept.media_id: bytes(kept.data)
        for kept in MediaBytes.select().where(MediaBytes.media.in_([m.id for m in rows]))
    }
    images = []
    for media in rows:
        if media.id not in content:
            raise LookupError(f"image {media.id} has no bytes any more")
        images.append(
            ImageToUpload(
                media_id=media.id,
                kind=media.kind,
                data=content[media.id],
                alt_text=media.alt_text,
            )
        )
    return images


def record_posted(tweet_id: int, position: int, x_tweet_id: str) -> bool:
    """The part is on X; False if it was recorded already."""
    return bool(
        ThreadPart.update(x_tweet_id=x_tweet_id, sent_at=to_db(utcnow()))
        .where(
            (ThreadPart.tweet == tweet_id)
            & (ThreadPart.position == position)
            & ThreadPart.x_tweet_id.is_null()
        )
        .execute()
    )
