"""Leases on work rows (tweets, mails, webhook deliveries): how a worker takes a row,
and gives it back.

A worker *claims* a row by moving it to ``sending`` with a lease, in one
guarded UPDATE: only a row in a claimable status, or a ``sending`` one whose
lease has run out (its worker died), can be taken. Every later change is
guarded on ``sending`` too, so a redelivered or duplicated message can never
act on a row twice, and terminal rows are never touched again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import Expression

from .clock import from_db, to_db, utcnow
from .models import Mail, Tweet, WebhookDelivery

#: The rows workers take leases on.
LeasedRow = Tweet | Mail | WebhookDelivery
#: Their ids: counted, or text (a delivery's).
RowId = int | str

SENDING = "sending"


@dataclass(frozen=True)
class Busy:
    """Another worker holds the lease; look again when it ends."""

    lease_until: datetime


@dataclass(frozen=True)
class Finished:
    status: str


def take(model: type[LeasedRow], row_id: RowId, *, lease_s: float, claimable: Expression) -> bool:
    """Move the row to ``sending`` with a lease if ``claimable`` or its lease ran out."""
    now = utcnow()
    expired = (model.status == SENDING) & (model.lease_until < to_db(now))
    return bool(
        model.update(
            status=SENDING,
            attempts=model.attempts + 1,
            lease_until=to_db(now + timedelta(seconds=lease_s)),
            updated_at=to_db(now),
        )
        .where((model.id == row_id) & (claimable | expired))
        .execute()
    )


def why_not(row: LeasedRow) -> Busy | Finished:
    """Why a row could not be taken: a live lease, or it is done."""
    if row.status == SENDING:
        return Busy(lease_until=from_db(row.lease_until) or utcnow())
    return Finished(status=row.status)


def finish(model: type[LeasedRow], row_id: RowId, **fields: Any) -> bool:
    """End the lease with ``fields``; only a row still ``sending`` changes."""
    return bool(
        model.update(lease_until=None, updated_at=to_db(utcnow()), **fields)
        .where((model.id == row_id) & (model.status == SENDING))
        .execute()
    )
