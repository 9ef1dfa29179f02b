"""OAuth 1.0a nonces seen recently: a signed request is accepted once only."""

from __future__ import annotations

import threading


class NonceLedger:
    def __init__(self, lifetime_s: float) -> None:
        self._lifetime_s = lifetime_s
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str, str, str], float] = {}
        self._next_sweep = 0.0

    def first_use(
        self, client_key: str, timestamp: str, nonce: str, token: str, now: float
    ) -> bool:
        """Record the nonce; False if this exact one was already used."""
        key = (client_key, timestamp, nonce, token)
        with self._lock:
            if now >= self._next_sweep:
                horizon = now - 2 * self._lifetime_s
                self._seen = {k: t for k, t in self._seen.items() if t >= horizon}
                self._next_sweep = now + self._lifetime_s / 10
            if key in self._seen:
                return False
            self._seen[key] = now
            return True
