"""What a tweet request asks to post: one text, or a thread of 2 to 25 parts, each
with its images; and how a tweet's parts and images are shown.

A thread is one tweet row (its text is the first part's, its status the whole
thread's) with a ``ThreadPart`` row per part; the tweeter posts each part as a
reply to the one before and records each part's X id as it goes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tweetnow.shared.models import Media, ThreadPart, Tweet, TweetStatus, User

from ..schemas import ThreadPartCreate, TweetCreate, TweetPart
from ..tweet_text import check_tweet_text
from .errors import Invalid
from .media import attach, check_attachable

MIN_THREAD_PARTS = 2
MAX_THREAD_PARTS = 25


@dataclass(frozen=True)
class PartRequest:
    text: str
    media_ids: list[int]


def _part_text(text: str, number: int) -> str:
    try:
        return check_tweet_text(text)
    except Invalid as exc:
        said = exc.description.replace("`text`", "the text", 1)
        raise Invalid(f"Part {number} of the thread: {said}", field="thread") from None


def requested_parts(request: TweetCreate) -> list[PartRequest]:
    """The parts asked for, each text checked with X's count; Invalid saying what is wrong."""
    media_ids = list(request.media_ids or [])
    if request.thread is None:
        if request.text is None:
            raise Invalid("Send `text` (one tweet) or `thread` (2 to 25 parts).", field="text")
        return [PartRequest(check_tweet_text(request.text), media_ids)]
    if request.text is not None:
        raise Invalid("Send either `text` or `thread`, not both.", field="thread")
    count = len(request.thread)
    if not MIN_THREAD_PARTS <= count <= MAX_THREAD_PARTS:
        raise Invalid(
            f"A thread has {MIN_THREAD_PARTS} to {MAX_THREAD_PARTS} parts; this one has {count}.",
            field="thread",
        )
    parts: list[PartRequest] = []
    for number, part in enumerate(request.thread, start=1):
        if isinstance(part, ThreadPartCreate):
            parts.append(PartRequest(_part_text(part.text, number), list(part.media_ids or [])))
        else:
            parts.append(PartRequest(_part_text(part, number), []))
    if media_ids:
        if parts[0].media_ids:
            raise Invalid(
                "Give the first part's images once: in `media_ids` or in the part.",
                field="media_ids",
            )
        parts[0] = PartRequest(parts[0].text, media_ids)
    return parts


def check_media(user: User, parts: list[PartRequest]) -> None:
    check_attachable(user, [p.media_ids for p in parts])


def store(tweet: Tweet, parts: list[PartRequest]) -> TweetDetails:
    """Write a thread's part rows and attach the images, in the tweet's own transaction;
    what was written, to answer with without reading it back."""
    written = TweetDetails()
    if len(parts) > 1:
        written.parts = [
            ThreadPart(tweet=tweet, position=i, text=p.text) for i, p in enumerate(parts)
        ]
        ThreadPart.bulk_create(written.parts)
    attach(tweet, [p.media_ids for p in parts])
    written.media = {i: list(p.media_ids) for i, p in enumerate(parts) if p.media_ids}
    return written


@dataclass
class TweetDetails:
    """A tweet's parts (none for a single tweet) and its images' ids by part."""

    parts: list[ThreadPart] = field(default_factory=list)
    media: dict[int, list[int]] = field(default_factory=dict)


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


def part_answers(tweet: Tweet, found: TweetDetails, web_base: str) -> list[TweetPart] | None:
    """How each part of a thread stands: sent parts are sent; the first part not yet
    on X carries the thread's status and error; the ones after it wait."""
    if not found.parts:
        return None
    answers: list[TweetPart] = []
    current_seen = False
    for part in found.parts:
        url = None
        error = None
        if part.x_tweet_id:
            status = TweetStatus.SENT
            url = f"{web_base}/{tweet.user.username}/status/{part.x_tweet_id}"
        elif not current_seen:
            current_seen = True
            status = TweetStatus(tweet.status)
            error = tweet.error
        elif tweet.status in (TweetStatus.SCHEDULED, TweetStatus.CANCELED):
            status = TweetStatus(tweet.status)
        else:
            status = TweetStatus.QUEUED
        answers.append(
            TweetPart(
                text=part.text,
                status=status,
                x_tweet_id=part.x_tweet_id,
                url=url,
                error=error,
                media_ids=found.media.get(part.position, []),
            )
        )
    return answers
