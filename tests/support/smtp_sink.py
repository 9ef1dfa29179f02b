"""A real SMTP server for tests: it keeps every message it accepts.

It listens on a free loopback port (aiosmtpd in a thread). Switches make it
answer like a troubled server: a transient ``451`` or a permanent ``554`` to
the next messages, a ``550`` for given recipients; ``stop()`` then ``start()``
gives "no server at first, then a server" on the same port. Optional TLS
(STARTTLS or implicit) and login, with a self-signed certificate for 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from functools import cached_property
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.support.processes import free_port

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    recipients: tuple[str, ...]
    raw: bytes
    login: str | None = None

    @cached_property
    def message(self) -> EmailMessage:
        # SMTP carries CRLF line ends; parse with Python's "\n" so parts compare as written.
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw.replace(b"\r\n", b"\n"))
        assert isinstance(parsed, EmailMessage)
        return parsed

    def __getitem__(self, header: str) -> str | None:
        value = self.message[header]
        return None if value is None else str(value)

    @property
    def message_id(self) -> str | None:
        return self["Message-ID"]

    def part(self, subtype: str) -> str | None:
        """The decoded text of the ``text/<subtype>`` part, if the message has one."""
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return part.get_content()
        return None

    @property
    def text(self) -> str | None:
        return self.part("plain")

    @property
    def html(self) -> str | None:
        return self.part("html")


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: list[ReceivedMail] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)  # answers to the next DATA commands
    refused: dict[str, str] = field(default_factory=dict)  # recipient (lower case) -> reply
    logins: list[str] = field(default_factory=list)


class _Handler:
    def __init__(self, state: _State) -> None:
        self.state = state

    async def handle_RCPT(
        self, server, session: Session, envelope: Envelope, address: str, rcpt_options
    ) -> str:
        with self.state.lock:
            reply = self.state.refused.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope) -> str:
        with self.state.lock:
            if self.state.data_replies:
                return self.state.data_replies.pop(0)
            login = session.auth_data.login.decode() if session.auth_data else None
            mail = ReceivedMail(
                envelope_from=envelope.mail_from or "",
                recipients=tuple(envelope.rcpt_tos),
                raw=bytes(envelope.original_content or envelope.content or b""),
                login=login,
            )
            self.state.received.append(mail)
            return f"250 2.0.0 OK: queued as {len(self.state.received)}"


class _Controller(Controller):
    def factory(self):
        with warnings.catch_warnings():
            # With implicit TLS, AUTH without STARTTLS is safe; aiosmtpd warns regardless.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()


class SmtpSink:
    def __init__(
        self,
        port: int | None = None,
        *,
        implicit_tls: ssl.SSLContext | None = None,
        starttls: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.implicit_tls = implicit_tls
        self.starttls = starttls
        self.credentials = credentials
        self._state = _State()
        self._controller: Controller | None = None

    # --- life -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """The SMTP_URL a mailer uses to reach this sink."""
        auth = ":".join(self.credentials) + "@" if self.credentials else ""
        if self.implicit_tls:
            return f"smtps://{auth}{HOST}:{self.port}"
        if self.starttls:
            return f"smtp+starttls://{auth}{HOST}:{self.port}"
        return f"smtp://{auth}{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpSink:
        if self._controller is not None:
            return self
        kwargs: dict[str, object] = {}
        if self.starttls:
            kwargs.update(tls_context=self.starttls, require_starttls=True)
        if self.credentials:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
            if self.implicit_tls:
                # aiosmtpd counts only STARTTLS as TLS; an implicit-TLS connection is one too.
                kwargs.update(auth_require_tls=False)
        controller = _Controller(
            _Handler(self._state),
            hostname=HOST,
            port=self.port,
            ssl_context=self.implicit_tls,
            server_hostname="sink.test",
            **kwargs,
        )
        deadline = time.monotonic() + 5
        while True:  # the port may linger for a moment after a stop()
            try:
                controller.start()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        if ok:
            with self._state.lock:
                self._state.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    # --- switches -------------------------------------------------------------

    def answer_next(self, *replies: str) -> None:
        """Answer the next DATA commands with these replies (e.g. '451 4.3.0 try later')."""
        with self._state.lock:
            self._state.data_replies.extend(replies)

    def refuse(self, recipient: str, reply: str = "550 5.1.1 No such mailbox here") -> None:
        with self._state.lock:
            self._state.refused[recipient.lower()] = reply

    def reset(self) -> None:
        """Forget switches and received mail."""
        with self._state.lock:
            self._state.data_replies.clear()
            self._state.refused.clear()
            self._state.received.clear()
            self._state.logins.clear()

    # --- what arrived ---------------------------------------------------------

    @property
    def received(self) -> list[ReceivedMail]:
        with self._state.lock:
            return list(self._state.received)

    @property
    def logins(self) -> list[str]:
        with self._state.lock:
            return list(self._state.logins)

    def to(self, recipient: str) -> list[ReceivedMail]:
        return [m for m in self.received if recipient.lower() in (r.lower() for r in m.recipients)]

    def wait_for(
        self,
        check: Callable[[ReceivedMail], bool],
        *,
        timeout: float = 20,
        what: str = "a mail",
    ) -> ReceivedMail:
        deadline = time.monotonic() + timeout
        while True:
            for mail in self.received:
                if check(mail):
                    return mail
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {what} arrived in {timeout}s; got {len(self.received)}")
            time.sleep(0.05)

    def wait_for_recipient(self, recipient: str, *, timeout: float = 20) -> ReceivedMail:
        return self.wait_for(
            lambda m: recipient.lower() in (r.lower() for r in m.recipients),
            timeout=timeout,
            what=f"mail to {recipient}",
        )


def self_signed_tls(workdir: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for 127.0.0.1: (the server's context, a client context that trusts it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sink.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = workdir / "sink-cert.pem", workdir / "sink-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client
