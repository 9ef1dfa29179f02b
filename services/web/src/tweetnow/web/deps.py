"""What the web app needs from the outside world, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

import dramatiq
import redis

from tweetnow.shared.broker import build_broker, job_store
from tweetnow.shared.crypto import SecretBox
from tweetnow.shared.db import redis_client
from tweetnow.shared.jobs import JobStatusStore
from tweetnow.shared.settings import Settings

from .domain.token_cache import TokenCache


@dataclass(frozen=True)
class WebDeps:
    settings: Settings
    broker: dramatiq.Broker
    jobs: JobStatusStore
    redis: redis.Redis
    box: SecretBox
    #: API tokens remembered by this process; people changed in the web are announced here.
    token_cache: TokenCache

    @classmethod
    def from_settings(cls, settings: Settings) -> WebDeps:
        broker = build_broker(settings)
        client = redis_client(settings)
        return cls(
            settings=settings,
            broker=broker,
            jobs=job_store(broker),
            redis=client,
            box=SecretBox(settings.encryption_keys),
            token_cache=TokenCache(client, settings.api_token_cache_s),
        )
