"""The MIME message of one mail: headers, a plain-text part and an HTML alternative.

The ``Message-ID`` is derived from the mail row, so every attempt at the same
mail carries the same id: a receiving system that saw it once can drop a
second copy (the one case we cannot rule out: the server took the message but
the connection broke before it said so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

from .rendering import RenderedMail
from .send_failures import InvalidRecipient


@dataclass(frozen=True)
class Sender:
    """``MAIL_FROM`` split into the ``From:`` header and the envelope address."""

    header: str  # e.g. "tweetnow <no-reply@tweetnow.example>"
    address: str  # e.g. "no-reply@tweetnow.example"

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @classmethod
    def parse(cls, mail_from: str) -> Sender:
        pairs = getaddresses([mail_from])
        if len(pairs) != 1 or "@" not in pairs[0][1]:
            raise ValueError(
                f"MAIL_FROM must be one address, e.g. 'tweetnow <no-reply@example.com>'; "
                f"got {mail_from!r}"
            )
        name, address = pairs[0]
        header = str(Address(display_name=name, addr_spec=address))
        return cls(header=header, address=address)


def check_recipient(recipient: str) -> str:
    """The recipient as an addr-spec, or InvalidRecipient saying why it is not one."""
    if any(c in recipient for c in "\r\n"):
        raise InvalidRecipient("it contains a line break")
    try:
        address = Address(addr_spec=recipient.strip())
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise InvalidRecipient(f"{recipient!r} ({exc})") from None
    if not address.username or "." not in address.domain.strip("."):
        raise InvalidRecipient(f"{recipient!r} has no user or no domain with a dot")
    return address.addr_spec


def message_id_for(mail_id: int, job_id: str, domain: str) -> str:
    """The same ``Message-ID`` for every attempt at one mail row."""
    return f"<mail-{mail_id}.{job_id}@{domain}>"


def build_email(
    rendered: RenderedMail,
    *,
    sender: Sender,
    recipient: str,
    message_id: str,
    date: datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender.header
    message["To"] = recipient
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    # An automatic mail (RFC 3834): vacation responders should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
