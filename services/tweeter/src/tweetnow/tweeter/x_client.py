"""A tweepy client for one user, built from their encrypted tokens."""

from __future__ import annotations

import tweepy

from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.models import User
from tweetnow.shared.settings import Settings
from tweetnow.shared.x_api import XApiSession


class XClientFactory:
    def __init__(self, settings: Settings, box: SecretBox) -> None:
        self.settings = settings
        self.box = box

    def for_user(self, user: User) -> tweepy.Client:
        client = tweepy.Client(
            consumer_key=self.settings.x_consumer_key,
            consumer_secret=self.settings.x_consumer_secret,
            access_token=self.box.decrypt(user.x_access_token),
            access_token_secret=self.box.decrypt(user.x_access_secret),
        )
        client.session = XApiSession(self.settings.x_api_base_url, self.settings.x_timeout_s)
        return client
