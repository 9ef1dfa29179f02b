"""Request and response structs of the JSON API.

Request structs validate bodies; response structs are what services return and
what leaves as JSON; the route table names both, so /openapi.json is generated
from the same structs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta, Struct

from tweetnow.shared.clock import iso
from tweetnow.shared.jobs import JobState
from tweetnow.shared.models import MailKind, MailStatus, TweetStatus

Timestamp = Annotated[str, Meta(description="ISO 8601, UTC", examples=["2026-11-23T10:00:00.000Z"])]


def timestamp(value: datetime) -> str:
    """A set instant as answers write it (``iso`` maps only a missing one to None)."""
    written = iso(value)
    assert written is not None
    return written


MediaIds = Annotated[
    list[int],
    Meta(
        description="Images from `POST /api/media` to attach: up to 4 images, or 1 GIF.",
        examples=[[12, 13]],
    ),
]


class ThreadPartCreate(Struct, forbid_unknown_fields=True):
    text: Annotated[str, Meta(description="The part's text, at most 280 by X's weighted count.")]
    media_ids: MediaIds | None = None


class TweetCreate(Struct, forbid_unknown_fields=True):
    text: Annotated[
        str | None,
        Meta(
            description="The tweet. At most 280 by X's weighted count (URLs 23, emoji 2). "
            "Give either `text` or `thread`.",
            examples=["Hello from tweetnow"],
        ),
    ] = None
    thread: Annotated[
        list[str | ThreadPartCreate] | None,
        Meta(
            description="A thread instead of `text`: 2 to 25 parts, each a text or "
            '`{"text", "media_ids"}`; each part after the first replies to the one before.',
            examples=[["A thread, part one", "and part two"]],
        ),
    ] = None
    media_ids: MediaIds | None = None
    send_at: Annotated[
        datetime | None,
        Meta(
            description="Post at this time (ISO 8601 with offset), at most a year ahead; "
            "omit to post now.",
            examples=["2026-11-24T09:00:00+01:00"],
        ),
    ] = None


#: The longest lifetime an API token can be given; one meant to last longer is made
#: without an expiry.
MAX_TOKEN_DAYS = 365


class TokenCreate(Struct, forbid_unknown_fields=True):
    label: Annotated[str, Meta(max_length=100, description="A name to tell tokens apart")] = ""
    expires_in_days: Annotated[
        Annotated[int, Meta(ge=1, le=MAX_TOKEN_DAYS)] | None,
        Meta(
            description=f"Days until the token stops working, 1 to {MAX_TOKEN_DAYS}; "
            "omit or null for a token that does not expire.",
            examples=[30],
        ),
    ] = None


class JobRef(Struct):
    id: str
    status: JobState
    url: str


class Job(Struct):
    """A job as its owner sees it: where it is, never which worker host or process ran
    it, nor a mail server's raw reply (the admin dashboard shows both)."""

    id: str
    status: JobState
    attempts: int
    error: str | None
    enqueued_at: Timestamp | None
    started_at: Timestamp | None
    finished_at: Timestamp | None
    next_attempt_at: Timestamp | None
    request_id: str | None


class TweetPart(Struct):
    """One part of a thread, as it stands."""

    text: str
    status: TweetStatus
    x_tweet_id: str | None
    url: str | None
    error: str | None
    media_ids: list[int]


class Tweet(Struct):
    id: int
    text: Annotated[str, Meta(description="The tweet's text; a thread's first part")]
    status: TweetStatus
    x_tweet_id: str | None
    url: str | None
    error: str | None
    created_at: Timestamp
    sent_at: Timestamp | None
    send_at: Timestamp | None
    job_id: str
    parts: Annotated[
        list[TweetPart] | None, Meta(description="A thread's parts, in order; null for one tweet")
    ] = None
    media_ids: Annotated[
        list[int], Meta(description="The images attached (to a thread's first part)")
    ] = msgspec.field(default_factory=list)


class MediaUploaded(Struct):
    id: int
    type: Annotated[str, Meta(description="image/jpeg, image/png, image/webp or image/gif")]
    size: Annotated[int, Meta(description="Bytes")]
    width: int
    height: int
    alt_text: Annotated[str, Meta(description="Read aloud by screen readers on X")]


class TweetAccepted(Struct):
    tweet: Tweet
    job: JobRef


class TweetPage(Struct):
    data: list[Tweet]
    next: str | None


class TokenIssued(Struct):
    id: int
    token: Annotated[str, Meta(description="Shown once; store it now")]
    label: str
    created_at: Timestamp
    expires_at: Annotated[Timestamp | None, Meta(description="null: it does not expire")]


class TokenInfo(Struct):
    id: int
    label: str
    prefix: str
    created_at: Timestamp
    last_used_at: Annotated[
        Timestamp | None,
        Meta(description="When it last authenticated a request, to the minute; null: never"),
    ]
    expires_at: Annotated[Timestamp | None, Meta(description="null: it does not expire")]


class TokenList(Struct):
    data: list[TokenInfo]


class Error(Struct):
    status: int
    title: str
    description: str | None = None


class Health(Struct, omit_defaults=True):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class ThoughtCreate(Struct, forbid_unknown_fields=True):
    email: Annotated[
        str,
        Meta(description="Where to send the thought", examples=["friend@example.com"]),
    ]
    thought: Annotated[
        str,
        Meta(
            description="The thought, 1 to 1,000 characters; a GIF found for it comes along.",
            examples=["Mondays need more coffee"],
        ),
    ]


class Mail(Struct):
    id: int
    kind: MailKind
    recipient: str
    status: MailStatus
    error: Annotated[str | None, Meta(description="Why it failed, or why it is retried")]
    created_at: Timestamp
    sent_at: Timestamp | None


class ThoughtAccepted(Struct):
    mail: Mail
    job: JobRef


class Me(Struct):
    id: int
    username: Annotated[str, Meta(description="The X user name, without the @")]
    name: str
    email: Annotated[str | None, Meta(description="Where notices go; null when none is set")]


class MeUpdate(Struct, forbid_unknown_fields=True):
    email: Annotated[
        str | msgspec.UnsetType | None,
        Meta(
            description='An address for notices; null or "" removes it. Omit to leave it.',
            examples=["ada@example.com"],
        ),
    ] = msgspec.UNSET
