"""Handing one message to the SMTP server: a connection per message, with timeouts.

A connection per message keeps the worker simple and stateless: no pooled
connection goes stale between jobs, and any worker thread can send.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage

from .smtp_target import Security, SmtpTarget


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
