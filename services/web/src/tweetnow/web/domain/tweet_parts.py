"""What a tweet request asks to post: one text, or a thread of 2 to 25 parts, each
with its images; and how a tweet's parts and images are shown.

A thread is one tweet row (its text is the first part's, its status the whole
thread's) with a ``ThreadPart`` row per part; the tweeter posts each part as a
reply to the one before and records each part's X id as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass

from tweetnow.shared.models import ThreadPart, Tweet, User
from tweetnow.shared.tweet_details import TweetDetails, part_states

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


def part_answers(tweet: Tweet, found: TweetDetails, web_base: str) -> list[TweetPart] | None:
    """How each part of a thread stands, as the API answers it."""
    states = part_states(tweet, found, web_base)
    if states is None:
        return None
    return [
        TweetPart(
            text=s.text,
            status=s.status,
            x_tweet_id=s.x_tweet_id,
            url=s.url,
            error=s.error,
            media_ids=s.media_ids,
        )
        for s in states
    ]
