"""What the tweeter records on a person's X connections."""

from __future__ import annotations

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.models import XConnection


def mark_used(connection_id: int) -> None:
    """A tweet just went out through the connection: the account page shows when."""
    XConnection.update(last_used_at=to_db(utcnow())).where(
        XConnection.id == connection_id
    ).execute()
