"""SMTP: where mail goes (``SMTP_URL``) and handing one message over.

- ``smtp://host:port``: plain SMTP (a local relay or mail catcher);
- ``smtp+starttls://user:pass@host:587``: upgrade to TLS with STARTTLS, then log in;
- ``smtps://user:pass@host:465``: TLS from the first byte (implicit TLS), then log in.

User and password are percent-decoded, so ``%40`` stands for an ``@`` in a user name.

A connection per message keeps the worker simple and stateless: no pooled
connection goes stale between jobs, and any worker thread can send.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import StrEnum
from urllib.parse import unquote, urlsplit


class Security(StrEnum):
    PLAIN = "plain"
    STARTTLS = "starttls"
    TLS = "tls"


_SCHEMES = {
    "smtp": (Security.PLAIN, 25),
    "smtp+starttls": (Security.STARTTLS, 587),
    "smtps": (Security.TLS, 465),
}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def login(self) -> bool:
        return self.username is not None

    def describe(self) -> str:
        """For logs: no password."""
        scheme = next(name for name, (sec, _) in _SCHEMES.items() if sec is self.security)
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    """The SMTP server named by ``url``; ValueError says what is wrong with it."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        known = ", ".join(f"{s}://" for s in _SCHEMES)
        raise ValueError(f"SMTP_URL must start with one of {known}; got {parts.scheme!r}")
    security, default_port = _SCHEMES[scheme]
    if not parts.hostname:
        raise ValueError("SMTP_URL names no host, e.g. smtp://127.0.0.1:1025")
    try:
        port = parts.port or default_port
    except ValueError:
        raise ValueError("SMTP_URL has a port that is not a number from 1 to 65535") from None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("SMTP_URL takes no path or query: scheme://user:password@host:port")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if username is not None and password is None:
        raise ValueError("SMTP_URL has a user but no password: scheme://user:password@host")
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        security=security,
        username=username,
        password=password,
    )


class SmtpSender:
    def __init__(
        self,
        target: SmtpTarget,
        *,
        timeout_s: float,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.target = target
        self.timeout_s = timeout_s
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.local_hostname = local_hostname

    def _connect(self) -> smtplib.SMTP:
        t = self.target
        if t.security is Security.TLS:
            return smtplib.SMTP_SSL(
                t.host,
                t.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout_s,
                context=self.ssl_context,
            )
        return smtplib.SMTP(
            t.host, t.port, local_hostname=self.local_hostname, timeout=self.timeout_s
        )

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        """Deliver ``message`` to ``recipient``; smtplib's exceptions say what went wrong.

        Raises ``SMTPRecipientsRefused`` when the server refuses the recipient
        (smtplib does so only when every recipient is refused; there is one).
        """
        smtp = self._connect()
        try:
            smtp.ehlo()
            if self.target.security is Security.STARTTLS:
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if self.target.login:
                assert self.target.username is not None and self.target.password is not None
                smtp.login(self.target.username, self.target.password)
            smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        finally:
            _hang_up(smtp)


def _hang_up(smtp: smtplib.SMTP) -> None:
    """QUIT politely; once the server has taken the message, a failure here changes nothing."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.quit()
    smtp.close()
