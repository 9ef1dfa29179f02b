"""State changes of a mail row, each one guarded so that a redelivered or
duplicated message never sends the same mail twice.

A ``queued`` mail, or a ``sending`` one whose lease has run out (its worker
died), can be claimed (leases: tweetnow.shared.leases). ``sent`` and
``failed`` rows are never touched again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tweetnow.shared import leases
from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.leases import Busy, Finished
from tweetnow.shared.models import Mail, MailStatus


@dataclass(frozen=True)
class Claimed:
    mail: Mail
    #: Taken from a worker whose lease ran out mid-send: that worker's copy may have
    #: been delivered (the same Message-ID lets the receiver drop a second one).
    took_over: bool


def claim(mail_id: int, lease_s: float) -> Claimed | Busy | Finished | None:
    """Take the mail for one sending attempt, or say why not (None: no such mail)."""
    mail = Mail.get_or_none(Mail.id == mail_id)
    if mail is None:
        return None
    if leases.take(Mail, mail_id, lease_s=lease_s, claimable=Mail.status == MailStatus.QUEUED):
        return Claimed(mail=Mail.get_by_id(mail_id), took_over=mail.status == MailStatus.SENDING)
    return leases.why_not(Mail.get_by_id(mail_id))


def data_of(mail: Mail) -> dict[str, Any]:
    """The mail's JSON data as a dict (empty if it is not an object)."""
    try:
        data = json.loads(mail.data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def remember(mail_id: int, **fields: Any) -> bool:
    """Merge ``fields`` into the data of a mail this worker is sending (e.g. the GIF found),
    so a later attempt sends the same content."""
    mail = Mail.get_or_none((Mail.id == mail_id) & (Mail.status == MailStatus.SENDING))
    if mail is None:
        return False
    data = {**data_of(mail), **fields}
    return bool(
        Mail.update(data=json.dumps(data), updated_at=to_db(utcnow()))
        .where((Mail.id == mail_id) & (Mail.status == MailStatus.SENDING))
        .execute()
    )


def mark_sent(mail_id: int) -> bool:
    return leases.finish(Mail, mail_id, status=MailStatus.SENT, sent_at=to_db(utcnow()), error=None)


def mark_failed(mail_id: int, reason: str) -> bool:
    return leases.finish(Mail, mail_id, status=MailStatus.FAILED, error=reason)


def release(mail_id: int, reason: str) -> bool:
    """Back to ``queued`` after an attempt the SMTP server did not take; a retry follows."""
    return leases.finish(Mail, mail_id, status=MailStatus.QUEUED, error=reason)
