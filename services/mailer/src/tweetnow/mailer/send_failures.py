"""Sorting what went wrong while sending a mail into what the worker does next.

- transient (4xx replies, connection refused, timeouts, disconnects, TLS
  hiccups): the mail goes back to ``queued`` and is tried again with backoff;
- permanent (5xx replies, a refused or invalid recipient, a server that lacks
  a feature we need, a mail that cannot be rendered): the mail ends ``failed``
  at once, with the reason.

SMTP's reply code says which is which: 4yz is "try again later", 5yz is "this
will never work" (RFC 5321, section 4.2.1).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from enum import Enum


class Outcome(Enum):
    TRANSIENT = "transient"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class MailFailure:
    outcome: Outcome
    reason: str  # in words a person can act on

    @property
    def permanent(self) -> bool:
        return self.outcome is Outcome.PERMANENT


class UndeliverableMail(Exception):
    """Known before talking to any server: this mail can never be sent."""


class InvalidRecipient(UndeliverableMail):
    """The recipient is not an address any SMTP server could take."""


class UnrenderableMail(UndeliverableMail):
    """What the mail is about is gone or unreadable (e.g. its tweet was deleted)."""


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


def _by_code(code: int, reason: str) -> MailFailure:
    if 400 <= code < 500:
        return MailFailure(Outcome.TRANSIENT, reason)
    return MailFailure(Outcome.PERMANENT, reason)


def classify(exc: BaseException) -> MailFailure | None:
    """What this exception from sending means, or None if it is not about SMTP."""
    if isinstance(exc, InvalidRecipient):
        return MailFailure(Outcome.PERMANENT, f"the recipient address is not valid: {exc}")
    if isinstance(exc, UndeliverableMail):
        return MailFailure(Outcome.PERMANENT, str(exc))
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # One recipient per message: the first (only) entry is ours.
        refused = next(iter(exc.recipients.items()), None)
        if refused is None:
            return MailFailure(Outcome.PERMANENT, "the receiving mail server refused the recipient")
        address, (code, text) = refused
        return _by_code(code, f"the receiving mail server refused {address}: {_reply(code, text)}")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _by_code(
            exc.smtp_code,
            f"the mail server refused the mailer's login ({_reply(exc.smtp_code, exc.smtp_error)})",
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _by_code(
            exc.smtp_code,
            f"the mail server refused the sender {exc.sender}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}",
        )
    if isinstance(exc, smtplib.SMTPConnectError):
        return _by_code(
            exc.smtp_code,
            f"the mail server turned the connection away: {_reply(exc.smtp_code, exc.smtp_error)}",
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        if code < 400:  # smtplib uses -1 when the reply could not be read
            return MailFailure(
                Outcome.TRANSIENT, f"the mail server gave an unreadable answer ({exc})"
            )
        return _by_code(code, f"the mail server answered {_reply(code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailFailure(Outcome.PERMANENT, f"the mail server lacks what this mail needs: {exc}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if "timed out" in str(exc):  # smtplib wraps a read timeout in this exception
            return MailFailure(Outcome.TRANSIENT, "the mail server did not answer in time")
        return MailFailure(Outcome.TRANSIENT, "the mail server closed the connection")
    if isinstance(exc, smtplib.SMTPException):
        return MailFailure(Outcome.TRANSIENT, f"SMTP went wrong: {exc}")
    if isinstance(exc, TimeoutError):
        return MailFailure(Outcome.TRANSIENT, "the mail server did not answer in time")
    if isinstance(exc, ConnectionRefusedError):
        return MailFailure(
            Outcome.TRANSIENT, "could not connect to the mail server (connection refused)"
        )
    if isinstance(exc, socket.gaierror):
        return MailFailure(Outcome.TRANSIENT, "could not look up the mail server's address")
    if isinstance(exc, ssl.SSLError):
        detail = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or exc
        return MailFailure(Outcome.TRANSIENT, f"TLS with the mail server failed ({detail})")
    if isinstance(exc, OSError):
        detail = exc.strerror or type(exc).__name__
        return MailFailure(Outcome.TRANSIENT, f"could not talk to the mail server ({detail})")
    return None
