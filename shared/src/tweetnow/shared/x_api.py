"""Where tweepy's requests go: the configured X API base URL (X, or the sandbox).

tweepy hard-codes https://api.twitter.com. A session that rewrites the host in
``request()`` runs before requests applies the OAuth 1.0a signature, so the
signature matches the URL the server really receives.
"""

from __future__ import annotations

from typing import Any

import requests

X_DEFAULT_HOST = "https://api.twitter.com"


class XApiSession(requests.Session):
    def __init__(self, base_url: str, timeout_s: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def request(self, method, url, *args: Any, **kwargs: Any):  # type: ignore[override]
        if isinstance(url, str) and url.startswith(X_DEFAULT_HOST):
            url = self.base_url + url[len(X_DEFAULT_HOST) :]
        kwargs.setdefault("timeout", self.timeout_s)
        return super().request(method, url, *args, **kwargs)
