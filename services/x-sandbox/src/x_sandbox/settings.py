"""The sandbox's configuration, read from the environment in this one place.

Every value has a default that works on a laptop: the sandbox listens on
127.0.0.1:8081 and accepts the consumer key and secret the other services use
by default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class SandboxSettingsError(ValueError):
    """An environment variable holds a value the sandbox cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SandboxSettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SandboxSettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _str(env: Mapping[str, str], name: str, default: str) -> str:
    return env.get(name, "").strip() or default


@dataclass(frozen=True)
class SandboxSettings:
    """How the sandbox listens and which app (consumer key and secret) it accepts."""

    host: str = "127.0.0.1"
    port: int = 8081
    consumer_key: str = "sandbox-consumer-key"
    consumer_secret: str = "sandbox-consumer-secret"
    #: The OAuth 2.0 client (X's "Client ID" and "Client Secret" of a confidential app).
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    #: Where people and the product reach the sandbox; used in the links it shows.
    public_url: str = "http://127.0.0.1:8081"
    #: Threads of the single gunicorn worker (state lives in that one process).
    threads: int = 16

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SandboxSettings:
        env = os.environ if env is None else env
        return cls(
            host=_str(env, "X_SANDBOX_HOST", cls.host),
            port=_int(env, "X_SANDBOX_PORT", cls.port, low=1, high=65535),
            consumer_key=_str(env, "X_CONSUMER_KEY", cls.consumer_key),
            consumer_secret=_str(env, "X_CONSUMER_SECRET", cls.consumer_secret),
            client_id=_str(env, "X_CLIENT_ID", cls.client_id),
            client_secret=_str(env, "X_CLIENT_SECRET", cls.client_secret),
            public_url=_str(env, "X_SANDBOX_PUBLIC_URL", cls.public_url).rstrip("/"),
            threads=_int(env, "X_SANDBOX_THREADS", cls.threads, low=1, high=256),
        )
