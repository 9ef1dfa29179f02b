"""The caller's account: who they are and the address notices are mailed to.

The first address a user gives gets a welcome mail, sent once.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import dramatiq
import msgspec

from tweetnow.shared.clock import to_db, utcnow
from tweetnow.shared.logs import get_logger
from tweetnow.shared.models import Mail, MailKind, User
from tweetnow.shared.outbox import request_mail

from ..deps import WebDeps
from ..schemas import Me, MeUpdate
from .errors import Invalid
from .mail import normalized_address

log = get_logger(__name__)


def check_time_zone(name: str) -> str:
    """An IANA time zone name zoneinfo knows (e.g. "Europe/Paris"), or Invalid."""
    name = name.strip()
    if name not in available_timezones() and name != "UTC":
        raise Invalid(
            f"{name!r} is not an IANA time zone name such as Europe/Paris or America/New_York.",
            field="time_zone",
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"{name!r} is not a time zone this server knows.", field="time_zone"
        ) from None
    return name


def welcome_key(user: User) -> str:
    return f"welcome:{user.id}"


def request_welcome(
    broker: dramatiq.Broker, user: User, *, request_id: str | None = None
) -> Mail | None:
    """Ask the mailer to welcome ``user`` at their (just saved) address.

    Call it after the address is committed. Only the first address gets a
    welcome: None when the user was welcomed before, or has no address.
    """
    if not user.email:
        return None
    mail = request_mail(
        broker,
        kind=MailKind.WELCOME,
        recipient=user.email,
        user=user,
        data={},
        dedupe_key=welcome_key(user),
        request_id=request_id,
    )
    if mail is not None:
        log.info("welcome_requested", user_id=user.id, mail_id=mail.id, job_id=mail.job_id)
    return mail


class AccountService:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    def me(self, user: User) -> Me:
        return Me(
            id=user.id,
            username=user.username,
            name=user.name,
            email=user.email,
            time_zone=user.time_zone,
        )

    def update(self, user: User, request: MeUpdate, *, request_id: str | None) -> Me:
        """Change what the request sends; an omitted field is left as it is."""
        # Every field is checked before any is saved: a refused request changes nothing.
        if request.time_zone is not msgspec.UNSET:
            check_time_zone(request.time_zone)
        if request.email is not msgspec.UNSET:
            self._set_email(user, request.email, request_id=request_id)
        if request.time_zone is not msgspec.UNSET:
            self.set_time_zone(user, request.time_zone)
        return self.me(user)

    def set_time_zone(self, user: User, name: str) -> None:
        """Show and take the pages' times in ``name`` (an IANA zone) from now on."""
        zone = check_time_zone(name)
        if zone != user.time_zone:
            User.update(time_zone=zone, updated_at=to_db(utcnow())).where(
                User.id == user.id
            ).execute()
            user.time_zone = zone
            self.deps.token_cache.user_changed(user.id)
            log.info("time_zone_changed", user_id=user.id, time_zone=zone)

    def _set_email(self, user: User, address: str | None, *, request_id: str | None) -> None:
        """Save the address for notices (None or blank removes it) and welcome a first one."""
        email = None
        if address is not None and address.strip():
            email = normalized_address(address, problem="is not a valid email address")
        if email != user.email:
            User.update(email=email, updated_at=to_db(utcnow())).where(User.id == user.id).execute()
            user.email = email
            self.deps.token_cache.user_changed(user.id)
            log.info("email_changed", user_id=user.id, removed=email is None)
            request_welcome(self.deps.broker, user, request_id=request_id)
