"""Thoughts and mail: ``POST /api/thoughts`` answers 202 at once and the mailer sends
the mail in the background; ``GET /api/mail/{id}`` shows where one of the caller's
mails is."""

from __future__ import annotations

import falcon

from ..domain.mail import MailService
from .bodies import send_accepted
from .idempotency import idempotent_request


class MailItem:
    def __init__(self, mail: MailService) -> None:
        self.mail = mail

    def on_get(self, req: falcon.Request, resp: falcon.Response, mail_id: int) -> None:
        resp.media = self.mail.get(req.context.user, mail_id)


class Thoughts:
    """A thought goes out as a mail of its own, with its own job to poll."""

    def __init__(self, mail: MailService) -> None:
        self.mail = mail

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = req.context
        once = idempotent_request(req)
        accepted = self.mail.send_thought(ctx.user, ctx.body, request_id=ctx.request_id, once=once)
        send_accepted(resp, accepted)
