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
from tweetnow.shared.models import (
    ConnectionMethod,
    ConnectionStatus,
    DeliveryStatus,
    MailKind,
    MailStatus,
    TweetStatus,
    WebhookEvent,
)

Timestamp = Annotated[str, Meta(description="ISO 8601, UTC", examples=["2026-11-23T10:00:00.000Z"])]


# A struct whose description the API document shows assigns ``__doc__`` rather than
# having a docstring: msgspec describes a schema with it, and the images run Python
# with -OO, which drops docstrings (tests/unit/test_settings_and_docs.py).


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
    account_id: Annotated[
        int | None,
        Meta(
            description="The connected X account to post as (an `id` from `GET /api/accounts`, "
            "active); omit to post as the account signed in with.",
            examples=[3],
        ),
    ] = None


class TweetReschedule(Struct, forbid_unknown_fields=True):
    send_at: Annotated[
        datetime,
        Meta(
            description="The new time (ISO 8601 with offset), at most a year ahead.",
            examples=["2026-11-24T09:30:00+01:00"],
        ),
    ]


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
    __doc__ = (
        "A job as its owner sees it: where it is, never which worker host or process ran"
        " it, nor a mail server's raw reply (the admin dashboard shows both)."
    )

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
    __doc__ = "One part of a thread, as it stands."

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
    account_id: Annotated[int | None, Meta(description="The connected X account it posts as")] = (
        None
    )


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
    time_zone: Annotated[
        str | None,
        Meta(
            description="IANA time zone the pages show times in; null until the browser sets it",
            examples=["Europe/Paris"],
        ),
    ]


class Account(Struct):
    __doc__ = "A connected X account the person can post as."

    id: int
    x_user_id: Annotated[str, Meta(description="The account's id on X")]
    username: Annotated[str, Meta(description="The X handle, without the @")]
    name: str
    method: Annotated[ConnectionMethod, Meta(description="How it is connected: OAuth 1.0a or 2.0")]
    status: Annotated[
        ConnectionStatus,
        Meta(
            description="`reconnect_needed` once X no longer takes its access (its tweets "
            "are held until it is reconnected); `disconnected` once its person disconnected it"
        ),
    ]
    status_reason: str | None
    signed_in_with: Annotated[bool, Meta(description="The account the person signs in with")]
    connected_at: Timestamp
    last_used_at: Annotated[
        Timestamp | None, Meta(description="When a tweet last went out through it")
    ]


class AccountList(Struct):
    data: list[Account]


class MeUpdate(Struct, forbid_unknown_fields=True):
    email: Annotated[
        str | msgspec.UnsetType | None,
        Meta(
            description='An address for notices; null or "" removes it. Omit to leave it.',
            examples=["ada@example.com"],
        ),
    ] = msgspec.UNSET
    time_zone: Annotated[
        Annotated[str, Meta(max_length=64)] | msgspec.UnsetType,
        Meta(
            description="An IANA time zone name for the pages' times. Omit to leave it.",
            examples=["America/New_York"],
        ),
    ] = msgspec.UNSET


WEBHOOK_EVENT_NAMES = ", ".join(e.value for e in WebhookEvent)


class WebhookCreate(Struct, forbid_unknown_fields=True):
    url: Annotated[
        str,
        Meta(
            max_length=2000,
            description="Where to POST events: http(s), resolving to public addresses only.",
            examples=["https://example.com/hooks/tweetnow"],
        ),
    ]
    events: Annotated[
        list[WebhookEvent],
        Meta(
            min_length=1,
            max_length=len(WebhookEvent),
            description=f"The events to be told of, among {WEBHOOK_EVENT_NAMES}.",
            examples=[["tweet.sent", "tweet.failed"]],
        ),
    ]


class WebhookInfo(Struct):
    id: int
    url: str
    events: list[WebhookEvent]
    created_at: Timestamp
    failing_since: Annotated[
        Timestamp | None,
        Meta(description="Since when every attempt has failed; null when the last succeeded"),
    ]
    disabled_at: Annotated[
        Timestamp | None,
        Meta(description="When it was disabled for failing too long; null: it is live"),
    ]
    disabled_reason: str | None


class WebhookIssued(Struct):
    webhook: WebhookInfo
    secret: Annotated[
        str,
        Meta(
            description="The Standard Webhooks signing secret (whsec_...); shown once, store it now"
        ),
    ]


class WebhookList(Struct):
    data: list[WebhookInfo]


class DeliveryAttempt(Struct):
    at: Timestamp
    status_code: Annotated[int | None, Meta(description="The endpoint's answer; null: none")]
    duration_ms: int
    error: Annotated[str | None, Meta(description="Why the attempt failed; null: delivered")]


class WebhookDeliveryInfo(Struct):
    id: Annotated[str, Meta(description="The webhook-id header of every attempt")]
    event: WebhookEvent
    status: DeliveryStatus
    created_at: Timestamp
    delivered_at: Timestamp | None
    next_attempt_at: Annotated[Timestamp | None, Meta(description="When it is tried again")]
    error: str | None
    attempts: list[DeliveryAttempt]


class WebhookDeliveryList(Struct):
    data: list[WebhookDeliveryInfo]
