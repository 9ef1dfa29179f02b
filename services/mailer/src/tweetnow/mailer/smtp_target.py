"""Where mail goes: the SMTP server named by ``SMTP_URL``.

- ``smtp://host:port``: plain SMTP (a local relay or mail catcher);
- ``smtp+starttls://user:pass@host:587``: upgrade to TLS with STARTTLS, then log in;
- ``smtps://user:pass@host:465``: TLS from the first byte (implicit TLS), then log in.

User and password are percent-decoded, so ``%40`` stands for an ``@`` in a user name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
