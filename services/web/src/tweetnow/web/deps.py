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


@dataclass(frozen=True)
class WebDeps:
    settings: Settings
    broker: dramatiq.Broker
    jobs: JobStatusStore
    redis: redis.Redis
    box: SecretBox

    @classmethod
    def from_settings(cls, settings: Settings) -> WebDeps:
        broker = build_broker(settings)
        return cls(
            settings=settings,
            broker=broker,
            jobs=job_store(broker),
            redis=redis_client(settings),
            box=SecretBox(settings.encryption_keys),
        )
