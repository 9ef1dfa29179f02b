"""Sorting what went wrong while sending a mail into what the worker does next.

- transient (4xx replies, connection refused, timeouts, disconnects, TLS
  hiccups): the mail goes back to ``queued`` and is tried again with backoff;
- permanent (5xx replies, a refused or invalid recipient, a server that lacks
  a feature we need, a mail that cannot be rendered): the mail ends ``failed``
  at once, with the reason.

Each failure is said twice: a summary for the person who asked for the mail
(the mail row's error), and the reason with the server's reply as it came, for
operators (the job's error, on the admin dashboard).

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
    #: What the person who asked for the mail is shown: what happened, in words they
    #: can act on, without the mail server's own reply (it can name hosts, policies
    #: and other people's addresses).
    summary: str
    #: The same with the server's reply as it came, for operators: the job's error,
    #: which the admin dashboard shows.
    reason: str

    @property
    def permanent(self) -> bool:
        return self.outcome is Outcome.PERMANENT


def _failure(outcome: Outcome, summary: str, reason: str | None = None) -> MailFailure:
    return MailFailure(outcome, summary, reason or summary)


class UndeliverableMail(Exception):
    """Known before talking to any server: this mail can never be sent."""


class InvalidRecipient(UndeliverableMail):
    """The recipient is not an address any SMTP server could take."""


class UnrenderableMail(UndeliverableMail):
    """What the mail is about is gone or unreadable (e.g. its tweet was deleted)."""


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


def _by_code(code: int, summary: str, reason: str) -> MailFailure:
    """4yz is worth another try (and said so to the person), 5yz is not."""
    if 400 <= code < 500:
        return MailFailure(Outcome.TRANSIENT, "the mail server asked to try again later", reason)
    return MailFailure(Outcome.PERMANENT, summary, reason)


def classify(exc: BaseException) -> MailFailure | None:
    """What this exception from sending means, or None if it is not about SMTP."""
    if isinstance(exc, InvalidRecipient):
        return _failure(
            Outcome.PERMANENT,
            "the recipient address is not valid",
            f"the recipient address is not valid: {exc}",
        )
    if isinstance(exc, UndeliverableMail):
        return _failure(Outcome.PERMANENT, str(exc))
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # One recipient per message: the first (only) entry is ours.
        refused = next(iter(exc.recipients.items()), None)
        summary = "the receiving mail server refused the address"
        if refused is None:
            return _failure(Outcome.PERMANENT, summary)
        address, (code, text) = refused
        return _by_code(
            code, summary, f"the receiving mail server refused {address}: {_reply(code, text)}"
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _by_code(
            exc.smtp_code,
            "our mail server refused to send it",
            f"the mail server refused the mailer's login ({_reply(exc.smtp_code, exc.smtp_error)})",
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _by_code(
            exc.smtp_code,
            "our mail server refused to send it",
            f"the mail server refused the sender {exc.sender}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}",
        )
    if isinstance(exc, smtplib.SMTPConnectError):
        return _by_code(
            exc.smtp_code,
            "the mail server turned the connection away",
            f"the mail server turned the connection away: {_reply(exc.smtp_code, exc.smtp_error)}",
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        if code < 400:  # smtplib uses -1 when the reply could not be read
            return _failure(
                Outcome.TRANSIENT,
                "the mail server gave an unreadable answer",
                f"the mail server gave an unreadable answer ({exc})",
            )
        return _by_code(
            code,
            "the mail server did not take the mail",
            f"the mail server answered {_reply(code, exc.smtp_error)}",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return _failure(
            Outcome.PERMANENT,
            "the mail server lacks what this mail needs",
            f"the mail server lacks what this mail needs: {exc}",
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if "timed out" in str(exc):  # smtplib wraps a read timeout in this exception
            return _failure(Outcome.TRANSIENT, "the mail server did not answer in time")
        return _failure(Outcome.TRANSIENT, "the mail server closed the connection")
    if isinstance(exc, smtplib.SMTPException):
        return _failure(
            Outcome.TRANSIENT,
            "something went wrong with the mail server",
            f"SMTP went wrong: {exc}",
        )
    if isinstance(exc, TimeoutError):
        return _failure(Outcome.TRANSIENT, "the mail server did not answer in time")
    if isinstance(exc, ConnectionRefusedError):
        return _failure(
            Outcome.TRANSIENT, "could not connect to the mail server (connection refused)"
        )
    if isinstance(exc, socket.gaierror):
        return _failure(Outcome.TRANSIENT, "could not look up the mail server's address")
    if isinstance(exc, ssl.SSLError):
        detail = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or exc
        return _failure(
            Outcome.TRANSIENT,
            "a secure connection to the mail server failed",
            f"TLS with the mail server failed ({detail})",
        )
    if isinstance(exc, OSError):
        detail = exc.strerror or type(exc).__name__
        return _failure(
            Outcome.TRANSIENT,
            "could not talk to the mail server",
            f"could not talk to the mail server ({detail})",
        )
    return None


def unexpected(exc: BaseException) -> MailFailure:
    """A failure ``classify`` does not know: retried, its details for operators only."""
    return MailFailure(Outcome.TRANSIENT, "an unexpected error", f"{type(exc).__name__}: {exc}")
