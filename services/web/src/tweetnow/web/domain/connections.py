"""A person's connected X accounts: the one they sign in with, and others they connect
from the account page to post as.

Signing in (or connecting) again with an account already connected refreshes its
tokens and makes it active again; an X account is connected at most once per person.
"""

from __future__ import annotations

from tweetnow.shared.clock import iso, to_db, utcnow
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.db import database
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import (
    ConnectionMethod,
    ConnectionStatus,
    User,
    XConnection,
)

from ..schemas import Account, timestamp
from ..x_signin import XAccount
from .errors import Invalid

log = get_logger(__name__)


def save_connection(
    box: SecretBox, user: User, account: XAccount, method: ConnectionMethod
) -> XConnection:
    """Connect ``account`` to ``user`` with fresh tokens, or renew its connection."""
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
    return XConnection.get_by_id(found.id)


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
