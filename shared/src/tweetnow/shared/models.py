"""Peewee models: the product's durable state.

A row is the source of truth for the domain status of a tweet; the job status
in Redis only describes the delivery of one message about it.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from peewee import (
    AutoField,
    BlobField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    fn,
)

from .clock import to_db, utcnow
from .db import database


def _now():
    return to_db(utcnow())


class TweetStatus(StrEnum):
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    #: Its X account needs reconnecting: it waits (the reason in ``error``), without a job.
    HELD = "held"
    SENT = "sent"
    FAILED = "failed"
    CANCELED = "canceled"


class MailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ConnectionMethod(StrEnum):
    OAUTH1 = "oauth1"
    OAUTH2 = "oauth2"


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    RECONNECT_NEEDED = "reconnect_needed"
    #: Disconnected by its person: its tokens are erased; the row stays for its sent tweets.
    DISCONNECTED = "disconnected"


class MailKind(StrEnum):
    WELCOME = "welcome"
    THOUGHT = "thought"
    TWEET_FAILED = "tweet_failed"
    WEBHOOK_DISABLED = "webhook_disabled"
    RECONNECT_NEEDED = "reconnect_needed"


class WebhookEvent(StrEnum):
    # Assigned, not a docstring, so that -OO keeps it: see tweetnow.web.schemas.
    __doc__ = "What a webhook can be told: a tweet or a mail reached its final state."

    TWEET_SENT = "tweet.sent"
    TWEET_FAILED = "tweet.failed"
    MAIL_SENT = "mail.sent"
    MAIL_FAILED = "mail.failed"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class BaseModel(Model):
    #: Declared so type checkers see the primary key peewee adds to every table.
    id = AutoField()

    class Meta:
        database = database


class User(BaseModel):
    x_user_id = CharField(unique=True)
    username = CharField()
    name = CharField(default="")
    x_access_token = TextField()  # encrypted (SecretBox)
    x_access_secret = TextField()  # encrypted (SecretBox)
    email = CharField(null=True)
    #: IANA time zone name (e.g. "Europe/Paris") the pages show and take times in;
    #: set from the browser on the first visit, null until then.
    time_zone = CharField(null=True)
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)


class Session(BaseModel):
    """A signed-in browser. The cookie carries the id, signed; the row can be revoked."""

    #: sha256 of the random session key (a text key where other tables count).
    id = CharField(primary_key=True)  # type: ignore[assignment]  # a text key, not a count
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    csrf_token = CharField()
    created_at = DateTimeField(default=_now)
    expires_at = DateTimeField(index=True)


class OAuthRequest(BaseModel):
    """A pending "Sign in with X": the request-token secret stays server-side."""

    oauth_token = CharField(primary_key=True)
    oauth_token_secret = CharField()
    #: Set when a signed-in person connects another X account (rather than signing in).
    connecting_user_id = IntegerField(null=True)
    created_at = DateTimeField(default=_now, index=True)
    used_at = DateTimeField(null=True)


class ApiToken(BaseModel):
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    label = CharField(default="")
    token_hash = CharField(unique=True)  # sha256 hex; the token itself is shown once
    prefix = CharField()  # first characters, so a person can tell tokens apart
    created_at = DateTimeField(default=_now)
    #: Refreshed at most once a minute, so API requests do not each write a row.
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    #: From then on the token no longer works; never, when null.
    expires_at = DateTimeField(null=True)


class XConnection(BaseModel):
    """One X account a person may post as: the one they signed in with, and any they
    connected from the account page. An X account is connected at most once per person."""

    user = ForeignKeyField(User, backref="connections", on_delete="CASCADE")
    user_id: int  # the foreign key's column, set by peewee
    x_user_id = CharField()
    username = CharField()
    name = CharField(default="")
    method = CharField(default=ConnectionMethod.OAUTH1)  # ConnectionMethod
    access_token = TextField()  # encrypted (SecretBox)
    #: OAuth 1.0a: the token secret; OAuth 2.0: the refresh token (both encrypted).
    access_secret = TextField()
    #: When an OAuth 2.0 access token runs out; null for OAuth 1.0a, whose tokens last.
    expires_at = DateTimeField(null=True)
    status = CharField(default=ConnectionStatus.ACTIVE)  # ConnectionStatus
    status_reason = TextField(null=True)
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    last_used_at = DateTimeField(null=True)

    class Meta:
        table_name = "x_connection"
        indexes = ((("user", "x_user_id"), True),)


class Tweet(BaseModel):
    user = ForeignKeyField(User, backref="tweets", on_delete="CASCADE")
    user_id: int  # the foreign key's column, set by peewee
    #: The X account it is posted as; null only for rows written without one (then the
    #: person's sign-in account).
    connection = ForeignKeyField(XConnection, backref="tweets", null=True, on_delete="CASCADE")
    connection_id: int | None  # the foreign key's column, set by peewee
    text = TextField()
    status = CharField(default=TweetStatus.QUEUED)
    job_id = CharField(unique=True)  # the Dramatiq message id of the current job
    x_tweet_id = CharField(null=True)
    error = TextField(null=True)
    attempts = IntegerField(default=0)
    request_id = CharField(null=True)
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    sent_at = DateTimeField(null=True)
    send_at = DateTimeField(null=True)
    #: When its message was sent: a scheduled tweet is dispatched once.
    dispatched_at = DateTimeField(null=True)
    lease_until = DateTimeField(null=True)  # a worker owns the post until then

    class Meta:
        #: Each matches a query's WHERE and ORDER BY (migration 7 says which).
        indexes = (
            (("user", "id"), False),
            (("user", "status", "id"), False),
            (("status", "id"), False),
            (("status", "updated_at"), False),
        )


class Mail(BaseModel):
    """One mail to send. Its status guards against sending it twice."""

    user = ForeignKeyField(User, backref="mails", null=True, on_delete="SET NULL")
    user_id: int | None  # the foreign key's column, set by peewee
    kind = CharField()  # MailKind
    recipient = CharField()
    data = TextField(default="{}")  # JSON: what the template needs (the thought, a tweet id)
    status = CharField(default=MailStatus.QUEUED)
    job_id = CharField(unique=True)
    #: One mail per event: e.g. "welcome:<user id>:<address>", "tweet_failed:<tweet id>".
    dedupe_key = CharField(unique=True, null=True)
    error = TextField(null=True)
    attempts = IntegerField(default=0)
    request_id = CharField(null=True)
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    sent_at = DateTimeField(null=True)
    lease_until = DateTimeField(null=True)

    class Meta:
        indexes = ((("status", "updated_at"), False),)


#: Scheduled tweets not yet sent to a queue, soonest first: what the dispatcher takes
#: each tick. Partial: a sent tweet keeps its ``send_at``, and a million of those
#: would otherwise fill the range the dispatcher reads.
TWEET_DUE_INDEX = Tweet.index(
    Tweet.send_at,
    Tweet.id,
    name="tweet_due_send_at_id",
    where=(Tweet.status == TweetStatus.SCHEDULED) & Tweet.dispatched_at.is_null(),
)
#: One person's scheduled tweets, soonest first (My tweets lists them above the rest).
TWEET_SCHEDULED_INDEX = Tweet.index(
    Tweet.user,
    Tweet.send_at,
    Tweet.id,
    name="tweet_scheduled_user_id_send_at_id",
    where=Tweet.status == TweetStatus.SCHEDULED,
)
Tweet.add_index(TWEET_DUE_INDEX)
Tweet.add_index(TWEET_SCHEDULED_INDEX)
#: People by handle, whatever its case: the admin search finds them so.
USER_HANDLE_INDEX = User.index(fn.LOWER(User.username), name="user_username_lower")
User.add_index(USER_HANDLE_INDEX)


class ThreadPart(BaseModel):
    """One post of a thread, in order; the tweet row holds the first part's text too.

    Its ``x_tweet_id`` is the guard that a part is never posted twice: it is set
    as soon as X has taken the part, and a later attempt of the thread starts
    at the first part without one.
    """

    tweet = ForeignKeyField(Tweet, backref="parts", on_delete="CASCADE")
    tweet_id: int  # the foreign key's column, set by peewee
    position = IntegerField()  # 0 is the first part
    text = TextField()
    x_tweet_id = CharField(null=True)
    sent_at = DateTimeField(null=True)

    class Meta:
        table_name = "thread_part"
        indexes = ((("tweet", "position"), True),)


class MediaKind(StrEnum):
    """The image types X takes, by the MIME type X's media upload names them with."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    GIF = "image/gif"


