"""X's rate limits on ``/2/``: counted per user and endpoint, reported on every response."""

from __future__ import annotations

import falcon

from x_sandbox.authentication import API_PREFIX
from x_sandbox.clock import Clock
from x_sandbox.rate_limits import UNLIMITED, Quota
from x_sandbox.state import SandboxState
from x_sandbox.x_problems import too_many_requests

#: The one endpoint whose limits tests set (``rate_limit`` in the faults).
TWEET_POST_ENDPOINT = "POST /2/tweets"


class RateLimiting:
    def __init__(self, state: SandboxState, clock: Clock) -> None:
        self._state = state
        self._clock = clock

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource, params):
        user = req.context.get("user")
        if user is None or resource is None or not req.path.startswith(API_PREFIX):
            return
        endpoint = f"{req.method} {req.uri_template}"
        with self._state.lock:
            rule = self._state.faults.rate_limit if endpoint == TWEET_POST_ENDPOINT else None
            quota = self._state.rate_limits.take(
                endpoint, user.id, rule or UNLIMITED, self._clock.now()
            )
        req.context.quota = quota
        if quota.exceeded:
            raise too_many_requests(quota.headers())

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource, succeeded):
        if not req.path.startswith(API_PREFIX):
            return
        quota = req.context.get("quota") or Quota.fresh(UNLIMITED, self._clock.now())
        for name, value in quota.headers().items():
            if resp.get_header(name) is None:
                resp.set_header(name, value)
