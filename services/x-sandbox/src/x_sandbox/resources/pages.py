"""``GET /`` (the newest tweets first) and ``GET /{username}/status/{id}`` (one tweet)."""

from __future__ import annotations

import falcon

from x_sandbox.html_pages import message_page, send_html, tweet_list_page, tweet_page
from x_sandbox.state import SandboxState

#: The index shows this many of the newest tweets.
INDEX_LENGTH = 200


class IndexPageResource:
    def __init__(self, state: SandboxState, public_url: str) -> None:
        self._state = state
        self._public_url = public_url

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._state.lock:
            tweets = self._state.tweets.newest(INDEX_LENGTH)
            total = len(self._state.tweets)
        send_html(resp, tweet_list_page(tweets, total, self._public_url))


class StatusPageResource:
    """One tweet at its X address; a wrong user name in the address redirects to the right one."""

    def __init__(self, state: SandboxState, public_url: str) -> None:
        self._state = state
        self._public_url = public_url

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, username: str, tweet_id: int
    ) -> None:
        with self._state.lock:
            tweet = self._state.tweets.get(tweet_id)
        if tweet is None:
            page = message_page("Not found", "This post doesn't exist (or was deleted).")
            send_html(resp, page, 404)
            return
        if tweet.username.lower() != username.lower():
            raise falcon.HTTPMovedPermanently(f"/{tweet.username}/status/{tweet.id}")
        send_html(resp, tweet_page(tweet, self._public_url))
