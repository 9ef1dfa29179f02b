"""A sign-in with X completes only in the browser that started it.

``/auth/x/login`` gives the browser a short-lived, signed, HttpOnly cookie
naming the request token it takes to X; ``/auth/x/callback`` goes on only when
the browser comes back with that very cookie. Without the tie, anyone could
start a sign-in with their own X account and get someone else's browser to
open the callback link: that browser would be signed in as them, and whatever
its owner then posted would go out under the stranger's account.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

import falcon
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tweetnow.shared.settings import Settings

SIGNIN_COOKIE = "tweetnow_signin"
#: The cookie is sent to the sign-in's own addresses only.
SIGNIN_COOKIE_PATH = "/auth/x"


class SignInBinding:
    def __init__(self, settings: Settings, lifetime: timedelta) -> None:
        self.secure = settings.cookie_secure
        self.max_age = int(lifetime.total_seconds())
        self.serializer = URLSafeTimedSerializer(settings.secret_key, salt="tweetnow.signin")

    def bind(self, resp: falcon.Response, request_token: str) -> None:
        """Tie the sign-in under ``request_token`` to the browser ``resp`` goes to."""
        resp.set_cookie(
            SIGNIN_COOKIE,
            self.serializer.dumps(request_token),
            max_age=self.max_age,
            http_only=True,
            # X sends the person back with a top-level GET, which Lax lets the cookie ride.
            same_site="Lax",
            secure=self.secure,
            path=SIGNIN_COOKIE_PATH,
        )

    def matches(self, req: falcon.Request, request_token: str) -> bool:
        """True when this browser started the sign-in under ``request_token``, recently."""
        cookie = req.cookies.get(SIGNIN_COOKIE)
        if not cookie:
            return False
        try:
            bound = self.serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:
            return False
        return isinstance(bound, str) and hmac.compare_digest(bound, request_token)

    def release(self, resp: falcon.Response) -> None:
        """The sign-in is done: the browser forgets it."""
        resp.unset_cookie(SIGNIN_COOKIE, path=SIGNIN_COOKIE_PATH)
