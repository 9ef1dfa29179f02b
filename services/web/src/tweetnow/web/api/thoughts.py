"""Thoughts and mail: ``POST /api/thoughts`` answers 202 at once and the mailer sends
the mail in the background; ``GET /api/mail/{id}`` shows where one of the caller's
mails is."""

from __future__ import annotations

import falcon

from ..domain.mail import MailService
from ..middleware.authentication import require_user
from ..schemas import ThoughtCreate
from .bodies import read_json, send_accepted


class Thoughts:
    def __init__(self, mail: MailService, *, max_body_bytes: int) -> None:
        self.mail = mail
        self.max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = require_user(req)
        body = read_json(req, ThoughtCreate, max_bytes=self.max_body_bytes)
        accepted = self.mail.send_thought(
            user, body.email, body.thought, request_id=req.context.request_id
        )
        send_accepted(resp, accepted)


class MailItem:
    def __init__(self, mail: MailService) -> None:
        self.mail = mail

    def on_get(self, req: falcon.Request, resp: falcon.Response, mail_id: int) -> None:
        resp.media = self.mail.get(require_user(req), mail_id)
