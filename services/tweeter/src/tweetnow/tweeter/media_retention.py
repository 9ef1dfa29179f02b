"""How long uploaded images are kept: they are in the database only so that a tweeter
can post them, so their bytes go some time after that.

- a sent (or canceled) tweet's images lose their bytes (``MediaBytes``) ``keep``
  after it was sent (or canceled); the image row stays, so the tweet still says
  how many it had;
- an image never attached to a tweet is deleted ``keep`` after its upload;
- a failed tweet's images are kept: the tweet can be retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tweetnow.shared.clock import to_db
from tweetnow.shared.models import Media, MediaBytes, Tweet, TweetStatus


def forget_old_images(now: datetime, keep: timedelta) -> dict[str, int]:
    """Drop the bytes of images whose tweet is long done, and unattached old uploads;
    how many of each."""
    before = to_db(now - keep)
    done = Tweet.select(Tweet.id).where(
        ((Tweet.status == TweetStatus.SENT) & (Tweet.sent_at < before))
        | ((Tweet.status == TweetStatus.CANCELED) & (Tweet.updated_at < before))
    )
    emptied = (
        MediaBytes.delete()
        .where(MediaBytes.media.in_(Media.select(Media.id).where(Media.tweet.in_(done))))
        .execute()
    )
    # Their bytes go with them (on delete cascade).
    abandoned = Media.delete().where(Media.tweet.is_null() & (Media.created_at < before)).execute()
    return {"media_bytes_deleted": emptied, "media_unused_deleted": abandoned}