class Media(BaseModel):
    """An uploaded image, attached to at most one tweet (one part of it). Its bytes are a
    row of their own (``MediaBytes``), so that attaching it, a small update, never
    rewrites megabytes (SQLite rewrites a whole row on every update)."""

    user = ForeignKeyField(User, backref="media", on_delete="CASCADE")
    user_id: int  # the foreign key's column, set by peewee
    kind = CharField()  # MediaKind
    size = IntegerField()
    width = IntegerField()
    height = IntegerField()
    alt_text = TextField(default="")
    sha256 = CharField()
    created_at = DateTimeField(default=_now, index=True)
    tweet = ForeignKeyField(Tweet, backref="media", null=True, on_delete="CASCADE")
    tweet_id: int | None  # the foreign key's column, set by peewee
    #: The thread part it goes with (0 for a single tweet), and its place among that
    #: part's images.
    position = IntegerField(null=True)
    slot = IntegerField(null=True)


class MediaBytes(BaseModel):
    """An image's bytes, kept in the database so that every tweeter replica on any host
    reads the same ones; deleted some time after its tweet is sent."""

    media = ForeignKeyField(Media, unique=True, backref="content", on_delete="CASCADE")
    media_id: int  # the foreign key's column, set by peewee
    data = BlobField()


class Webhook(BaseModel):
    """An HTTP endpoint of a person's, told of the events it subscribed to."""

    user = ForeignKeyField(User, backref="webhooks", on_delete="CASCADE")
    user_id: int  # the foreign key's column, set by peewee
    url = TextField()
    #: The WebhookEvent values it subscribed to, comma-separated.
    events = CharField()
    #: The Standard Webhooks signing secret ("whsec_..."), encrypted (SecretBox).
    secret = TextField()
    created_at = DateTimeField(default=_now)
    #: When the current run of failed attempts began; null after a success.
    failing_since = DateTimeField(null=True)
    #: Set when it failed for too long; no more events are recorded for it.
    disabled_at = DateTimeField(null=True)
    disabled_reason = TextField(null=True)

    class Meta:
        indexes = ((("user", "id"), False),)

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(e for e in self.events.split(",") if e)


