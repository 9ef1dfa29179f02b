"""What a mail row is about, gathered for its templates: the user, the tweet, a GIF."""

from __future__ import annotations

from typing import Any

from tweetnow.shared.models import Mail, MailKind, Tweet, User

from . import mail_rows
from .giphy import Gif, GiphySearch
from .rendering import (
    MailContent,
    ReconnectNeededMail,
    ThoughtMail,
    TweetFailedMail,
    WebhookDisabledMail,
    WelcomeMail,
)
from .send_failures import UnrenderableMail


def _username(mail: Mail) -> str | None:
    user: User | None = mail.user if mail.user_id is not None else None
    return user.username if user is not None else None


class MailComposer:
    def __init__(self, giphy: GiphySearch | None) -> None:
        #: None when no GIPHY key is configured: thoughts go out without a GIF.
        self.giphy = giphy

    def content_of(self, mail: Mail) -> MailContent:
        data = mail_rows.data_of(mail)
        if mail.kind == MailKind.WELCOME:
            return WelcomeMail(username=_username(mail))
        if mail.kind == MailKind.THOUGHT:
            return self._thought(mail, data)
        if mail.kind == MailKind.TWEET_FAILED:
            return self._tweet_failed(mail, data)
        if mail.kind == MailKind.WEBHOOK_DISABLED:
            return self._webhook_disabled(mail, data)
        if mail.kind == MailKind.RECONNECT_NEEDED:
            return self._reconnect_needed(mail, data)
        raise UnrenderableMail(f"this mailer does not know mails of kind {mail.kind!r}")

    def _thought(self, mail: Mail, data: dict[str, Any]) -> ThoughtMail:
        thought = data.get("thought")
        if not isinstance(thought, str) or not thought.strip():
            raise UnrenderableMail("the mail has no thought to send")
        return ThoughtMail(thought=thought, sender=_username(mail), gif=self._gif(mail, data))

    def _gif(self, mail: Mail, data: dict[str, Any]) -> Gif | None:
        """The GIF an earlier attempt found, else a new search (None on any trouble)."""
        if "gif" in data:
            return Gif.from_data(data["gif"])
        if self.giphy is None:
            return None
        gif = self.giphy.find(data["thought"])
        if gif is not None:
            # Later attempts send the same GIF without asking GIPHY again.
            mail_rows.remember(mail.id, gif=gif.to_data())
        return gif

    def _tweet_failed(self, mail: Mail, data: dict[str, Any]) -> TweetFailedMail:
        """What the tweeter recorded when the tweet failed, else what its row says now."""
        text, reason = data.get("text"), data.get("reason")
        if not isinstance(text, str) or not isinstance(reason, str):
            tweet_id = data.get("tweet_id")
            tweet = Tweet.get_or_none(Tweet.id == tweet_id) if isinstance(tweet_id, int) else None
            if tweet is None:
                raise UnrenderableMail(f"the tweet this notice is about ({tweet_id!r}) is gone")
            text = text if isinstance(text, str) else tweet.text
            reason = reason if isinstance(reason, str) else tweet.error
        return TweetFailedMail(
            text=text, reason=reason or "X did not say why", username=_username(mail)
        )

    def _webhook_disabled(self, mail: Mail, data: dict[str, Any]) -> WebhookDisabledMail:
        url, reason = data.get("url"), data.get("reason")
        if not isinstance(url, str) or not isinstance(reason, str):
            raise UnrenderableMail("the notice names no webhook URL or reason")
        return WebhookDisabledMail(url=url, reason=reason, username=_username(mail))

    def _reconnect_needed(self, mail: Mail, data: dict[str, Any]) -> ReconnectNeededMail:
        handle, reason = data.get("handle"), data.get("reason")
        if not isinstance(handle, str) or not isinstance(reason, str):
            raise UnrenderableMail("the notice names no X account or reason")
        return ReconnectNeededMail(handle=handle, reason=reason, username=_username(mail))
