"""Asking for a mail: any service records a Mail row and sends its job (outbox rule)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import dramatiq
from peewee import IntegrityError

from .db import database
from .messages import SEND_MAIL, SendMail
from .models import Mail, MailKind, User
from .outbox import send_or_defer


def request_mail(
    broker: dramatiq.Broker,
    *,
    kind: MailKind,
    recipient: str,
    user: User | None,
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    request_id: str | None = None,
) -> Mail | None:
    """Record and enqueue one mail. None if a mail with ``dedupe_key`` exists already."""
    job_id = str(uuid.uuid4())
    try:
        with database.atomic():
            mail = Mail.create(
                user=user,
                kind=kind,
                recipient=recipient,
                data=json.dumps(data or {}),
                job_id=job_id,
                dedupe_key=dedupe_key,
                request_id=request_id,
            )
    except IntegrityError:
        if dedupe_key and Mail.get_or_none(Mail.dedupe_key == dedupe_key) is not None:
            return None
        raise
    send_or_defer(
        broker,
        SEND_MAIL,
        SendMail(mail_id=mail.id),
        job_id=job_id,
        owner_id=user.id if user is not None else None,
        request_id=request_id,
    )
    return mail
