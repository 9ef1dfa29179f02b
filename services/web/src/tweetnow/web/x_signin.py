"""Sign in with X (OAuth 1.0a), through tweepy, against the configured X hosts."""

from __future__ import annotations

from dataclasses import dataclass

import tweepy

from tweetnow.shared.settings import Settings
from tweetnow.shared.x_api import XApiSession


class _Handler(tweepy.OAuth1UserHandler):
    """tweepy's handler with X's hosts taken from settings.

    The browser is sent to X_AUTHORIZE_BASE_URL; token requests go to
    X_API_BASE_URL (they differ when the web service reaches X through a
    private network name).
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            settings.x_consumer_key,
            settings.x_consumer_secret,
            callback=settings.oauth_callback_url,
        )
        self._settings = settings

    def _get_oauth_url(self, endpoint: str) -> str:
        browser = endpoint in ("authenticate", "authorize")
        base = self._settings.x_authorize_base_url if browser else self._settings.x_api_base_url
        return f"{base}/oauth/{endpoint}"


@dataclass(frozen=True)
class Authorization:
    url: str
    request_token: str
    request_token_secret: str


@dataclass(frozen=True)
class XAccount:
    x_user_id: str
    username: str
    name: str
    access_token: str
    access_token_secret: str


class XSignIn:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def start(self) -> Authorization:
        handler = _Handler(self.settings)
        url = handler.get_authorization_url(signin_with_twitter=True)
        return Authorization(
            url=url,
            request_token=handler.request_token["oauth_token"],
            request_token_secret=handler.request_token["oauth_token_secret"],
        )

    def finish(self, request_token: str, request_token_secret: str, verifier: str) -> XAccount:
        handler = _Handler(self.settings)
        handler.request_token = {
            "oauth_token": request_token,
            "oauth_token_secret": request_token_secret,
        }
        token, secret = handler.get_access_token(verifier)
        client = tweepy.Client(
            consumer_key=self.settings.x_consumer_key,
            consumer_secret=self.settings.x_consumer_secret,
            access_token=token,
            access_token_secret=secret,
        )
        client.session = XApiSession(self.settings.x_api_base_url, self.settings.x_timeout_s)
        me = client.get_me(user_auth=True).data
        return XAccount(
            x_user_id=str(me.id),
            username=me.username,
            name=me.name or me.username,
            access_token=token,
            access_token_secret=secret,
        )
