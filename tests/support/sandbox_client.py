"""A clock the tests move, and a client that signs requests to the sandbox as tweepy does."""

from __future__ import annotations

import json as jsonlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from falcon import testing
from oauthlib.oauth1 import Client

from x_sandbox.settings import SandboxSettings

#: The host falcon's test client puts in requests; signatures cover it.
BASE = "http://falconframework.org"
CALLBACK = "http://127.0.0.1:8000/auth/x/callback"


class FakeClock:
    """Starts at the real time (oauthlib checks timestamps against it) and moves when told."""

    def __init__(self) -> None:
        self.t = time.time()
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass(frozen=True)
class Account:
    username: str
    user_id: str
    token: str
    secret: str


class Sandbox:
    """Drives the app as X's clients do, signing every request with oauthlib."""

    def __init__(self, client: testing.TestClient, settings: SandboxSettings) -> None:
        self.client = client
        self.settings = settings

    def signed(
        self,
        method: str,
        path: str,
        *,
        account: Account | None = None,
        token: str | None = None,
        secret: str | None = None,
        params: Mapping[str, str] | None = None,
        json: object = None,
        form: Mapping[str, str] | None = None,
        multipart: Mapping[str, bytes] | None = None,
        callback: str | None = None,
        verifier: str | None = None,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
    ) -> testing.Result:
        oauth = Client(
            consumer_key or self.settings.consumer_key,
            client_secret=consumer_secret or self.settings.consumer_secret,
            resource_owner_key=account.token if account else token,
            resource_owner_secret=account.secret if account else secret,
            callback_uri=callback,
            verifier=verifier,
        )
        query = urlencode(params) if params else ""
        url = BASE + path + (f"?{query}" if query else "")
        headers: dict[str, str] = {}
        body: str | None = None
        if json is not None:
            headers["Content-Type"] = "application/json"
            body = jsonlib.dumps(json)
            _, headers, _ = oauth.sign(url, method, None, headers)
        elif multipart is not None:
            # A multipart body is not part of the OAuth 1.0a signature.
            boundary = "sandbox-test-boundary"
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            chunks = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{name}"\r\n\r\n'.encode()
                + value
                + b"\r\n"
                for name, value in multipart.items()
            ]
            raw = b"".join(chunks) + f"--{boundary}--\r\n".encode()
            _, headers, _ = oauth.sign(url, method, None, headers)
            return self.client.simulate_request(
                method, path, query_string=query or None, headers=headers, body=raw
            )
        elif form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            _, headers, body = oauth.sign(url, method, urlencode(form), headers)
        else:
            _, headers, _ = oauth.sign(url, method)
        return self.client.simulate_request(
            method, path, query_string=query or None, headers=headers, body=body
        )

    def request_token(self, callback: str = CALLBACK) -> tuple[str, str]:
        r = self.signed("POST", "/oauth/request_token", callback=callback)
        assert r.status_code == 200, r.text
        fields = parse_qs(r.text)
        assert fields["oauth_callback_confirmed"] == ["true"]
        return fields["oauth_token"][0], fields["oauth_token_secret"][0]

    def approve(self, token: str, username: str, user_id: str | None = None) -> str:
        """Approve through the no-browser link (as account ``user_id`` when given); returns
        the verifier."""
        params = {"oauth_token": token, "username": username}
        if user_id is not None:
            params["user_id"] = user_id
        r = self.client.simulate_get("/oauth/authenticate", params=params)
        assert r.status_code == 302, r.text
        query = parse_qs(urlsplit(r.headers["location"]).query)
        assert query["oauth_token"] == [token]
        return query["oauth_verifier"][0]

    def access_token(self, token: str, secret: str, verifier: str) -> testing.Result:
        return self.signed(
            "POST", "/oauth/access_token", token=token, secret=secret, verifier=verifier
        )

    def sign_in(self, username: str) -> Account:
        token, secret = self.request_token()
        verifier = self.approve(token, username)
        r = self.access_token(token, secret, verifier)
        assert r.status_code == 200, r.text
        fields = {k: v[0] for k, v in parse_qs(r.text).items()}
        return Account(
            username=fields["screen_name"],
            user_id=fields["user_id"],
            token=fields["oauth_token"],
            secret=fields["oauth_token_secret"],
        )

    def post_tweet(self, account: Account, text: str) -> testing.Result:
        return self.signed("POST", "/2/tweets", account=account, json={"text": text})

    def set_faults(self, **faults: object) -> testing.Result:
        r = self.client.simulate_post("/_sandbox/faults", json=faults)
        assert r.status_code == 200, r.text
        return r

    def posted(self, username: str | None = None) -> list[dict]:
        params = {"username": username} if username else None
        return self.client.simulate_get("/_sandbox/tweets", params=params).json["data"]
