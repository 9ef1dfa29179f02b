"""A person's connected X accounts: the one they sign in with, and others they connect
from the account page to post as.

Signing in (or connecting) again with an account already connected refreshes its
tokens and makes it active again, and its held tweets go on (each with a new job, once);
an X account is connected at most once per person. Disconnecting one erases its tokens
and cancels its pending tweets; the row stays, for the tweets sent through it.
"""

from __future__ import annotations

import uuid

import dramatiq
import redis

from tweetnow.shared.clock import from_db, iso, to_db, utcnow
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.db import database
from tweetnow.shared.jobs import JobStatusStore
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import (
    ConnectionMethod,
    ConnectionStatus,
    Tweet,
    TweetStatus,
    User,
    XConnection,
)
from tweetnow.shared.outbox import enqueue_tweet

from ..schemas import Account, timestamp
from ..x_signin import XAccount
from .errors import Conflict, Invalid, NotFound

log = get_logger(__name__)


def save_connection(
    box: SecretBox,
    user: User,
    account: XAccount,
    method: ConnectionMethod,
    broker: dramatiq.Broker | None = None,
) -> XConnection:
    """Connect ``account`` to ``user`` with fresh tokens, or renew its connection (then,
    with ``broker``, its held tweets go on)."""
    now = to_db(utcnow())
    fields = {
        "username": account.username,
        "name": account.name,
        "method": method.value,
        "access_token": box.encrypt(account.access_token),
        "access_secret": box.encrypt(account.access_token_secret),
        "expires_at": to_db(account.expires_at) if account.expires_at else None,
        "status": ConnectionStatus.ACTIVE.value,
        "status_reason": None,
        "updated_at": now,
    }
    with database.atomic():
        found = XConnection.get_or_none(
            (XConnection.user == user) & (XConnection.x_user_id == account.x_user_id)
        )
        if found is None:
            connection = XConnection.create(user=user, x_user_id=account.x_user_id, **fields)
            log.info("x_account_connected", user_id=user.id, connection_id=connection.id)
            return connection
        XConnection.update(**fields).where(XConnection.id == found.id).execute()
    if found.status != ConnectionStatus.ACTIVE:
        log.info("x_account_reconnected", user_id=user.id, connection_id=found.id)
    if broker is not None:
        release_held(broker, found.id)
    return XConnection.get_by_id(found.id)


def release_held(broker: dramatiq.Broker, connection_id: int) -> int:
    """Send the connection's held tweets on, each with a new job (exactly once: each row
    leaves ``held`` in one guarded update); one whose time is still ahead is scheduled
    again, for the dispatcher. How many were released."""
    now = utcnow()
    held = list(
        Tweet.select().where(
            (Tweet.connection == connection_id) & (Tweet.status == TweetStatus.HELD)
        )
    )
    released = 0
    for tweet in held:
        send_at = from_db(tweet.send_at)
        later = send_at is not None and send_at > now
        taken = (
            Tweet.update(
                status=TweetStatus.SCHEDULED if later else TweetStatus.QUEUED,
                job_id=str(uuid.uuid4()),
                error=None,
                dispatched_at=None if later else to_db(now),
                updated_at=to_db(now),
            )
            .where((Tweet.id == tweet.id) & (Tweet.status == TweetStatus.HELD))
            .execute()
        )
        if not taken:
            continue
        released += 1
        if not later:
            # If Redis fails here, the sweeper sends it (a queued row without a live job).
            enqueue_tweet(broker, Tweet.get_by_id(tweet.id))
    if released:
        log.info("held_tweets_released", connection_id=connection_id, released=released)
    return released


def disconnected_reason(handle: str) -> str:
    return f"the X account @{handle} was disconnected"


#: A disconnected account's tweets that have not started are canceled.
STOPPED_BY_DISCONNECT = (TweetStatus.SCHEDULED, TweetStatus.QUEUED, TweetStatus.HELD)


