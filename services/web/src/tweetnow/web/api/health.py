"""Liveness and readiness, for the orchestrator and the load balancer."""

from __future__ import annotations

import falcon
import redis

from tweetnow.shared.migrations import missing_versions

from ..schemas import Health


class Liveness:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = Health(status="ok")


class Readiness:
    """200 when Redis and the database answer and the schema is current, 503 saying what is not.

    Ready means a sign-in can succeed: a database that answers but has not
    been migrated yet is not ready.
    """

    def __init__(self, redis_client: redis.Redis) -> None:
        self.redis = redis_client

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks: dict[str, str] = {}
        try:
            self.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
        try:
            missing = missing_versions()
            checks["database"] = (
                f"not migrated: missing schema versions {missing}" if missing else "ok"
            )
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        resp.status = falcon.HTTP_200 if ready else falcon.HTTP_503
        resp.media = Health(status="ok" if ready else "unavailable", checks=checks)
