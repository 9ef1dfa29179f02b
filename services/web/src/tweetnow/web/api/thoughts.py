"""Thoughts and mail: ``POST /api/thoughts`` answers 202 at once and the mailer sends
the mail in the background; ``GET /api/mail/{id}`` shows where one of the caller's
mails is."""

from __future__ import annotations

import falcon

from ..domain.mail import MailService
from ..schemas import ThoughtCreate
from .bodies import send_accepted


class Thoughts:
    """A thought goes out as a mail of its own, with its own job to poll."""

    def __init__(self, mail: MailService) -> None:
        self.mail = mail

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body: ThoughtCreate = req.context.body
        accepted = self.mail.send_thought(
            req.context.user, body.email, body.thought, request_id=req.context.request_id
        )
        send_accepted(resp, accepted)


class MailItem:
    def __init__(self, mail: MailService) -> None:
        self.mail = mail

    def on_get(self, req: falcon.Request, resp: falcon.Response, mail_id: int) -> None:
        resp.media = self.mail.get(req.context.user, mail_id)