def disconnect(jobs: JobStatusStore, user: User, connection_id: int) -> XConnection:
    """Disconnect one of ``user``'s connected accounts: its tokens are erased and its
    tweets that have not started are canceled, with the reason. A tweet already sending
    finishes. The account signed in with cannot be disconnected."""
    connection = XConnection.get_or_none(
        (XConnection.id == connection_id) & (XConnection.user == user)
    )
    if connection is None:
        raise NotFound("connected X account")
    if connection.x_user_id == user.x_user_id:
        raise Conflict(
            "Signed in with this account",
            f"@{connection.username} is the X account you sign in with; it stays connected "
            "as long as your tweetnow account exists.",
        )
    reason = disconnected_reason(connection.username)
    now = to_db(utcnow())
    with database.atomic():
        XConnection.update(
            status=ConnectionStatus.DISCONNECTED,
            status_reason=reason,
            access_token="",
            access_secret="",
            expires_at=None,
            updated_at=now,
        ).where(XConnection.id == connection.id).execute()
        stopped = list(
            Tweet.select(Tweet.id, Tweet.job_id).where(
                (Tweet.connection == connection.id) & Tweet.status.in_(STOPPED_BY_DISCONNECT)
            )
        )
        Tweet.update(status=TweetStatus.CANCELED, error=reason, updated_at=now).where(
            (Tweet.connection == connection.id) & Tweet.status.in_(STOPPED_BY_DISCONNECT)
        ).execute()
    for tweet in stopped:
        try:
            jobs.record_canceled(tweet.job_id)
        except redis.RedisError:
            log.warning("job_cancel_not_recorded", job_id=tweet.job_id)
    log.info(
        "x_account_disconnected",
        user_id=user.id,
        connection_id=connection.id,
        tweets_canceled=len(stopped),
    )
    return XConnection.get_by_id(connection.id)


def needing_reconnect(user: User) -> list[XConnection]:
    """The person's connections X no longer takes: the pages show a banner for them."""
    return list(
        XConnection.select()
        .where(
            (XConnection.user == user) & (XConnection.status == ConnectionStatus.RECONNECT_NEEDED)
        )
        .order_by(XConnection.id)
    )


def signin_connection(user: User) -> XConnection | None:
    """The connection of the X account ``user`` signs in with (None for a row made
    without one)."""
    return XConnection.get_or_none(
        (XConnection.user == user) & (XConnection.x_user_id == user.x_user_id)
    )


def connection_to_post_with(user: User, account_id: int | None) -> XConnection | None:
    """The connection a new tweet of ``user`` posts through: ``account_id`` when given
    (it must be theirs and active), else their sign-in account's."""
    if account_id is None:
        return signin_connection(user)
    connection = XConnection.get_or_none(
        (XConnection.id == account_id) & (XConnection.user == user)
    )
    if connection is None:
        raise Invalid(
            f"`account_id` {account_id} is not one of your connected X accounts "
            "(see GET /api/accounts).",
            field="account_id",
        )
    if connection.status != ConnectionStatus.ACTIVE:
        raise Invalid(
            f"The X account @{connection.username} must be reconnected before it can post "
            "(account page, Connect).",
            field="account_id",
        )
    return connection


def connections_of(user: User) -> list[XConnection]:
    """The person's connections, the sign-in account first, then in the order connected."""
    rows = list(XConnection.select().where(XConnection.user == user).order_by(XConnection.id))
    return sorted(rows, key=lambda c: c.x_user_id != user.x_user_id)


def account_answer(user: User, connection: XConnection) -> Account:
    return Account(
        id=connection.id,
        x_user_id=connection.x_user_id,
        username=connection.username,
        name=connection.name,
        method=ConnectionMethod(connection.method),
        status=ConnectionStatus(connection.status),
        status_reason=connection.status_reason,
        signed_in_with=connection.x_user_id == user.x_user_id,
        connected_at=timestamp(connection.created_at),
        last_used_at=iso(connection.last_used_at),
    )


def accounts_of(user: User) -> list[Account]:
    return [account_answer(user, c) for c in connections_of(user)]
