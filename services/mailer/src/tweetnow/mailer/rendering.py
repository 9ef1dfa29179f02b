"""Turning what a mail is about into its subject, plain-text part and HTML part.

Each kind of mail is a small dataclass; its templates are ``templates/<kind>.txt``
and ``templates/<kind>.html`` (Jinja2). The HTML templates escape everything
they are given, so a thought like ``<b>hi</b>`` arrives as text, not markup.
Rendering touches neither the database nor the network.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tweetnow.shared.models import MailKind

from .giphy import Gif

#: Subjects quote at most this much of what the mail is about.
SUBJECT_QUOTE_CHARS = 60


def short(text: str, limit: int = SUBJECT_QUOTE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class WelcomeMail:
    kind: ClassVar[MailKind] = MailKind.WELCOME
    username: str | None

    def subject(self) -> str:
        return "Welcome to tweetnow"


@dataclass(frozen=True)
class ThoughtMail:
    kind: ClassVar[MailKind] = MailKind.THOUGHT
    thought: str
    sender: str | None  # the username of the person who sent it
    gif: Gif | None = None

    def subject(self) -> str:
        if self.sender:
            return f"A thought from @{self.sender}: {short(self.thought)}"
        return f"A thought: {short(self.thought)}"


@dataclass(frozen=True)
class TweetFailedMail:
    kind: ClassVar[MailKind] = MailKind.TWEET_FAILED
    text: str
    reason: str
    username: str | None

    def subject(self) -> str:
        return f"Your tweet could not be posted: {short(self.text)}"


@dataclass(frozen=True)
class WebhookDisabledMail:
    kind: ClassVar[MailKind] = MailKind.WEBHOOK_DISABLED
    url: str
    reason: str
    username: str | None

    def subject(self) -> str:
        return f"Your webhook was disabled: {short(self.url)}"


@dataclass(frozen=True)
class ReconnectNeededMail:
    kind: ClassVar[MailKind] = MailKind.RECONNECT_NEEDED
    handle: str
    reason: str
    username: str | None

    def subject(self) -> str:
        return f"Reconnect @{self.handle}: its tweets are waiting"


MailContent = (
    WelcomeMail | ThoughtMail | TweetFailedMail | WebhookDisabledMail | ReconnectNeededMail
)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class MailRenderer:
    def __init__(self, *, app_url: str) -> None:
        self.app_url = app_url.rstrip("/")
        self.env = Environment(
            loader=PackageLoader("tweetnow.mailer", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, content: MailContent) -> RenderedMail:
        subject = content.subject()
        context: dict[str, Any] = {
            **{f.name: getattr(content, f.name) for f in fields(content)},
            "subject": subject,
            "app_url": self.app_url,
        }
        return RenderedMail(
            subject=subject,
            text=self.env.get_template(f"{content.kind}.txt").render(context),
            html=self.env.get_template(f"{content.kind}.html").render(context),
        )
