"""A tweet's thread parts and images as every reader shows them: the web's answers
and pages, and the ``tweet.sent``/``tweet.failed`` webhook events.

A thread is one tweet row (its status the whole thread's) with a ``ThreadPart``
row per part; a part is on X once it has an X id. The first part without one
carries the thread's status and error, and the parts after it wait.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Media, ThreadPart, Tweet, TweetStatus


@dataclass
class TweetDetails:
    """A tweet's parts (none for a single tweet) and its images' ids by part."""

    parts: list[ThreadPart] = field(default_factory=list)
    media: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PartState:
    """One part of a thread, as it stands."""

    text: str
    status: TweetStatus
    x_tweet_id: str | None
    url: str | None
    error: str | None
    media_ids: list[int]


def details(tweet_ids: Iterable[int]) -> dict[int, TweetDetails]:
    """The parts and images of many tweets at once: two queries, whatever their number."""
    ids = list(tweet_ids)
    found: dict[int, TweetDetails] = {i: TweetDetails() for i in ids}
    if not ids:
        return found
    for part in (
        ThreadPart.select()
        .where(ThreadPart.tweet.in_(ids))
        .order_by(ThreadPart.tweet, ThreadPart.position)
    ):
        found[part.tweet_id].parts.append(part)
    for media in (
        Media.select(Media.id, Media.tweet, Media.position)
        .where(Media.tweet.in_(ids))
        .order_by(Media.tweet, Media.position, Media.slot)
    ):
        assert media.tweet_id is not None
        found[media.tweet_id].media.setdefault(media.position or 0, []).append(media.id)
    return found


def posting_handle(tweet: Tweet) -> str:
    """The X handle ``tweet`` is posted as: its connected account's, or (rows from
    before several accounts) its author's. Its links on X are under it."""
    connection = tweet.connection if tweet.connection_id is not None else None
    return str(connection.username if connection is not None else tweet.user.username)


def post_url(x_web_base_url: str, handle: str, x_tweet_id: str | None) -> str | None:
    """Where a post is on X, once it has an X id."""
    if not x_tweet_id:
        return None
    return f"{x_web_base_url}/{handle}/status/{x_tweet_id}"


def part_states(tweet: Tweet, found: TweetDetails, x_web_base_url: str) -> list[PartState] | None:
    """How each part of a thread stands (None for a single tweet): sent parts are
    sent; the first part not yet on X carries the thread's status and error; the
    ones after it wait (or share a scheduled or canceled thread's status)."""
    if not found.parts:
        return None
    states: list[PartState] = []
    handle = posting_handle(tweet)
    current_seen = False
    for part in found.parts:
        error = None
        if part.x_tweet_id:
            status = TweetStatus.SENT
        elif not current_seen:
            current_seen = True
            status = TweetStatus(tweet.status)
            error = tweet.error
        elif tweet.status in (TweetStatus.SCHEDULED, TweetStatus.CANCELED):
            status = TweetStatus(tweet.status)
        else:
            status = TweetStatus.QUEUED
        states.append(
            PartState(
                text=part.text,
                status=status,
                x_tweet_id=part.x_tweet_id,
                url=post_url(x_web_base_url, handle, part.x_tweet_id),
                error=error,
                media_ids=found.media.get(part.position, []),
            )
        )
    return states