class WebhookDelivery(BaseModel):
    """One event for one webhook: its body, kept the same on every attempt.

    Its text id is the ``webhook-id`` header of every attempt and the Dramatiq
    job id. ``event_key`` is unique per webhook: the same event recorded twice
    (a redelivered message) makes no second delivery.
    """

    id = CharField(primary_key=True)  # type: ignore[assignment]  # "msg_..." text id
    webhook = ForeignKeyField(Webhook, backref="deliveries", on_delete="CASCADE")
    webhook_id: int  # the foreign key's column, set by peewee
    event = CharField()  # WebhookEvent
    #: What happened to what: e.g. "tweet.sent:<tweet id>:<its job id>".
    event_key = CharField()
    payload = TextField()  # the JSON body, as sent
    status = CharField(default=DeliveryStatus.PENDING, index=True)
    attempts = IntegerField(default=0)
    error = TextField(null=True)
    created_at = DateTimeField(default=_now)
    updated_at = DateTimeField(default=_now)
    delivered_at = DateTimeField(null=True)
    #: When the next attempt is due (its job carries the delay; the sweeper checks).
    next_attempt_at = DateTimeField(null=True)
    lease_until = DateTimeField(null=True)

    class Meta:
        indexes = ((("webhook", "event_key"), True),)


class WebhookAttempt(BaseModel):
    """One HTTP call of a delivery: when, the answer's status, how long, what failed."""

    delivery = ForeignKeyField(WebhookDelivery, backref="attempt_rows", on_delete="CASCADE")
    delivery_id: str  # the foreign key's column, set by peewee
    attempted_at = DateTimeField(default=_now)
    status_code = IntegerField(null=True)
    duration_ms = IntegerField()
    error = TextField(null=True)
    succeeded = BooleanField(default=False)


#: How long an idempotency key is remembered; the cleanup job deletes older ones.
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


class IdempotencyKey(BaseModel):
    """A request sent with an ``Idempotency-Key`` header and the answer it got.

    Written in the same transaction as the row the request created, so a key is
    remembered exactly when its tweet or mail exists; a retry with the same key
    gets this answer again instead of a second row. Kept a day.
    """

    user = ForeignKeyField(User, backref="idempotency_keys", on_delete="CASCADE")
    operation = CharField()  # "POST /api/tweets": a key names one request of one operation
    key = CharField(max_length=255)
    body_sha256 = CharField()  # of the decoded body, so a retry with another body is told apart
    status = IntegerField()
    answer = TextField()  # the JSON body answered
    location = CharField(null=True)
    created_at = DateTimeField(default=_now, index=True)

    class Meta:
        table_name = "idempotency_key"
        indexes = ((("user", "operation", "key"), True),)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    User,
    Session,
    OAuthRequest,
    ApiToken,
    XConnection,
    Tweet,
    Mail,
    ThreadPart,
    Media,
    MediaBytes,
    Webhook,
    WebhookDelivery,
    WebhookAttempt,
    IdempotencyKey,
)
