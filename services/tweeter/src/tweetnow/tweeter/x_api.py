"""Where tweepy's requests go: the configured X API base URL (X, or the sandbox).

tweepy hard-codes https://api.twitter.com. A session that rewrites the host in
``request()`` runs before requests applies the OAuth 1.0a signature, so the
signature matches the URL the server really receives.

It also keeps the status and headers of the last response (tweepy's
``Response`` of a successful call does not expose them): X reports its rate
limits there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

X_DEFAULT_HOST = "https://api.twitter.com"


class XApiSession(requests.Session):
    def __init__(self, base_url: str, timeout_s: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        #: Headers of the last response this session received (None before any).
        self.last_headers: Mapping[str, str] | None = None
        #: Status of the last response (None before any, or when the call got no answer).
        self.last_status: int | None = None

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if isinstance(url, str) and url.startswith(X_DEFAULT_HOST):
            url = self.base_url + url[len(X_DEFAULT_HOST) :]
        kwargs.setdefault("timeout", self.timeout_s)
        self.last_headers = None
        self.last_status = None
        response = super().request(method, url, *args, **kwargs)
        self.last_headers = response.headers
        self.last_status = response.status_code
        return response
