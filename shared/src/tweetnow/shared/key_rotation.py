"""``tweetnow-rotate-keys``: re-encrypt every stored X token and webhook signing secret with
the first key of ENCRYPTION_KEYS.

Fernet keys rotate in three steps: put the new key first in ENCRYPTION_KEYS
(the old ones stay listed, so tokens encrypted with them still decrypt) and
restart the services; run this command; then drop the old keys. Once it has
run, the new key alone decrypts every token, so dropping an old key loses
nothing.

Each row is rewritten only if its tokens are still the ones read, so a person
signing in meanwhile (whose new tokens the web encrypts with the new key
already) keeps them. A token no listed key decrypts is reported and left as it
is, and the command then exits non-zero: keep the old keys until that is
understood.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from peewee import Database

from .crypto import SecretBox
from .db import open_database
from .logs import configure_logging, get_logger
from .models import User, Webhook, XConnection
from .settings import startup_settings

log = get_logger(__name__)


@dataclass(frozen=True)
class RotationReport:
    #: Users whose tokens are now encrypted with the first key.
    rotated: int
    #: Users whose tokens no listed key decrypts (left untouched).
    unreadable: tuple[int, ...]
    #: Connected X accounts whose tokens are now encrypted with the first key.
    connections_rotated: int = 0
    #: Connections whose tokens no listed key decrypts (left untouched).
    connections_unreadable: tuple[int, ...] = ()


def rotate_tokens(db: Database, box: SecretBox) -> RotationReport:
    """Re-encrypt every user's X tokens with ``box``'s first key."""
    rotated = 0
    unreadable: list[int] = []
    with db.connection_context():
        for user in list(User.select(User.id, User.x_access_token, User.x_access_secret)):
            user_id, token, secret = user.id, user.x_access_token, user.x_access_secret
            try:
                new_token, new_secret = box.rotate(token), box.rotate(secret)
            except InvalidToken:
                unreadable.append(user_id)
                continue
            rotated += (
                User.update(x_access_token=new_token, x_access_secret=new_secret)
                .where(
                    (User.id == user_id)
                    & (User.x_access_token == token)
                    & (User.x_access_secret == secret)
                )
                .execute()
            )
        connections_rotated, connections_unreadable = _rotate_connections(box)
    return RotationReport(
        rotated=rotated,
        unreadable=tuple(unreadable),
        connections_rotated=connections_rotated,
        connections_unreadable=connections_unreadable,
    )


def _rotate_connections(box: SecretBox) -> tuple[int, tuple[int, ...]]:
    """Re-encrypt every connected X account's tokens, each row only if still as read."""
    rotated = 0
    unreadable: list[int] = []
    query = XConnection.select(XConnection.id, XConnection.access_token, XConnection.access_secret)
    for connection in list(query):
        token, secret = connection.access_token, connection.access_secret
        try:
            new_token, new_secret = box.rotate(token), box.rotate(secret)
        except InvalidToken:
            unreadable.append(connection.id)
            continue
        rotated += (
            XConnection.update(access_token=new_token, access_secret=new_secret)
            .where(
                (XConnection.id == connection.id)
                & (XConnection.access_token == token)
                & (XConnection.access_secret == secret)
            )
            .execute()
        )
    return rotated, tuple(unreadable)


def rotate_webhook_secrets(db: Database, box: SecretBox) -> RotationReport:
    """Re-encrypt every webhook's signing secret with ``box``'s first key (the report
    counts webhooks, and names the unreadable ones by webhook id)."""
    rotated = 0
    unreadable: list[int] = []
    with db.connection_context():
        for hook in list(Webhook.select(Webhook.id, Webhook.secret)):
            try:
                new_secret = box.rotate(hook.secret)
            except InvalidToken:
                unreadable.append(hook.id)
                continue
            rotated += (
                Webhook.update(secret=new_secret)
                .where((Webhook.id == hook.id) & (Webhook.secret == hook.secret))
                .execute()
            )
    return RotationReport(rotated=rotated, unreadable=tuple(unreadable))


def main() -> None:
    settings = startup_settings()
    configure_logging(settings.log_level, settings.log_format)
    box = SecretBox(settings.encryption_keys)
    db = open_database(settings.database_url)
    report = rotate_tokens(db, box)
    hooks = rotate_webhook_secrets(db, box)
    if hooks.unreadable:
        log.error(
            "webhook_secrets_not_rotated",
            reason="no key in ENCRYPTION_KEYS decrypts them; keep the old keys",
            webhook_ids=list(hooks.unreadable),
            rotated=hooks.rotated,
        )
    if report.unreadable or report.connections_unreadable:
        log.error(
            "tokens_not_rotated",
            reason="no key in ENCRYPTION_KEYS decrypts them; keep the old keys",
            user_ids=list(report.unreadable),
            connection_ids=list(report.connections_unreadable),
            rotated=report.rotated,
        )
    if report.unreadable or report.connections_unreadable or hooks.unreadable:
        sys.exit(1)
    log.info(
        "tokens_rotated",
        users=report.rotated,
        connections=report.connections_rotated,
        webhooks=hooks.rotated,
    )
