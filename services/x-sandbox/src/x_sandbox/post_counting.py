"""Counts every answer to ``POST /2/tweets``, whatever refused or accepted it."""

from __future__ import annotations

import falcon

from x_sandbox.state import SandboxState


class PostCounting:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource, succeeded):
        if req.method == "POST" and req.path == "/2/tweets":
            with self._state.lock:
                self._state.stats.record(resp.status_code)
