"""Where a webhook may point: the guard against making our workers call private networks.

A webhook URL is the caller's choice, and the workers that call it sit inside
our network: without a guard, ``http://10.0.0.5/admin`` or
``http://169.254.169.254/`` (a cloud's metadata service) would have the mailer
call them on the caller's behalf. So the host is resolved and every address it
resolves to must be public: not loopback, private, link-local, multicast,
reserved, unspecified or shared (CGNAT) space. This is checked when the webhook
is created (the answer says why it is refused) and again at every delivery,
after resolving anew, and the delivery connects to the very address that was
checked: a name that resolved to a public address at creation and to a
private one later (DNS rebinding) is refused then too.

``WEBHOOK_ALLOW_PRIVATE=1`` (development and tests, whose receivers listen on
127.0.0.1) lets any address through; production refuses to start with it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: The longest webhook URL accepted.
MAX_URL_LENGTH = 2000

#: Kinds of addresses a webhook may not reach, in the words the refusal uses.
_NOT_PUBLIC = (
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_unspecified", "unspecified"),
    ("is_reserved", "reserved"),
    ("is_private", "private"),
)


class RefusedUrl(ValueError):
    """The URL cannot be a webhook; the message says why, for the person who gave it."""


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook URL taken apart, with the address it is to be called at."""

    scheme: str
    host: str
    port: int
    #: Path and query, as sent in the request line.
    path: str
    address: str


def parse_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path)`` of an http(s) URL, or RefusedUrl saying what is wrong."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url.strip())
        hostname = parts.hostname
    except ValueError as exc:
        raise RefusedUrl(f"The URL cannot be read: {exc}.") from None
    if parts.scheme not in ("http", "https"):
        raise RefusedUrl("The URL must start with https:// (or http://).")
    if not hostname:
        raise RefusedUrl("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedUrl("The URL may not hold a user name or password.")
    if parts.fragment:
        raise RefusedUrl("The URL may not have a #fragment.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedUrl("The URL's port is not a number from 1 to 65535.") from None
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    if any(c.isspace() or ord(c) < 32 for c in url.strip()):
        raise RefusedUrl("The URL may not hold spaces or control characters.")
    return parts.scheme, hostname.lower(), port, path


def why_not_public(address: IPAddress) -> str | None:
    """What kind of non-public address this is, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for attribute, kind in _NOT_PUBLIC:
        if getattr(address, attribute):
            return kind
    if not address.is_global:
        return "special-purpose"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, in the resolver's order (RefusedUrl if none)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:  # gaierror, and IDNA or NUL trouble in the name
        raise RefusedUrl(f"The host {host} cannot be resolved ({exc}).") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RefusedUrl(f"The host {host} resolves to no address.")
    return addresses


def check_url(url: str, *, allow_private: bool) -> WebhookTarget:
    """Resolve the URL's host now and the address to call it at; RefusedUrl if any
    address it resolves to is not public (unless ``allow_private``)."""
    scheme, host, port, path = parse_url(url)
    addresses = resolve(host, port)
    if not allow_private:
        for address in addresses:
            kind = why_not_public(address)
            if kind is not None:
                raise RefusedUrl(
                    f"The host {host} resolves to {address}, a {kind} address: "
                    "webhooks may only call public addresses."
                )
    return WebhookTarget(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))
