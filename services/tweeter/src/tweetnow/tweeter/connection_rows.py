"""What the tweeter records on a person's X connections: when one was last used, and
when X stopped taking its access (it then needs reconnecting)."""

from __future__ import annotations

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import ConnectionStatus, XConnection


def mark_used(connection_id: int) -> None:
    """A tweet just went out through the connection: the account page shows when."""
    XConnection.update(last_used_at=to_db(utcnow())).where(
        XConnection.id == connection_id
    ).execute()


def mark_reconnect_needed(connection_id: int, reason: str) -> bool:
    """Move an active connection to ``reconnect_needed`` with ``reason``. True only for
    the one caller that made the change: a redelivered message, or two tweeters meeting
    the same refusal at once, find it already changed (one break, one notice)."""
    return bool(
        XConnection.update(
            status=ConnectionStatus.RECONNECT_NEEDED,
            status_reason=reason,
            updated_at=to_db(utcnow()),
        )
        .where((XConnection.id == connection_id) & (XConnection.status == ConnectionStatus.ACTIVE))
        .execute()
    )


def needs_reconnecting(connection_id: int) -> XConnection | None:
    """The connection, if it cannot post until its person reconnects it."""
    return XConnection.get_or_none(
        (XConnection.id == connection_id)
        & (XConnection.status == ConnectionStatus.RECONNECT_NEEDED)
    )
