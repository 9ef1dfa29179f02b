"""Every ``/2/`` request must be signed in a user's name (OAuth 1.0a user context)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import falcon

from x_sandbox.access_tokens import AccessTokens
from x_sandbox.oauth_signatures import SignatureChecker
from x_sandbox.x_problems import unauthorized

if TYPE_CHECKING:  # the state imports the rate limits, which import this module
    from x_sandbox.state import SandboxState

#: Where X's v2 API lives: every request under it acts in a user's name.
API_PREFIX = "/2/"

log = logging.getLogger(__name__)


class UserContextMiddleware:
    """Sets ``req.context.user`` for ``/2/`` requests, or answers X's 401."""

    def __init__(
        self, checker: SignatureChecker, tokens: AccessTokens, state: SandboxState
    ) -> None:
        self._checker = checker
        self._tokens = tokens
        self._state = state

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if not req.path.startswith(API_PREFIX):
            return
        signed = self._checker.check(req, self._tokens.secret_for)
        user = self._tokens.user_for(signed.token) if signed and signed.token else None
        if user is None:
            log.info("api_unauthorized method=%s path=%s reason=signature", req.method, req.path)
            raise unauthorized()
        with self._state.lock:
            revoked = user.key in self._state.revoked
        if revoked:
            log.info("api_unauthorized method=%s path=%s reason=revoked", req.method, req.path)
            raise unauthorized()
        req.context.user = user
