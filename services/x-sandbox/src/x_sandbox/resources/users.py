"""``GET /2/users/me`` and ``GET /2/users/{id}/tweets``."""

from __future__ import annotations

import falcon

from x_sandbox.state import SandboxState
from x_sandbox.x_problems import invalid_request


class UsersMeResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"data": req.context.user.as_json()}


def _max_results(req: falcon.Request) -> int:
    raw = req.get_param("max_results")
    if raw is None:
        return 10
    if raw.isascii() and raw.isdigit() and 5 <= int(raw) <= 100:
        return int(raw)
    message = f"The `max_results` query parameter value [{raw}] is not between 5 and 100"
    raise invalid_request({"max_results": [raw]}, message)


def _pagination_token(req: falcon.Request) -> int | None:
    """The sandbox's page token is the id of the last tweet of the page before."""
    raw = req.get_param("pagination_token")
    if raw is None:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) <= 19:
        return int(raw)
    message = f"The `pagination_token` query parameter value [{raw}] is not valid"
    raise invalid_request({"pagination_token": [raw]}, message)


def _fields(req: falcon.Request) -> frozenset[str]:
    raw = req.get_param("tweet.fields") or ""
    return frozenset(f.strip() for f in raw.split(",") if f.strip())


class UserTweetsResource:
    """A user's tweets, newest first, paged with ``pagination_token``."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        max_results = _max_results(req)
        fields = _fields(req)
        before = _pagination_token(req)
        with self._state.lock:
            tweets = self._state.tweets.newest_first_by(user_id)
        if before is not None:
            tweets = [t for t in tweets if t.id < before]
        page, rest = tweets[:max_results], tweets[max_results:]
        if not page:
            resp.media = {"meta": {"result_count": 0}}
            return
        meta: dict[str, object] = {
            "result_count": len(page),
            "newest_id": str(page[0].id),
            "oldest_id": str(page[-1].id),
        }
        if rest:
            meta["next_token"] = str(page[-1].id)
        resp.media = {"data": [t.as_x_json(fields) for t in page], "meta": meta}
